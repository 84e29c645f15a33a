-- wrk script for scripts/load.sh: POSTs varied JSON service requests to the URL's path
-- (/api/v1/requests on Sahulat, /requests on the intake baseline) and counts every answer that
-- is not 2xx. done() prints machine-readable LOAD_* lines that load.sh parses.

-- Points inside the pilot districts (Quetta, Kech/Turbat, Larkana, Naushahro Feroze/Moro);
-- each request jitters one by at most ±0.005°.
local points = {
  { 30.18, 66.99 },  -- Quetta
  { 26.00, 63.05 },  -- Turbat (Kech)
  { 27.56, 68.21 },  -- Larkana
  { 26.84, 68.12 },  -- Naushahro Feroze
  { 26.66, 68.00 },  -- Moro (Naushahro Feroze)
}
local services = { "water-supply", "sewerage-drainage", "solid-waste", "electricity", "roads" }
-- 22 to 52 characters each; with the 15-character suffix below a description is 37 to 67
-- characters, inside the 20-80 range the benchmark uses.
local descriptions = {
  "No water in our street",
  "Water supply off for three days in the whole mohalla",
  "Drain overflowing onto the main road near the school",
  "Sewerage line blocked behind the mosque",
  "Garbage not collected for a week",
  "Heap of solid waste burning near the bazaar",
  "Transformer sparking at night",
  "Power cut since morning in our lane",
  "Deep pothole on the main road",
  "Road washed away after the rain near the bridge",
}

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  non2xx = 0
  codes = ""
  sample = ""
  seen = {}
  wrk.headers["Content-Type"] = "application/json"
end

local function jitter()
  return (math.random() - 0.5) * 0.01  -- [-0.005, 0.005)
end

function request()
  local p = points[math.random(#points)]
  local d = descriptions[math.random(#descriptions)] .. string.format(" (report %05d)", math.random(0, 99999))
  local body = string.format(
    '{"service_code":"%s","description":"%s","lat":%.6f,"lon":%.6f,"phone":"0300%07d"}',
    services[math.random(#services)], d, p[1] + jitter(), p[2] + jitter(), math.random(0, 9999999))
  return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    seen[status] = (seen[status] or 0) + 1
    local parts = {}
    for code, n in pairs(seen) do
      table.insert(parts, code .. "x" .. n)
    end
    codes = table.concat(parts, ",")
    if sample == "" then
      sample = status .. " " .. string.sub(body or "", 1, 300):gsub("%s+", " ")
    end
  end
end

function done(summary, latency, requests)
  local bad, codes_all, sample_one = 0, {}, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    local c = t:get("codes") or ""
    if c ~= "" then table.insert(codes_all, c) end
    local s = t:get("sample") or ""
    if sample_one == "" then sample_one = s end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format("LOAD_REQUESTS %d\n", summary.requests))
  io.write(string.format("LOAD_RPS %.1f\n", summary.requests / secs))
  io.write(string.format("LOAD_P50_MS %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("LOAD_P99_MS %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("LOAD_MAX_MS %.2f\n", latency.max / 1000))
  io.write(string.format("LOAD_NON2XX %d\n", bad))
  io.write(string.format("LOAD_SOCKET_ERRORS %d connect=%d read=%d write=%d timeout=%d\n",
    e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout))
  io.write(string.format("LOAD_CODES %s\n", table.concat(codes_all, ";")))
  io.write(string.format("LOAD_SAMPLE %s\n", sample_one))
end
