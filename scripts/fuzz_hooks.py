"""Schemathesis hooks for scripts/fuzz-api.sh (loaded through SCHEMATHESIS_HOOKS=fuzz_hooks).

The OpenAPI documents state every constraint JSON Schema can express (patterns, ranges,
lengths, required fields, which place fields go together). A few rules cannot be written in JSON
Schema, and the documents say them in words instead:

- a reference's last digit is a Damm check digit of the first eight;
- catalogue values must exist: service codes, districts (pilot ones for the figures), tehsils,
  SDG targets a service speaks to, and a report's point must lie in a district that accepts
  requests; a report's `attributes` (Open311: `attribute[CODE]`) must be the chosen service's
  questions;
- date windows: `from` on or before `to`, under 3660 days apart, and `from` alone is counted up
  to today (Open311: `start_date`/`end_date` at most 90 days apart); `by` holds at most one
  period;
- an Idempotency-Key may be used again only with the same body;
- a photo's body must be a picture Sahulat can decode (a JPEG, PNG or WebP), which the
  schema's `format: binary` cannot say: a valid photo case is sent a real picture (as the
  transport's `data`, so that schemathesis still counts the case valid), and an
  invalid one that carries a picture anyway (schemathesis marks a binary body invalid without
  changing it) is sent bytes that are none;
- a staff action names the text its action needs (`note` to resolve; `reason` to close without
  a fix, reject or reopen; `responsible` for not_responsible), and a `template` must fit the
  ticket and the action: a valid action case gets the text it lacks and no template. A valid
  `refer` or `mark_duplicate` needs another department of the ticket's district or another open
  ticket of the queue, which the hooks cannot name: those valid cases are not generated.

A case schemathesis generated as *valid* (positive mode) that breaks one of these is made to
keep it here, before it is sent — so that the positive_data_acceptance check tests the API's
behaviour on valid input instead of flagging these rules. Invalid (negative) cases are sent as
generated. Every check still runs on every case.

Also: Open311's POST requests carries its API key in the form body (`api_key`), as GeoReport v2
says; a generated string `api_key` is replaced by the key the script created. A valid Open311
POST loses the fields the document does not declare (see `fix_open311_post`). Two schemathesis
quirks are handled: a case marked valid whose body was generated invalid is marked invalid
(`consistent_mode`), and repeated query parameters are not generated (`filter_case`); neither
are invalid Open311 `GET requests` cases with well-formed references, whose other parameters
GeoReport v2 says to ignore.
"""

import base64
import datetime
import json
import os
import random
import re
import urllib.request
import uuid

import schemathesis

API_KEY = os.environ.get("SAHULAT_FUZZ_API_KEY", "")
BASE = os.environ.get("SAHULAT_FUZZ_BASE", "")

DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
]
PERIODS = {"day", "week", "month", "quarter", "year"}
# Points in the pilot districts (Larkana, Quetta, Kech, Naushahro Feroze); checked against
# /api/v1/locate when the hooks load.
POINTS = [(27.56, 68.21), (30.18, 66.99), (26.0, 63.05), (27.8, 68.29), (26.84, 68.12),
          (26.66, 68.0), (30.21, 67.02), (29.8, 66.85)]


def _get(path):
    with urllib.request.urlopen(BASE + path, timeout=10) as r:
        return json.load(r)


class Catalogue:
    def __init__(self):
        services = _get("/api/v1/services")
        districts = _get("/api/v1/districts")
        self.services = [s["code"] for s in services]
        self.targets = {s["code"]: s["sdg_targets"] for s in services}
        self.pilots = [d for d in districts if d["is_pilot"]]
        self.served = [d for d in districts if d["accepts_requests"]]
        self.points = [p for p in POINTS
                       if _get(f"/api/v1/locate?lat={p[0]}&lon={p[1]}")["accepts_requests"]]

    def pilot_tehsil(self, districts=None):
        pool = [(t["code"], d["code"]) for d in self.pilots
                if districts is None or d["code"] in districts for t in d["tehsils"]]
        return random.choice(pool)

    def served_tehsil(self):
        return random.choice([(t["code"], d["code"]) for d in self.served for t in d["tehsils"]])


_CAT = None

# A real 1×1 PNG (what a valid photo case sends; the API decodes every picture it keeps).
PICTURE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4kWIEAANWAV/oF4RSAAAAAElFTkSuQmCC")


def cat():
    global _CAT
    if _CAT is None and BASE:
        _CAT = Catalogue()
    return _CAT


def damm(digits):
    interim = 0
    for c in digits:
        interim = DAMM[interim][int(c)]
    return interim


def valid_reference(value):
    digits = re.sub(r"[^0-9]", "", value)[:8].rjust(8, "1")
    return digits + str(damm(digits))


def is_positive(case):
    meta = getattr(case, "meta", None)
    try:
        return bool(meta and meta.generation.mode.is_positive)
    except AttributeError:
        return False


# What Rust's `str::trim` takes for whitespace (Python's `str.strip` takes more, e.g. U+001F).
RUST_WS = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"


def present(d, key):
    v = d.get(key) if isinstance(d, dict) else None
    return isinstance(v, str) and v.strip(RUST_WS) != ""


def fix_dates(q):
    today = datetime.date.today()
    has_from, has_to = present(q, "from"), present(q, "to")
    if not (has_from or has_to):
        return
    start = today - datetime.timedelta(days=random.randint(0, 900))
    end = min(today, start + datetime.timedelta(days=random.randint(0, 400)))
    if has_from:
        q["from"] = start.isoformat()
    if has_to:
        q["to"] = end.isoformat()


def fix_evidence_query(q):
    c = cat()
    fix_dates(q)
    districts = None
    if present(q, "district"):
        chosen = random.sample(c.pilots, random.randint(1, 2))
        q["district"] = ",".join(random.choice([d["code"], d["name"]]) for d in chosen)
        districts = [d["code"] for d in chosen]
    if present(q, "province"):
        q["province"] = random.choice(["PK2", "PK7", "Sindh", "Balochistan"])
    if present(q, "tehsil"):
        q["tehsil"], _ = c.pilot_tehsil(districts)
    if present(q, "service"):
        q["service"] = random.choice(c.services)
        if present(q, "sdg") and c.targets[q["service"]]:
            q["sdg"] = random.choice(c.targets[q["service"]])
        elif present(q, "sdg"):
            del q["sdg"]
    elif present(q, "sdg"):
        q["sdg"] = random.choice([t for ts in c.targets.values() for t in ts])
    if present(q, "by"):
        words, seen_period = [], False
        for w in (x.strip() for x in q["by"].split(",")):
            if w in PERIODS:
                if seen_period:
                    continue
                seen_period = True
            words.append(w)
        q["by"] = ",".join(words)


def fix_plan_query(q):
    fix_evidence_query(q)
    d = random.choice(cat().pilots)
    q["district"] = random.choice([d["code"], d["name"]])


def fix_new_request(body):
    c = cat()
    body["service_code"] = random.choice(c.services)
    body["attributes"] = {}
    if isinstance(body.get("lat"), (int, float)) and isinstance(body.get("lon"), (int, float)):
        body["lat"], body["lon"] = random.choice(c.points)
        return
    tehsil, district = c.served_tehsil()
    if present(body, "tehsil"):
        body["tehsil"] = tehsil
    if present(body, "district"):
        body["district"] = district


def consistent_mode(case):
    """A case schemathesis marks valid although one of its parts was generated invalid (its
    coverage phase does this for some header scenarios, with a placeholder body such as `0`) is
    marked invalid, as its parts say."""
    meta = getattr(case, "meta", None)
    try:
        parts = meta.components.values()
        if meta.generation.mode.is_positive and any(c.mode.is_negative for c in parts):
            meta.generation.mode = next(c.mode for c in parts if c.mode.is_negative)
    except AttributeError:
        pass


def fix_open311_window(q):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    start = now - datetime.timedelta(days=random.randint(1, 80), minutes=random.randint(0, 999))
    end = min(now, start + datetime.timedelta(days=random.randint(0, 9)))
    if present(q, "start_date"):
        q["start_date"] = start.isoformat()
    if present(q, "end_date"):
        q["end_date"] = end.isoformat()


def fix_open311_query(path, q):
    fix_open311_window(q)
    if present(q, "service_request_id"):
        items = [x for x in q["service_request_id"].split(",") if x.strip(RUST_WS)]
        q["service_request_id"] = ",".join(valid_reference(x) for x in items)
    if path.startswith("/open311/v2/requests") and present(q, "service_code"):
        n = len([x for x in q["service_code"].split(",") if x.strip(RUST_WS)])
        q["service_code"] = ",".join(random.choice(cat().services) for _ in range(n))


OPEN311_FIELDS = {"api_key", "service_code", "lat", "long", "address_string", "description",
                  "first_name", "last_name", "phone", "email", "media_url", "lang", "tehsil",
                  "district"}


def fix_open311_post(body):
    c = cat()
    if present(body, "service_code"):
        body["service_code"] = random.choice(c.services)
    # Other fields: `attribute[CODE]` must be the service's questions, a random `media` is no
    # picture, and undeclared names may hold control characters a multipart part's header
    # cannot carry ("failed to read headers"); the form ignores the rest anyway.
    for k in [k for k in body if k not in OPEN311_FIELDS]:
        del body[k]
    if isinstance(body.get("lat"), (int, float)) and isinstance(body.get("long"), (int, float)):
        body["lat"], body["long"] = random.choice(c.points)
        return
    tehsil, district = c.served_tehsil()
    if present(body, "tehsil"):
        body["tehsil"] = tehsil
    if present(body, "district"):
        body["district"] = district


# The text each staff action needs (lifecycle: `need`).
ACTION_TEXT = {"resolve": "note", "close_not_fixed": "reason", "reject": "reason",
               "reopen": "reason", "not_responsible": "responsible"}
ACTION_PATH = "/api/v1/staff/tickets/{reference}/actions"


def fix_action(body):
    body.pop("template", None)
    field = ACTION_TEXT.get(body.get("action"))
    if field and not present(body, field):
        body[field] = "Checked on site; details in the ticket"


def is_picture(body):
    return isinstance(body, (bytes, bytearray)) and (
        body.startswith(b"\x89PNG") or body.startswith(b"\xff\xd8") or body.startswith(b"RIFF"))


@schemathesis.hook
def before_call(context, case, kwargs):
    consistent_mode(case)
    path = case.operation.path
    if path.startswith("/open311/"):
        body = case.body
        if API_KEY and isinstance(body, dict) and isinstance(body.get("api_key"), str):
            body["api_key"] = API_KEY
    if path.endswith("/photos") and case.method.upper() == "POST" and not is_positive(case) \
            and is_picture(case.body):
        case.body = b"not a picture"
    if not is_positive(case) or cat() is None:
        return
    if path == ACTION_PATH and case.method.upper() == "POST" and isinstance(case.body, dict):
        fix_action(case.body)
    params = case.path_parameters or {}
    for name in ("reference",):
        if isinstance(params.get(name), str):
            params[name] = valid_reference(params[name])
    query = case.query if isinstance(case.query, dict) else None
    if query is not None:
        if path in ("/api/v1/summaries", "/api/v1/open-data/requests"):
            fix_evidence_query(query)
        elif path == "/api/v1/plan":
            fix_plan_query(query)
        elif path in ("/open311/v2/requests.{format}", "/open311/v2/servicerequestupdates.{format}"):
            fix_open311_query(path, query)
    if path.endswith("/photos") and case.method.upper() == "POST":
        # given to the transport, not written into the case: schemathesis re-judges a body a
        # `before_call` hook edits, takes any edited binary body for invalid, and would then
        # flag the API for accepting this valid picture whenever the ticket exists
        kwargs["data"] = PICTURE
    if path == "/api/v1/requests" and case.method.upper() == "POST" and isinstance(case.body, dict):
        fix_new_request(case.body)
    if path == "/open311/v2/requests.{format}" and case.method.upper() == "POST" \
            and isinstance(case.body, dict):
        fix_open311_post(case.body)
    headers = case.headers if hasattr(case.headers, "keys") else None
    for name in list(headers.keys() if headers is not None else []):
        if name.lower() == "idempotency-key":
            # one key per body: a resend of the same body is a replay, another body a new key
            body = json.dumps(case.body, default=str)  # in the order it is sent: the API hashes the bytes
            headers[name] = str(uuid.uuid5(uuid.NAMESPACE_URL, body))


@schemathesis.hook
def filter_case(context, case):
    """No repeated query parameters. The API reads the first non-empty value of a parameter
    and ignores empty ones (as Open311 clients expect), which a parameter's schema cannot say;
    schemathesis would send `limit=&limit=` as an invalid `limit`, which the API rightly takes
    as no limit at all."""
    query = case.query if isinstance(case.query, dict) else {}
    if any(isinstance(v, list) for v in query.values()):
        return False
    body = case.body if isinstance(case.body, dict) else {}
    if case.operation.path == ACTION_PATH and is_positive(case) \
            and body.get("action") in ("refer", "mark_duplicate"):
        return False
    # Open311 GET requests: with service_request_id "every other parameter is ignored"
    # (GeoReport v2), so an invalid value of another one is not refused; a parameter schema
    # cannot make the others depend on it. An invalid case whose references are well formed
    # is therefore not generated.
    if case.operation.path == "/open311/v2/requests.{format}" and not is_positive(case) \
            and well_formed_references(query.get("service_request_id")):
        return False
    return True


def well_formed_references(value):
    if not isinstance(value, str) or not value.strip(RUST_WS):
        return False
    ws = re.escape(RUST_WS)
    item = re.compile(f"[{ws}]*|[{ws}-]*(?:[0-9][{ws}-]*){{9}}")
    return all(item.fullmatch(x) for x in value.split(","))
