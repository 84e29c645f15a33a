#!/usr/bin/env bash
# Crash test: an acknowledged request survives a SIGKILL of the server.
#
# Usage: bash scripts/crash-test.sh [CYCLES] [sqlite|postgres|both]        (100, both)
#
# Per backend, on a fresh database (SQLite: a file in a temp folder; PostgreSQL: the cluster of
# scripts/pg-start.sh, a database sahulat_crash created here and dropped on exit), each cycle:
#   1. `sahulat serve` is up (/readyz answers 200);
#   2. CRASH_CLIENTS (12) parallel clients POST /api/v1/requests (about half with an
#      Idempotency-Key) and, after a random 0.3–2 s, the server gets `kill -9` while writes are in
#      flight (scripts/crash_load.py load);
#   3. the server is restarted on the same database and scripts/crash_load.py check verifies:
#      every request acknowledged with 201 reads back with the service and description sent; a
#      retry with its Idempotency-Key and body answers the same reference (no duplicate); every
#      request acknowledged in any earlier cycle is still stored as sent; each request's history
#      row, triage job, contact row (when sent with a phone) and Idempotency-Key answer are
#      there; SQLite: `PRAGMA integrity_check` is ok and `PRAGMA foreign_key_check` empty;
#      PostgreSQL: amcheck's bt_index_check (heapallindexed) passes on every btree index of the
#      public schema. The restarted server carries the next cycle's load.
# Requests in flight at the kill (posted, never answered) may be lost: they are counted, not
# failures. Any failure stops the run with the cycle, the reference and what was wrong, exit 1;
# the temp folder (server logs, SQLite file, load records) is then kept for a post-mortem.
#
# Builds `target/release/sahulat` (or under CARGO_TARGET_DIR) once if it is missing or older
# than the sources. Abuse limits are off (one client address). Every step has a time limit;
# servers are stopped and the PostgreSQL database dropped on exit, also on failure or Ctrl-C.
# Environment: CRASH_CLIENTS (12), CRASH_MIN_SECS (0.3), CRASH_MAX_SECS (2), CRASH_SEED (random:
# cycle i of a backend uses CRASH_SEED+i, printed so a run can be repeated).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CYCLES=${1:-100}
WHICH=${2:-both}
CLIENTS=${CRASH_CLIENTS:-12}
MIN_SECS=${CRASH_MIN_SECS:-0.3}
MAX_SECS=${CRASH_MAX_SECS:-2}
SEED=${CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
READY_SECS=60      # a start (migrate, reference data, WAL recovery) must answer /readyz within this
LOAD_LIMIT=60      # the load of one cycle, kill included
CHECK_LIMIT=900    # the checks of one cycle
PG_LIMIT=120       # any psql / pg-start step
BUILD_LIMIT=3600

log() { echo "[crash-test] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }
[[ $CYCLES =~ ^[1-9][0-9]*$ ]] || { log "CYCLES must be a positive number, not '$CYCLES'"; exit 2; }
case $WHICH in sqlite | postgres | both) ;; *) log "backend must be sqlite, postgres or both, not '$WHICH'"; exit 2 ;; esac

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/sahulat
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sahulat-crash.XXXXXX")
SERVER=
PG_ADMIN=
PG_DB=sahulat_crash
STATUS=1
cleanup() {
  local rc=$?
  if [[ -n $SERVER ]]; then
    kill -9 "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=
  fi
  if [[ -n $PG_ADMIN ]]; then
    timeout "$PG_LIMIT" psql "$PG_ADMIN" -Xqc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 ||
      log "could not drop the database $PG_DB: drop it by hand"
  fi
  if [[ $STATUS -eq 0 ]]; then
    rm -rf "$WORK"
  else
    log "kept $WORK (server logs, load records, SQLite file) for a post-mortem; remove it when done"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# --- the binary ------------------------------------------------------------------------------
sources=(domain store api worker src fixtures migrations Cargo.toml Cargo.lock)
[[ -f build.rs ]] && sources+=(build.rs)
if [[ ! -x $BIN ]] || [[ -n $(find "${sources[@]}" -newer "$BIN" -type f -print -quit) ]]; then
  log "building the release binary ($BIN)"
  timeout "$BUILD_LIMIT" cargo build --release --bin sahulat -q || die "cargo build --release failed"
fi
[[ -x $BIN ]] || die "no binary at $BIN (is CARGO_TARGET_DIR right?)"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts `sahulat serve` on the current DATABASE_URL and a fresh port; sets SERVER and BASE.
start_server() {
  local name=$1 port
  port=$(free_port)
  export SAHULAT_BIND=127.0.0.1:$port
  BASE=http://$SAHULAT_BIND
  echo "--- start (cycle $2) $(date +%T.%N)" >>"$WORK/$name.server.log"
  "$BIN" serve >>"$WORK/$name.server.log" 2>&1 &
  SERVER=$!
  local deadline=$((SECONDS + READY_SECS))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/readyz" 2>/dev/null) == 200 ]]; do
    if ! kill -0 "$SERVER" 2>/dev/null; then
      wait "$SERVER" 2>/dev/null || true
      SERVER=
      tail -n 30 "$WORK/$name.server.log" >&2
      die "$name, cycle $2: the server exited during start (log above)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$WORK/$name.server.log" >&2
      die "$name, cycle $2: /readyz did not answer 200 within $READY_SECS s (log above)"
    fi
    sleep 0.1
  done
}

field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d[sys.argv[2]])' "$1" "$2"; }

# run_backend NAME DATABASE_URL CHECK_DB [check options...]
run_backend() {
  local name=$1 url=$2 checkdb=$3
  shift 3
  local started=$SECONDS cycle load check rc
  export DATABASE_URL=$url SAHULAT_FIXTURES=$ROOT/fixtures SAHULAT_KEY_FILE=$WORK/$name.key \
    SAHULAT_MEDIA_DIR=$WORK/$name.media RUST_LOG=warn \
    SAHULAT_LIMIT_PER_ADDRESS=off SAHULAT_LIMIT_PER_PHONE=off
  : >"$WORK/$name.acked.jsonl"
  : >"$WORK/$name.cycles.jsonl"
  log "$name: $CYCLES cycles, $CLIENTS clients, kill after ${MIN_SECS}–${MAX_SECS} s, seed $SEED"
  start_server "$name" 1
  for ((cycle = 1; cycle <= CYCLES; cycle++)); do
    rc=0
    load=$(timeout "$LOAD_LIMIT" python3 scripts/crash_load.py load "$BASE" "$SERVER" "$cycle" \
      "$WORK/$name.cycle-$cycle.json" --clients "$CLIENTS" --min "$MIN_SECS" --max "$MAX_SECS" \
      --seed $((SEED + cycle)) | tail -n 1) || rc=$?
    # The server is dead (SIGKILL from the load; make sure even if the load failed).
    kill -9 "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=
    ((rc == 0)) || die "$name, cycle $cycle: the load failed (exit $rc; see above)"
    start_server "$name" "$cycle"
    rc=0
    check=$(timeout "$CHECK_LIMIT" python3 scripts/crash_load.py check "$BASE" "$cycle" \
      "$WORK/$name.cycle-$cycle.json" "$WORK/$name.acked.jsonl" "$name" "$checkdb" "$@" | tail -n 1) || rc=$?
    if ((rc != 0)); then
      [[ $rc -eq 124 ]] && log "the checks took longer than $CHECK_LIMIT s"
      die "$name, cycle $cycle: the checks failed (exit $rc; each failure above names its reference); load seed $((SEED + cycle))"
    fi
    echo "{\"load\": $load, \"check\": $check}" >>"$WORK/$name.cycles.jsonl"
    log "$name cycle $cycle/$CYCLES: killed after $(field "$load" ran_s) s with $(field "$load" busy_at_kill) writes in flight;" \
      "acknowledged $(field "$load" acked) of $(field "$load" posted) posted, all read back" \
      "($(field "$check" retried) key retries, same reference); stored so far $(field "$check" all_checked) ok"
    rm -f "$WORK/$name.cycle-$cycle.json"
  done
  kill -TERM "$SERVER" 2>/dev/null || true
  timeout 30 tail --pid="$SERVER" -f /dev/null || kill -9 "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=
  python3 - "$name" "$WORK/$name.cycles.jsonl" $((SECONDS - started)) >>"$WORK/summary.txt" <<'PY'
import json, sys
name, path, secs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(l) for l in open(path) if l.strip()]
s = lambda part, k: sum(r[part][k] for r in rows)
quiet = sum(1 for r in rows if r["load"]["busy_at_kill"] == 0)
print(f"{name}: {len(rows)} cycles; {s('load', 'posted')} requests posted; "
      f"{s('check', 'checked')} acknowledged requests checked (all present and intact, "
      f"{s('check', 'retried')} Idempotency-Key retries answered the same reference); "
      f"{s('load', 'in_flight')} in flight at the kill and unanswered (allowed; of the "
      f"{s('check', 'in_flight_with_key')} with a key, {s('check', 'in_flight_stored')} had been stored); "
      f"{s('load', 'busy_at_kill')} writes in flight at the kills"
      + (f" ({quiet} cycles killed with none in flight)" if quiet else "")
      + f"; failures 0; {secs} s")
PY
}

: >"$WORK/summary.txt"
if [[ $WHICH == sqlite || $WHICH == both ]]; then
  command -v sqlite3 >/dev/null || {
    log "installing sqlite3"
    timeout 600 apt-get install -y -qq sqlite3 >&2 || { timeout 600 apt-get update -qq >&2 && timeout 600 apt-get install -y -qq sqlite3 >&2; }
  }
  run_backend sqlite "sqlite://$WORK/crash.db" "$WORK/crash.db"
fi
if [[ $WHICH == postgres || $WHICH == both ]]; then
  PG_ADMIN=$(timeout 600 bash scripts/pg-start.sh) || die "scripts/pg-start.sh failed"
  pg_port=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).port or 5432)' "$PG_ADMIN")
  PGOPTIONS="-c client_min_messages=warning" timeout "$PG_LIMIT" psql "$PG_ADMIN" -Xqc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
  timeout "$PG_LIMIT" psql "$PG_ADMIN" -Xqc "CREATE DATABASE $PG_DB" >/dev/null || die "could not create the database $PG_DB"
  # amcheck needs a superuser: the postgres OS user (the cluster of scripts/pg-start.sh).
  timeout "$PG_LIMIT" runuser -u postgres -- psql -X -p "$pg_port" -d "$PG_DB" -qc 'CREATE EXTENSION IF NOT EXISTS amcheck' >/dev/null ||
    die "could not create the amcheck extension in $PG_DB as the postgres OS user"
  run_backend postgres "${PG_ADMIN%/*}/$PG_DB" "${PG_ADMIN%/*}/$PG_DB" --pg-port "$pg_port" --pg-db "$PG_DB"
fi
echo "== crash test: SIGKILL under write load, then restart and check ($(nproc) cores) =="
cat "$WORK/summary.txt"
STATUS=0
