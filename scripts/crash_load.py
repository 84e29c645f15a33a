"""The load and the checks of scripts/crash-test.sh (standard library only).

  crash_load.py load  BASE PID CYCLE OUT.json [--clients N] [--min S] [--max S] [--seed N]
      N clients POST /api/v1/requests as fast as they can (about half with an Idempotency-Key);
      after a random MIN..MAX seconds the server PID gets SIGKILL while writes are in flight.
      OUT.json gets every acknowledged request (201: reference, body, key) and every request
      that was in flight when the server died (no answer: allowed to be lost).
  crash_load.py check BASE CYCLE CYCLE.json ALL.jsonl BACKEND DB [--pg-port P --pg-db NAME]
      After the restart: every request acknowledged in this cycle reads back intact over the
      API; a retry with its Idempotency-Key answers the same reference; in-flight requests with
      a key are retried (replayed = it had been stored, unacknowledged); then the database:
      every request acknowledged in ANY cycle so far (ALL.jsonl) is there with its service and
      description, the rows written with it (history, triage job, contact, Idempotency-Key
      answer) are there, and SQLite's integrity_check / PostgreSQL's amcheck pass. This cycle's
      acknowledged requests are then appended to ALL.jsonl.

Exit status 0 when everything held; 1 with one line per failure on stderr, each naming the
cycle, the reference and what was wrong; 2 on a usage or set-up problem. The last line of
stdout is a JSON summary read by crash-test.sh.
"""
import argparse
import csv
import http.client
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

HTTP_TIMEOUT = 10.0
# Points inside the pilot districts (as in scripts/mixed_load.py and tests/it/common PLACES),
# jittered by up to ~1 km so the worker's duplicate search stays small as the database grows.
POINTS = [(27.5612, 68.2113), (26.9995, 68.0850), (30.1830, 66.9980), (26.0030, 63.0520),
          (27.80, 68.29), (26.84, 68.12), (30.21, 67.02)]
# service -> descriptions that name it (so the worker's category check keeps the service).
SERVICES = {
    "water-supply": ["No water in our lane for three days", "نلکے میں پانی نہیں آ رہا، تین دن سے"],
    "sewerage-drainage": ["The drain is blocked and sewage overflows into the street",
                          "گٹر بند ہے اور گلی میں پانی کھڑا ہے"],
    "solid-waste": ["Garbage has not been collected for a week", "کچرا ایک ہفتے سے نہیں اٹھایا گیا"],
    "roads": ["A big pothole in the road near the school", "سڑک میں بڑا گڑھا ہے، اسکول کے پاس"],
}


def fail_usage(msg):
    print(f"crash_load: {msg}", file=sys.stderr)
    sys.exit(2)


def split_base(base):
    if not base.startswith("http://"):
        fail_usage(f"BASE must be http://HOST:PORT, not {base}")
    host, _, port = base[len("http://"):].rstrip("/").partition(":")
    return host, int(port or 80)


def request(addr, method, path, body=None, headers=None):
    """One request on a fresh connection. Returns (status, headers dict, body bytes); raises
    OSError / http.client.HTTPException when the connection fails."""
    conn = http.client.HTTPConnection(addr[0], addr[1], timeout=HTTP_TIMEOUT)
    try:
        h = {"Connection": "close"}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn.request(method, path, body=data, headers=h)
        res = conn.getresponse()
        payload = res.read()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, payload
    finally:
        conn.close()


def make_body(rng, cycle, client, n):
    service = rng.choice(sorted(SERVICES))
    lat, lon = rng.choice(POINTS)
    body = {
        "service_code": service,
        "description": f"{rng.choice(SERVICES[service])} (crash test, cycle {cycle}, client {client}, "
                       f"#{n}, {uuid.uuid4().hex[:12]})",
        "lat": round(lat + rng.uniform(-0.01, 0.01), 6),
        "lon": round(lon + rng.uniform(-0.01, 0.01), 6),
        "language": rng.choice(["en", "ur", "sd"]),
    }
    if rng.random() < 0.75:  # most with a phone: their contact row is checked
        body["phone"] = f"0300{rng.randrange(10**7):07d}"
        if rng.random() < 0.5:
            body["name"] = rng.choice(["Ayesha Bhutto", "Ghulam Nabi", "عائشہ", "Naz Baloch"])
    return body


# ---------------------------------------------------------------------------------- load


def cmd_load(a):
    addr = split_base(a.base)
    seed = a.seed if a.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    run_for = rng.uniform(a.min, a.max)
    # Set just before the SIGKILL: the kill closes every socket at once, and a client that sees
    # its connection reset before the main thread marks the kill must not call that a failure
    # "before the kill" (it raced the marking; seen once in 200 cycles on a busy machine).
    killing = threading.Event()
    killed = threading.Event()
    lock = threading.Lock()
    acked, in_flight, errors = [], [], []
    busy = [0]  # clients inside a POST right now
    posted = [0]
    started = time.monotonic()

    def client(i):
        crng = random.Random(f"{seed}-{i}")
        n = 0
        while not killed.is_set():
            n += 1
            body = make_body(crng, a.cycle, i, n)
            key = str(uuid.uuid4()) if crng.random() < 0.5 else None
            raw = json.dumps(body).encode()
            headers = {"Idempotency-Key": key} if key else {}
            with lock:
                busy[0] += 1
                posted[0] += 1
            try:
                status, _, payload = request(addr, "POST", "/api/v1/requests", raw, headers)
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    busy[0] -= 1
                    if killing.is_set():
                        in_flight.append({"body": body, "key": key, "error": type(e).__name__})
                    else:
                        errors.append(f"POST failed before the kill: {type(e).__name__}: {e}")
                return
            with lock:
                busy[0] -= 1
            if status == 201:
                try:
                    ref = json.loads(payload)["reference"]
                except (ValueError, KeyError):
                    with lock:
                        errors.append(f"201 without a reference: {payload[:200]!r}")
                    return
                with lock:
                    acked.append({"reference": ref, "body": body, "key": key,
                                  "after_kill": killed.is_set()})
            else:
                with lock:
                    errors.append(f"POST answered {status} (expected 201): {payload[:300]!r}; "
                                  f"body {body}")
                return

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(a.clients)]
    for t in threads:
        t.start()
    time.sleep(run_for)
    with lock:
        busy_at_kill = busy[0]
        acked_before_kill = len(acked)
    killing.set()
    os.kill(a.pid, signal.SIGKILL)
    killed.set()
    for t in threads:
        t.join(HTTP_TIMEOUT + 5)
    stuck = sum(t.is_alive() for t in threads)
    if stuck:
        errors.append(f"{stuck} clients still waiting {HTTP_TIMEOUT + 5:.0f} s after the kill")
    with lock:
        out = {
            "cycle": a.cycle, "seed": seed, "ran_s": round(run_for, 3),
            "posted": posted[0], "acked": acked, "in_flight": in_flight,
            "busy_at_kill": busy_at_kill, "acked_before_kill": acked_before_kill,
            "errors": errors,
        }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
    for e in errors:
        print(f"cycle {a.cycle}: load: {e}", file=sys.stderr)
    summary = {"posted": out["posted"], "acked": len(acked), "in_flight": len(in_flight),
               "busy_at_kill": busy_at_kill, "ran_s": out["ran_s"], "seed": seed,
               "elapsed_s": round(time.monotonic() - started, 3)}
    print(json.dumps(summary))
    # No writes in flight at the kill would make the cycle prove little: say so, but it is not
    # a durability failure.
    return 1 if errors else 0


# --------------------------------------------------------------------------------- check


class Db:
    """Read-only queries on the backend; every query returns a list of tuples of strings."""

    def __init__(self, backend, db, pg_port, pg_db):
        self.backend, self.db, self.pg_port, self.pg_db = backend, db, pg_port, pg_db

    def rows(self, sql):
        if self.backend == "sqlite":
            con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
            try:
                return [tuple("" if v is None else str(v) for v in r) for r in con.execute(sql)]
            finally:
                con.close()
        out = subprocess.run(
            ["psql", self.db, "-X", "-v", "ON_ERROR_STOP=1", "-q", "--csv", "-t", "-c", sql],
            capture_output=True, timeout=120, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.decode(errors='replace').strip()}")
        return [tuple(r) for r in csv.reader(io.StringIO(out.stdout.decode(), newline=""))]

    def superuser(self, sql):
        """PostgreSQL as the `postgres` OS user (amcheck needs a superuser)."""
        out = subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-X", "-p", str(self.pg_port), "-d",
             self.pg_db, "-v", "ON_ERROR_STOP=1", "-qtA", "-c", sql],
            capture_output=True, timeout=300, check=False, cwd="/")
        if out.returncode != 0:
            raise RuntimeError(f"psql as postgres failed: {out.stderr.decode(errors='replace').strip()}")
        return out.stdout.decode().strip()


def cmd_check(a):
    addr = split_base(a.base)
    started = time.monotonic()
    with open(a.cycle_file, encoding="utf-8") as f:
        cycle = json.load(f)
    failures = []

    def fail(ref, what):
        failures.append(f"cycle {a.cycle}: reference {ref or '-'}: {what}")

    acked = cycle["acked"]
    previous = {}
    if os.path.exists(a.all_file):
        with open(a.all_file, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    previous[r["reference"]] = r
    seen = {}
    for r in acked:
        ref = r["reference"]
        if ref in seen or ref in previous:
            fail(ref, "the same reference was acknowledged for two posts "
                      f"({(seen.get(ref) or previous[ref])['body']['description']!r} and "
                      f"{r['body']['description']!r})")
        seen[ref] = r

    # 1. Every acknowledged request of this cycle reads back intact over the API.
    def read_back(r):
        ref, body = r["reference"], r["body"]
        try:
            status, _, payload = request(addr, "GET", f"/api/v1/requests/{ref}")
        except (OSError, http.client.HTTPException) as e:
            return ref, f"GET failed: {type(e).__name__}: {e}"
        if status == 404:
            return ref, (f"LOST: acknowledged with 201 but GET answers 404 after the restart "
                         f"(sent {body})")
        if status != 200:
            return ref, f"GET answered {status}: {payload[:200]!r}"
        v = json.loads(payload)
        for field in ("service_code", "description"):
            if v.get(field) != body[field]:
                return ref, f"{field} is {v.get(field)!r}, was sent as {body[field]!r}"
        if v.get("reference") != ref:
            return ref, f"GET answered reference {v.get('reference')!r}"
        return ref, None

    # 2. A retry with the same Idempotency-Key and body answers the same reference.
    def retry(r):
        ref, body, key = r["reference"], r["body"], r["key"]
        try:
            status, headers, payload = request(addr, "POST", "/api/v1/requests",
                                               json.dumps(body).encode(), {"Idempotency-Key": key})
        except (OSError, http.client.HTTPException) as e:
            return ref, f"retry with Idempotency-Key {key} failed: {type(e).__name__}: {e}"
        if status != 201:
            return ref, f"retry with Idempotency-Key {key} answered {status}: {payload[:200]!r}"
        got = json.loads(payload).get("reference")
        if got != ref:
            return ref, (f"DUPLICATE: retry with Idempotency-Key {key} answered reference {got}, "
                         f"not the acknowledged {ref}")
        if headers.get("idempotent-replayed") != "true":
            return ref, f"retry with Idempotency-Key {key} lacks Idempotent-Replayed: true"
        return ref, None

    # 3. In-flight requests that carried a key: was it stored although nobody heard?
    def retry_in_flight(r):
        try:
            status, headers, payload = request(addr, "POST", "/api/v1/requests",
                                               json.dumps(r["body"]).encode(),
                                               {"Idempotency-Key": r["key"]})
        except (OSError, http.client.HTTPException) as e:
            return None, f"retry of an in-flight request failed: {type(e).__name__}: {e}"
        if status != 201:
            return None, f"retry of an in-flight request answered {status}: {payload[:200]!r}"
        return (headers.get("idempotent-replayed") == "true"), None

    with_key = [r for r in acked if r["key"]]
    flight_keys = [r for r in cycle["in_flight"] if r["key"]]
    stored_unacked = 0
    with ThreadPoolExecutor(max_workers=a.threads) as pool:
        for ref, what in pool.map(read_back, acked):
            if what:
                fail(ref, what)
        for ref, what in pool.map(retry, with_key):
            if what:
                fail(ref, what)
        for replayed, what in pool.map(retry_in_flight, flight_keys):
            if what:
                fail(None, what)
            elif replayed:
                stored_unacked += 1

    # 4. The database.
    db = Db(a.backend, a.db, a.pg_port, a.pg_db)
    pg = a.backend == "postgres"
    try:
        db_checks(db, pg, a, acked, previous, seen, fail)
    except (RuntimeError, sqlite3.Error, subprocess.TimeoutExpired) as e:
        fail(None, f"database check could not run: {e}")

    if not failures:
        with open(a.all_file, "a", encoding="utf-8") as f:
            for r in acked:
                f.write(json.dumps({"reference": r["reference"], "body": r["body"],
                                    "key": r["key"]}, ensure_ascii=False) + "\n")
    for line in failures:
        print(line, file=sys.stderr)
    print(json.dumps({"checked": len(acked), "retried": len(with_key),
                      "in_flight_with_key": len(flight_keys),
                      "in_flight_stored": stored_unacked,
                      "all_checked": len(previous) + len(seen),
                      "failures": len(failures),
                      "elapsed_s": round(time.monotonic() - started, 3)}))
    return 1 if failures else 0


def db_checks(db, pg, a, acked, previous, seen, fail):
    payload_id = ("(j.payload->>'request_id')::bigint" if pg
                  else "json_extract(j.payload, '$.request_id')")
    response_ref = "(k.response->>'reference')" if pg else "json_extract(k.response, '$.reference')"
    # Every request acknowledged so far (any cycle) is in the table with what was sent.
    stored = {r[0]: r for r in db.rows(
        "SELECT reference, service_code, description FROM service_requests")}
    for ref, r in list(previous.items()) + list(seen.items()):
        row = stored.get(ref)
        if row is None:
            fail(ref, "LOST: acknowledged but not in service_requests "
                      f"(sent {r['body']})")
        elif row[1] != r["body"]["service_code"] or row[2] != r["body"]["description"]:
            fail(ref, f"stored as ({row[1]!r}, {row[2]!r}), sent as "
                      f"({r['body']['service_code']!r}, {r['body']['description']!r})")
    # The rows written in the same transaction as the request.
    for what, sql in [
        ("has no history row (request_updates)",
         "SELECT r.reference FROM service_requests r WHERE NOT EXISTS "
         "(SELECT 1 FROM request_updates u WHERE u.request_id = r.id)"),
        ("has no 'submitted' history row",
         "SELECT r.reference FROM service_requests r WHERE NOT EXISTS "
         "(SELECT 1 FROM request_updates u WHERE u.request_id = r.id AND u.status = 'submitted')"),
        ("has no triage job",
         # NOT IN (subquery): one pass over jobs (a hashed set), not a scan per request
         f"SELECT r.reference FROM service_requests r WHERE r.id NOT IN "
         f"(SELECT {payload_id} FROM jobs j WHERE j.kind = 'triage')"),
        ("is named by an Idempotency-Key answer but not stored",
         f"SELECT {response_ref} FROM idempotency_keys k WHERE k.status_code = 201 AND NOT EXISTS "
         f"(SELECT 1 FROM service_requests r WHERE r.reference = {response_ref})"),
    ]:
        for (ref, *_) in db.rows(sql):
            fail(ref, what)
    for (n,) in db.rows("SELECT count(*) FROM idempotency_keys WHERE status_code <> 201"):
        if n != "0":
            fail(None, f"{n} Idempotency-Key rows without a 201 answer (a claim without its request)")
    for (n,) in db.rows("SELECT count(*) FROM request_contacts c WHERE NOT EXISTS "
                        "(SELECT 1 FROM service_requests r WHERE r.id = c.request_id)"):
        if n != "0":
            fail(None, f"{n} contact rows without their request")
    # Contacts: every acknowledged request sent with a phone has its contact row.
    no_contact = {r[0] for r in db.rows(
        "SELECT r.reference FROM service_requests r WHERE NOT EXISTS "
        "(SELECT 1 FROM request_contacts c WHERE c.request_id = r.id AND c.phone IS NOT NULL "
        "AND c.phone_hash IS NOT NULL)")}
    for ref, r in seen.items():
        if "phone" in r["body"] and ref in no_contact:
            fail(ref, "was sent with a phone but has no contact row (request_contacts)")
    # Idempotency-Key answers of this cycle's acknowledged requests.
    keys = {}
    for key, ref in db.rows(f"SELECT k.key, {response_ref} FROM idempotency_keys k"):
        keys[key] = ref
    for ref, r in seen.items():
        if r["key"] and keys.get(r["key"]) != ref:
            fail(ref, f"Idempotency-Key {r['key']} is stored for {keys.get(r['key'])!r}")
    # Structure.
    if pg:
        # bt_index_check raises on the first inconsistency; heapallindexed also checks that
        # every heap row is in the index. The count says how many indexes were checked.
        try:
            n = db.superuser(
                "SELECT count(*) FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace "
                "JOIN pg_am am ON am.oid = c.relam WHERE ns.nspname = 'public' AND am.amname = 'btree' "
                "AND i.indisready AND i.indisvalid) s")
        except RuntimeError as e:
            fail(None, f"amcheck bt_index_check: {e}")
        else:
            if not n.isdigit() or int(n) < 10:
                fail(None, f"amcheck: only {n!r} btree indexes checked in the public schema")
    else:
        out = subprocess.run(["sqlite3", a.db, "PRAGMA integrity_check"], capture_output=True,
                             timeout=300, check=False)
        text = out.stdout.decode().strip()
        if out.returncode != 0 or text != "ok":
            fail(None, f"PRAGMA integrity_check: {text or out.stderr.decode().strip()}")
        fk = db.rows("PRAGMA foreign_key_check")
        if fk:
            fail(None, f"PRAGMA foreign_key_check: {fk[:5]}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    lo = sub.add_parser("load")
    lo.add_argument("base")
    lo.add_argument("pid", type=int)
    lo.add_argument("cycle", type=int)
    lo.add_argument("out")
    lo.add_argument("--clients", type=int, default=12)
    lo.add_argument("--min", type=float, default=0.3)
    lo.add_argument("--max", type=float, default=2.0)
    lo.add_argument("--seed", type=int)
    ch = sub.add_parser("check")
    ch.add_argument("base")
    ch.add_argument("cycle", type=int)
    ch.add_argument("cycle_file")
    ch.add_argument("all_file")
    ch.add_argument("backend", choices=["sqlite", "postgres"])
    ch.add_argument("db", help="SQLite file, or the PostgreSQL URL")
    ch.add_argument("--pg-port", type=int, default=5432)
    ch.add_argument("--pg-db", default="sahulat_crash")
    ch.add_argument("--threads", type=int, default=8)
    a = p.parse_args()
    sys.exit(cmd_load(a) if a.cmd == "load" else cmd_check(a))


if __name__ == "__main__":
    main()
