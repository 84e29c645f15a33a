"""A mixed load against a running Sahulat: citizens reporting (native API and Open311), feature
phones walking the USSD menu, citizen pages (report form, tracking, public list), staff reading
their queue, opening tickets and commenting, and evaluators asking for summaries and plan input.
Threads pick operations at random by weight for DURATION seconds; every answer is checked
(status in the expected set). Prints one row per operation: count, throughput, p50/p95/p99 in
ms, unexpected statuses.

Usage: mixed_load.py BASE_URL DURATION THREADS STAFF_TOKEN EVAL_TOKEN API_KEY SEED_REFS_FILE
Standard library only. Exit 1 when any answer had an unexpected status."""
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

base, duration, threads, staff, evaluator, api_key, refs_file = sys.argv[1:8]
duration, threads = float(duration), int(threads)
refs = [r.strip() for r in open(refs_file) if r.strip()]
POINTS = [(27.5612, 68.2113), (26.9995, 68.0850), (30.1830, 66.9980), (26.0030, 63.0520)]
SERVICES = ["water-supply", "sewerage-drainage", "solid-waste", "street-lights", "roads"]


def call(method, path, body=None, headers=None, form=False):
    data = None
    h = dict(headers or {})
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def report(rng):
    lat, lon = rng.choice(POINTS)
    return {
        "service_code": rng.choice(SERVICES),
        "description": f"Problem number {rng.randrange(10**9)} in our street, please send someone",
        "lat": lat + rng.uniform(-0.01, 0.01),
        "lon": lon + rng.uniform(-0.01, 0.01),
        "phone": f"0300{rng.randrange(10**7):07d}",
    }


def api_post(rng):
    s, b = call("POST", "/api/v1/requests", report(rng))
    if s == 201:
        refs.append(json.loads(b)["reference"])
    return s, {201}


def open311_post(rng):
    r = report(rng)
    form = {"api_key": api_key, "service_code": r["service_code"], "description": r["description"],
            "lat": r["lat"], "long": r["lon"], "phone": r["phone"]}
    return call("POST", "/open311/v2/requests.json", form, form=True)[0], {201}


def ussd_session(rng):
    sid = f"load-{rng.randrange(10**12)}"
    phone = f"+92300{rng.randrange(10**7):07d}"
    status = 200
    for text in ["", "1", "1*1", "1*1*1"]:
        s, _ = call("POST", "/ussd/africastalking",
                    {"sessionId": sid, "phoneNumber": phone, "text": text, "serviceCode": "*384#"},
                    form=True)
        if s != 200:
            status = s
    return status, {200}


def page_report(rng):
    return call("GET", "/?lang=" + rng.choice(["en", "ur", "sd"]))[0], {200}


def page_track(rng):
    return call("GET", "/track/" + rng.choice(refs))[0], {200}


def page_list(rng):
    return call("GET", "/requests?district=PK713")[0], {200}


def staff_queue(rng):
    return call("GET", "/api/v1/staff/tickets", headers={"Authorization": "Bearer " + staff})[0], {200}


def staff_ticket(rng):
    s, _ = call("GET", "/api/v1/staff/tickets/" + rng.choice(refs),
                headers={"Authorization": "Bearer " + staff})
    return s, {200, 404}


def staff_comment(rng):
    s, _ = call("POST", f"/api/v1/staff/tickets/{rng.choice(refs)}/comments",
                {"text": "Team visited, work continues", "public": False},
                headers={"Authorization": "Bearer " + staff})
    return s, {200, 201, 404}


def summary(rng):
    return call("GET", "/api/v1/summaries?district=PK713&by=tehsil,month",
                headers={"Authorization": "Bearer " + evaluator})[0], {200}


def plan(rng):
    return call("GET", "/api/v1/plan?district=PK713",
                headers={"Authorization": "Bearer " + evaluator})[0], {200}


OPS = [(api_post, 10), (open311_post, 10), (ussd_session, 8), (page_report, 10), (page_track, 10),
       (page_list, 5), (staff_queue, 10), (staff_ticket, 10), (staff_comment, 5), (summary, 3),
       (plan, 2)]
NAMES = [f.__name__ for f, _ in OPS]
WEIGHTS = [w for _, w in OPS]
lat = {n: [] for n in NAMES}
bad = {n: {} for n in NAMES}
lock = threading.Lock()
stop_at = time.monotonic() + duration


def worker(seed):
    rng = random.Random(seed)
    while time.monotonic() < stop_at:
        f = rng.choices(OPS, weights=WEIGHTS)[0][0]
        t = time.monotonic()
        try:
            status, ok = f(rng)
        except Exception as e:  # a refused connection or timeout is an unexpected answer
            status, ok = f"error:{type(e).__name__}", set()
        ms = (time.monotonic() - t) * 1000
        with lock:
            lat[f.__name__].append(ms)
            if status not in ok:
                bad[f.__name__][status] = bad[f.__name__].get(status, 0) + 1


ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")


failed = False
print(f"{'operation':<14} {'count':>7} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  unexpected")
for n in NAMES:
    xs = lat[n]
    unexpected = ", ".join(f"{k}×{v}" for k, v in bad[n].items()) or "-"
    failed |= bool(bad[n])
    print(f"{n:<14} {len(xs):>7} {len(xs) / duration:>8.1f} {pct(xs, 50):>8.1f} {pct(xs, 95):>8.1f} "
          f"{pct(xs, 99):>8.1f}  {unexpected}")
total = sum(len(x) for x in lat.values())
print(f"{'all':<14} {total:>7} {total / duration:>8.1f}")
sys.exit(1 if failed else 0)
