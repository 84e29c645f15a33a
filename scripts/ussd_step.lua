-- wrk script for scripts/ussd-load.sh: each wrk thread keeps SESSIONS (default 100) USSD
-- sessions and posts their steps round-robin, as Africa's Talking would (form fields
-- sessionId, serviceCode, phoneNumber, networkCode and the `text` path so far). A session
-- walks the whole report menu: language, report, district (1-4 in turn), tehsil 1, service 1
-- (no water supply), its question's first answer, a landmark, send; the last step stores a
-- request. Then the slot starts a new session with a new random phone number. Each request is
-- one USSD step; its latency is the figure. At the end the script prints USSD_* lines.
local per_thread = tonumber(os.getenv("SESSIONS") or "100")
-- PACE_MS > 0: each connection waits that long before its next step (a caller reading the
-- screen and typing); 0: steps follow each other at once (the server saturated).
local pace = tonumber(os.getenv("PACE_MS") or "0")
if pace > 0 then
  function delay() return pace end
end
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

-- Globals, so that done() can read them from each thread.
sessions, next_slot, made, ends, cons, bad, first_bad = {}, 0, 0, 0, 0, 0, nil

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function new_session(slot)
  made = made + 1
  local district = tostring((made % 4) + 1)
  return {
    id = string.format("bench-%d-%d-%d-%d", tid or 0, slot, made, math.random(1, 1e9)),
    phone = string.format("+92300%07d", math.random(0, 9999999)),
    inputs = { "1", "1", district, "1", "1", "1", "near the old well", "1" },
    step = 0,
  }
end

function init(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
  for i = 1, per_thread do sessions[i] = new_session(i) end
end

function request()
  next_slot = (next_slot % per_thread) + 1
  local s = sessions[next_slot]
  local path = table.concat(s.inputs, "*", 1, s.step)
  if s.step == 0 then path = "" end
  s.step = s.step + 1
  if s.step > #s.inputs then sessions[next_slot] = new_session(next_slot) end
  local body = "sessionId=" .. s.id .. "&serviceCode=%2A384%2A7245%23&phoneNumber=" .. urlencode(s.phone)
    .. "&networkCode=41001&text=" .. urlencode(path)
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if not first_bad then first_bad = status .. " " .. body:sub(1, 200) end
  elseif body:sub(1, 4) == "END " then
    ends = ends + 1
  else
    cons = cons + 1
  end
end

function done(summary, latency, requests)
  local e, c, b, sample = 0, 0, 0, nil
  for _, t in ipairs(threads) do
    e = e + (t:get("ends") or 0)
    c = c + (t:get("cons") or 0)
    b = b + (t:get("bad") or 0)
    sample = sample or t:get("first_bad")
  end
  io.write(string.format("USSD_STEPS_PER_S %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("USSD_P50_MS %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("USSD_P99_MS %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("USSD_MAX_MS %.2f\n", latency.max / 1000))
  io.write(string.format("USSD_CON %d\nUSSD_END %d\nUSSD_BAD %d\n", c, e, b))
  local errs = summary.errors
  io.write(string.format("USSD_SOCKET_ERRORS %d\n", errs.connect + errs.read + errs.write + errs.timeout))
  if sample then io.write("USSD_SAMPLE " .. sample .. "\n") end
end
