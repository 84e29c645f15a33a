#!/usr/bin/env bash
# OpenAPI-driven fuzzing: schemathesis, every check, against a release server on a fresh database.
#   1. installs schemathesis from PyPI into a virtual environment (target/fuzz-venv; reused);
#   2. builds the release binary (SKIP_BUILD=1: use the one already built);
#   3. starts `sahulat serve` on a fresh SQLite database in a temporary folder, on a free
#      127.0.0.1 port, with the abuse limits off (the fuzzer is one client sending thousands of
#      reports), creates a staff account and signs it in (bearer token), and creates an Open311
#      API key;
#   4. runs `st run --checks all` against /openapi.json (the native API, staff token in the
#      Authorization header) and against /open311/v2/openapi.json (Open311 GeoReport v2; the API
#      key is given to the POST as its `api_key` field by scripts/fuzz_hooks.py, which also
#      keeps the rules JSON Schema cannot state in the cases generated as valid — see there);
#      sign-out (DELETE /api/v1/auth/token) runs last, on its own, because it ends the token
#      every other staff case uses;
#   5. prints a summary — cases, failures, 5xx answers, wall time, schemathesis version — and
#      exits non-zero on any failure or any 5xx.
# The case budget (argument 1, default 10000) is spread evenly over the operations (schemathesis
# counts examples per operation); its coverage phase adds the boundary cases on top.
# The server and the temporary folder are removed on exit; reports stay in target/fuzz/.
#
#   bash scripts/fuzz-api.sh            # >= 10,000 cases
#   bash scripts/fuzz-api.sh 1000       # the CI run
# Environment: SKIP_BUILD=1, SEED (schemathesis seed, default 1), WORKERS (default 1: with more,
# hypothesis sometimes fails inside itself, "AST constructor recursion depth mismatch"),
# SCHEMATHESIS_VERSION (pip requirement, default "schemathesis==4.32.5": pinned, because the
# hooks lean on how this version judges a case a hook edits).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUDGET=${1:-10000}
SEED=${SEED:-1}
WORKERS=${WORKERS:-1}
SCHEMATHESIS_VERSION=${SCHEMATHESIS_VERSION:-schemathesis==4.32.5}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/sahulat
VENV=$ROOT/target/fuzz-venv
OUT=$ROOT/target/fuzz

log() { echo "fuzz: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $BUDGET =~ ^[0-9]+$ && $BUDGET -ge 10 ]] || die "the case budget must be a number >= 10 (got $BUDGET)"

# 1. schemathesis
PINNED=${SCHEMATHESIS_VERSION#schemathesis==}
installed() { "$VENV/bin/st" --version 2>/dev/null | awk '{print $NF}'; }
if [[ ! -x $VENV/bin/st ]] || { [[ $PINNED != "$SCHEMATHESIS_VERSION" ]] && [[ $(installed) != "$PINNED" ]]; }; then
  log "installing $SCHEMATHESIS_VERSION into $VENV"
  [[ -x $VENV/bin/pip ]] || python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install -q --disable-pip-version-check "$SCHEMATHESIS_VERSION"
fi
ST_VERSION=$("$VENV/bin/st" --version | awk '{print $NF}')
log "schemathesis $ST_VERSION"

# 2. the binary
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "building the release binary"
  cargo build --release --bin sahulat
fi
[[ -x $BIN ]] || die "$BIN is missing (build it, or unset SKIP_BUILD)"

# 3. a fresh server
WORK=$(mktemp -d /tmp/sahulat-fuzz.XXXXXX)
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
export DATABASE_URL=sqlite://$WORK/fuzz.db
export SAHULAT_FIXTURES=$ROOT/fixtures
export SAHULAT_KEY_FILE=$WORK/sahulat.key
export SAHULAT_MEDIA_DIR=$WORK/media
export SAHULAT_LIMIT_PER_ADDRESS=off SAHULAT_LIMIT_PER_PHONE=off SAHULAT_LIMIT_PER_API_KEY=off
export RUST_LOG=${RUST_LOG:-warn}
rm -rf "$OUT" && mkdir -p "$OUT"

"$BIN" migrate >"$OUT/setup.log" 2>&1 || { cat "$OUT/setup.log" >&2; die "migrate failed"; }
DEPARTMENT=$(python3 -c 'import json,sys; print(next(d["code"] for d in json.load(open(sys.argv[1])) if not d.get("coordinator")))' "$ROOT/fixtures/departments.json")
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
echo "$PASSWORD" | "$BIN" user create --role staff --username fuzz --department "$DEPARTMENT" >>"$OUT/setup.log" 2>&1 \
  || { cat "$OUT/setup.log" >&2; die "user create failed"; }
API_KEY=$("$BIN" apikey create --label fuzz 2>>"$OUT/setup.log" | grep -Eo '[A-Za-z0-9_-]{20,}' | tail -1)
[[ -n $API_KEY ]] || die "apikey create printed no key"

"$BIN" serve --bind "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$OUT/server.log" >&2; die "the server exited"; }
  sleep 0.2
done
curl -fsS "$BASE/readyz" >/dev/null || die "the server is not ready after 30 s"

TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"username\":\"fuzz\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
[[ -n $TOKEN ]] || die "no bearer token"
log "server on $BASE (staff account fuzz of $DEPARTMENT, Open311 API key created)"

# 4. the runs
count_ops() {
  curl -fsS "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for p in d["paths"].values() for m in p if m in ("get","post","put","patch","delete")))'
}
N_NATIVE=$(count_ops "$BASE/openapi.json")
N_OPEN311=$(count_ops "$BASE/open311/v2/openapi.json" 2>/dev/null || echo 0)
N_OPS=$((N_NATIVE + N_OPEN311))
PER_OP=$(( (BUDGET + N_OPS - 1) / N_OPS ))
log "$N_OPS operations ($N_NATIVE native, $N_OPEN311 Open311): up to $PER_OP generated cases each"

export SAHULAT_FUZZ_API_KEY=$API_KEY SAHULAT_FUZZ_BASE=$BASE
export SCHEMATHESIS_HOOKS=fuzz_hooks
export PYTHONPATH=$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}
ST_COMMON=(--checks all --max-examples "$PER_OP" --seed "$SEED" --workers "$WORKERS"
  --request-timeout 35 --no-color --suppress-health-check all --generation-database none
  --report ndjson,junit)
START=$(date +%s)
status=0
run() { # name, schema URL, extra args…
  local name=$1 url=$2; shift 2
  log "run $name"
  # from $OUT, so that schemathesis's own cache folder (.schemathesis/) lands there
  (cd "$OUT" && "$VENV/bin/st" run "$url" "${ST_COMMON[@]}" --report-dir "$OUT/$name" "$@") >"$OUT/$name.txt" 2>&1 || status=1
  tail -n 25 "$OUT/$name.txt" >&2
}
# operation ids are the handlers' names; sign-out ends the token, so it runs on its own, last
run native "$BASE/openapi.json" -H "Authorization: Bearer $TOKEN" --exclude-operation-id sign_out
if [[ $N_OPEN311 -gt 0 ]]; then
  run open311 "$BASE/open311/v2/openapi.json"
fi
run signout "$BASE/openapi.json" -H "Authorization: Bearer $TOKEN" --include-operation-id sign_out
ELAPSED=$(( $(date +%s) - START ))

# 5. the summary
"$VENV/bin/python" "$ROOT/scripts/fuzz_summary.py" "$OUT" "$ELAPSED" "$ST_VERSION" "$BUDGET" "$PER_OP" || status=1
exit $status
