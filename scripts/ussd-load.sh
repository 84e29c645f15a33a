#!/usr/bin/env bash
# USSD step latency under load: 200 concurrent USSD sessions (CONNECTIONS, default 200) posting
# Africa's Talking callbacks to `sahulat serve` (release build, SQLite and PostgreSQL), each
# session walking the whole report menu and storing a request at its last step
# (scripts/ussd_step.lua). Two runs per backend: "paced", each session taking its next step
# PACE_MS (1000) after the answer (a caller reading and typing — still far quicker than people),
# and "saturated", every session stepping again at once (the server's ceiling). Prints p50, p99
# and max of one step, steps/s and the END count (one per request made), and writes them to
# target/ussd-load-results.txt. A run with any non-200 answer or socket error is INVALID.
#
# Environment: DURATION (seconds, default 20), CONNECTIONS (200), THREADS (2), PACE_MS (1000),
# SKIP_PG=1, SKIP_BUILD=1, PG_URL (default: scripts/pg-start.sh).
#   DURATION=20 bash scripts/ussd-load.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-200}
THREADS=${THREADS:-2}
PACE_MS=${PACE_MS:-1000}
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/sahulat
OUT_DIR=$ROOT/target/ussd-load
RESULTS=$ROOT/target/ussd-load-results.txt
LUA=$ROOT/scripts/ussd_step.lua
log() { echo "ussd-load: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 600 ]] || die "DURATION must be 1 to 600"

PIDS=()
WORK=$(mktemp -d /tmp/sahulat-ussd.XXXXXX)
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$OUT_DIR"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "building the release binary"
  timeout 1800 cargo build --release --bin sahulat >&2 || die "cargo build failed"
fi
[[ -x $BIN ]] || die "missing $BIN"
command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2 || die "cannot install wrk"; }

free_port() {
  for p in $(seq 18400 18700); do
    [[ -z $(ss -Htln "sport = :$p" 2>/dev/null) ]] && { echo "$p"; return; }
  done
  die "no free port"
}

start() { # NAME DATABASE_URL: serve it (worker off: the step alone is measured); sets PORT
  PORT=$(free_port)
  env DATABASE_URL="$2" SAHULAT_BIND="127.0.0.1:$PORT" SAHULAT_LIMIT_PER_ADDRESS=off SAHULAT_LIMIT_PER_PHONE=off SAHULAT_FIXTURES="$ROOT/fixtures" \
    SAHULAT_NO_WORKER=1 SAHULAT_KEY_FILE="$WORK/$1.key" SAHULAT_MEDIA_DIR="$WORK/media" \
    SAHULAT_USSD_SESSIONS_PER_HOUR=1000 SAHULAT_USSD_REQUESTS_PER_DAY=1000 \
    "$BIN" serve >"$OUT_DIR/$1.log" 2>&1 &
  SERVER=$!
  PIDS+=("$SERVER")
  for _ in $(seq 1 180); do
    curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && return 0
    kill -0 "$SERVER" 2>/dev/null || die "$1 exited (log: $OUT_DIR/$1.log)"
    sleep 0.5
  done
  die "$1 not ready"
}

ROWS=()
bench() { # NAME PACE_MS
  local raw="$OUT_DIR/$1-$2.wrk.txt" url="http://127.0.0.1:$PORT/ussd/africastalking"
  # One session by hand first: a broken menu stops the run with its screen.
  local first
  first=$(curl -sS --max-time 5 -d 'sessionId=smoke&phoneNumber=%2B923001234567&text=' "$url")
  [[ $first == CON* ]] || die "$1: the first screen is not CON: $first"
  PACE_MS=$2 SESSIONS=$((CONNECTIONS / THREADS)) timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" \
    -d"${DURATION}s" --latency --timeout 10s -s "$LUA" "$url" >"$raw" 2>&1 || die "wrk failed ($raw)"
  local p50 p99 max sps ends bad sock valid=ok
  p50=$(awk '$1=="USSD_P50_MS"{print $2}' "$raw"); p99=$(awk '$1=="USSD_P99_MS"{print $2}' "$raw")
  max=$(awk '$1=="USSD_MAX_MS"{print $2}' "$raw"); sps=$(awk '$1=="USSD_STEPS_PER_S"{print $2}' "$raw")
  ends=$(awk '$1=="USSD_END"{print $2}' "$raw"); bad=$(awk '$1=="USSD_BAD"{print $2}' "$raw")
  sock=$(awk '$1=="USSD_SOCKET_ERRORS"{print $2}' "$raw")
  [[ -n $p99 ]] || die "could not read $raw"
  [[ $bad -gt 0 || $sock -gt 0 ]] && { valid=INVALID; log "$1: $bad non-200, $sock socket errors: $(grep USSD_SAMPLE "$raw" || true)"; }
  local mode="paced ${2} ms"
  [[ $2 == 0 ]] && mode=saturated
  log "$1 ($mode): p50 $p50 ms, p99 $p99 ms, max $max ms, $sps steps/s, $ends sessions ended, $valid"
  ROWS+=("$1|$mode|$p50|$p99|$max|$sps|$ends|$valid")
}

start sqlite "sqlite://$WORK/ussd.db"
bench sqlite "$PACE_MS"
bench sqlite 0
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true

if [[ ${SKIP_PG:-0} != 1 ]]; then
  PG_URL=${PG_URL:-$(bash scripts/pg-start.sh)}
  psql "$PG_URL" -qtAc "DROP DATABASE IF EXISTS sahulat_ussd_bench WITH (FORCE)" >&2
  psql "$PG_URL" -qtAc "CREATE DATABASE sahulat_ussd_bench" >&2
  base=${PG_URL%%\?*}
  start postgres "${base%/*}/sahulat_ussd_bench"
  bench postgres "$PACE_MS"
  bench postgres 0
  kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true
  psql "$PG_URL" -qtAc "DROP DATABASE IF EXISTS sahulat_ussd_bench WITH (FORCE)" >&2 || true
fi

{
  echo "USSD step under $CONNECTIONS concurrent sessions, ${DURATION}s, $(nproc) cores, $(date -u +%F)"
  echo "| backend | steps | p50 ms | p99 ms | max ms | steps/s | sessions completed | valid |"
  echo "|---|---|---|---|---|---|---|---|"
  for r in "${ROWS[@]}"; do IFS='|' read -r b m a c d e f g <<<"$r"; echo "| $b | $m | $a | $c | $d | $e | $f | $g |"; done
} | tee "$RESULTS"
