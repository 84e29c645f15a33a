#!/usr/bin/env bash
# Intake load benchmark: how many service requests per second Sahulat stores durably, against
# a bare baseline (examples/intake_baseline.rs) that inserts one row per request with the same
# durability settings. For SQLite and, when available, PostgreSQL:
#   1. builds the release binaries (sahulat, example intake_baseline);
#   2. installs wrk from Debian if missing;
#   3. starts `sahulat serve` on a fresh database, checks each pilot point is accepted, warms up,
#      then runs wrk (-t2 -c64 -d$DURATION --latency) with scripts/load_post.lua against
#      POST /api/v1/requests; then the same against the baseline's POST /requests;
#   4. on PostgreSQL (PG_URL, or the URL printed by scripts/pg-start.sh) the same two runs on
#      freshly created databases sahulat_bench and baseline_bench;
#   5. prints a table (requests/s, p99, non-2xx, socket errors, seconds in which a compiler ran
#      during the run, sahulat/baseline ratio) and writes it to target/load-results.txt; server
#      logs and raw wrk output go to target/load/.
# A run with any non-2xx answer or socket error is marked INVALID: its figure is not a result.
# Traffic goes to 127.0.0.1 only; servers are stopped on exit; every step has a time limit.
# The abuse limits are off for these runs (SAHULAT_LIMIT_PER_ADDRESS/PHONE=off): the load is one
# client address and a few phone numbers, which the limits exist to stop.
#
# Environment: DURATION (seconds, default 20), WARMUP (seconds, default 3), CONNECTIONS (64),
# THREADS (2), WRK_TIMEOUT (10s), PG_URL (postgres://…; default: run scripts/pg-start.sh),
# SKIP_PG=1 (SQLite only), SKIP_BUILD=1 (use the binaries already built), BUILD_TIMEOUT (1800),
# NO_WORKER (1: intake only; 0: the embedded worker triages during the run).
#   DURATION=15 bash scripts/load.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-1800}
# Intake alone by default (the baseline does no background work either); NO_WORKER=0 runs
# Sahulat's embedded worker (triage, SMS) during the load too.
NO_WORKER=${NO_WORKER:-1}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
SAHULAT_BIN=$TARGET_DIR/release/sahulat
BASELINE_BIN=$TARGET_DIR/release/examples/intake_baseline
OUT_DIR=$ROOT/target/load
RESULTS=$ROOT/target/load-results.txt
LUA=$ROOT/scripts/load_post.lua

log() { echo "load: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 600 ]] || die "DURATION must be 1 to 600 seconds"
[[ $WARMUP =~ ^[0-9]+$ && $WARMUP -le 60 ]] || die "WARMUP must be 0 to 60 seconds"

PIDS=()
WORK=$(mktemp -d /tmp/sahulat-load.XXXXXX)
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$OUT_DIR"

# 1. Binaries.
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "building release binaries (at most ${BUILD_TIMEOUT}s)"
  timeout "$BUILD_TIMEOUT" cargo build --release --bin sahulat --example intake_baseline >&2 \
    || die "cargo build failed or timed out"
fi
[[ -x $SAHULAT_BIN && -x $BASELINE_BIN ]] || die "missing $SAHULAT_BIN or $BASELINE_BIN"

# 2. wrk.
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 $sudo apt-get update -qq >&2 || true
  timeout 300 $sudo apt-get install -y -qq wrk >&2 || die "cannot install wrk"
fi

# A port on 127.0.0.1 nobody listens on.
free_port() {
  local p
  for p in $(seq 18080 18380); do
    if [[ -z $(ss -Htln "sport = :$p" 2>/dev/null) ]]; then
      echo "$p"
      return
    fi
  done
  die "no free port in 18080-18380"
}

# start_server NAME PORT ENV... -- CMD...: starts it in the background, sets SERVER_PID and
# waits (at most 90 s) until GET /readyz answers 200.
start_server() {
  local name=$1 port=$2 logf="$OUT_DIR/$1.log"
  shift 2
  env "$@" >"$logf" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 1 180); do
    if curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; then
      log "$name is ready on 127.0.0.1:$port (pid $SERVER_PID)"
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 20 "$logf" >&2
      die "$name exited during start-up (log: $logf)"
    fi
    sleep 0.5
  done
  tail -n 20 "$logf" >&2
  die "$name was not ready after 90 s (log: $logf)"
}

stop_server() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# One POST per pilot point with curl, so a point outside a served district or a body the API
# rejects stops the benchmark with the server's message instead of a wall of 422s.
smoke() {
  local url=$1 pt lat lon code
  for pt in "30.18 66.99" "26.0 63.05" "27.56 68.21" "26.84 68.12" "26.66 68.0"; do
    read -r lat lon <<<"$pt"
    code=$(curl -sS --max-time 10 -o "$WORK/smoke.json" -w '%{http_code}' -H 'Content-Type: application/json' \
      -d "{\"service_code\":\"water-supply\",\"description\":\"Smoke test before the load run\",\"lat\":$lat,\"lon\":$lon,\"phone\":\"03001234567\"}" \
      "$url") || code=000
    [[ $code == 2* ]] || die "smoke POST to $url at ($lat, $lon) answered $code: $(head -c 400 "$WORK/smoke.json")"
  done
}

# Machine load and concurrent compilers (the developer may be building on the same machine).
ctx() { echo "load $(cut -d' ' -f1-3 /proc/loadavg), rustc procs $(pgrep -c -x rustc 2>/dev/null || true)"; }
# Writes one line per second in which a compiler (rustc, cc, ld) was running, until killed.
watch_compilers() {
  while sleep 1; do
    if pgrep -x rustc >/dev/null || pgrep -x cc1 >/dev/null || pgrep -x ld >/dev/null; then echo busy; fi
  done
}

ROWS=()
# bench BACKEND SERVER URL: warm-up (discarded) then the measured run; appends a table row.
bench() {
  local backend=$1 server=$2 url=$3 raw="$OUT_DIR/$1-$2.wrk.txt" before after
  if [[ $WARMUP -gt 0 ]]; then
    timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout "$WRK_TIMEOUT" \
      -s "$LUA" "$url" >"$OUT_DIR/$backend-$server.warmup.txt" 2>&1 || true
  fi
  before=$(ctx)
  log "$backend/$server: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency $url"
  watch_compilers >"$WORK/compilers" &
  local watcher=$!
  PIDS+=("$watcher")
  timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency --timeout "$WRK_TIMEOUT" \
    -s "$LUA" "$url" >"$raw" 2>&1 || die "wrk failed or timed out (output: $raw)"
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  after=$(ctx)
  local busy
  busy=$(wc -l <"$WORK/compilers")
  [[ $busy -gt 0 ]] && log "$backend/$server: a compiler ran during $busy of the ${DURATION} s; the figure is contended"
  local rps p99 non2xx sock sockd wrk_non codes sample valid
  rps=$(awk '$1=="LOAD_RPS"{print $2}' "$raw")
  p99=$(awk '$1=="LOAD_P99_MS"{print $2}' "$raw")
  non2xx=$(awk '$1=="LOAD_NON2XX"{print $2}' "$raw")
  sock=$(awk '$1=="LOAD_SOCKET_ERRORS"{print $2}' "$raw")
  sockd=$(awk '$1=="LOAD_SOCKET_ERRORS"{print $3" "$4" "$5" "$6}' "$raw")
  codes=$(awk '$1=="LOAD_CODES"{$1=""; print substr($0,2)}' "$raw")
  sample=$(awk '$1=="LOAD_SAMPLE"{$1=""; print substr($0,2)}' "$raw")
  [[ -n $rps && -n $p99 && -n $non2xx && -n $sock ]] || die "could not parse wrk output $raw"
  # wrk's own counters, in case the Lua ones missed something.
  wrk_non=$(awk '/Non-2xx or 3xx responses:/{print $NF}' "$raw")
  if grep -q 'Socket errors:' "$raw"; then
    grep 'Socket errors:' "$raw" >&2
  fi
  valid=ok
  if [[ $non2xx -gt 0 || $sock -gt 0 || ${wrk_non:-0} -gt 0 ]]; then
    valid=INVALID
    log "$backend/$server: $non2xx non-2xx (${codes:-?}), wrk non-2xx/3xx ${wrk_non:-0}, socket errors $sock ($sockd)"
    [[ -n $sample ]] && log "  first non-2xx answer: $sample"
  fi
  log "$backend/$server: $rps req/s, p99 $p99 ms, $valid (before: $before; after: $after)"
  ROWS+=("$backend|$server|$rps|$p99|$non2xx|$sock|$valid|$busy|$before -> $after")
}

row_rps() { # BACKEND SERVER
  local r
  for r in "${ROWS[@]}"; do
    IFS='|' read -r b s rps _ <<<"$r"
    [[ $b == "$1" && $s == "$2" ]] && { echo "$rps"; return; }
  done
  return 0 # no such row (e.g. SKIP_PG=1): empty, not a failure under set -e
}

# 3. SQLite.
run_sqlite() {
  local port db
  mkdir -p "$WORK/sqlite-sahulat" "$WORK/sqlite-baseline"
  db="$WORK/sqlite-sahulat/sahulat.db"
  port=$(free_port)
  start_server sqlite-sahulat "$port" DATABASE_URL="sqlite://$db" SAHULAT_BIND="127.0.0.1:$port" SAHULAT_LIMIT_PER_ADDRESS=off SAHULAT_LIMIT_PER_PHONE=off \
    SAHULAT_FIXTURES="$ROOT/fixtures" SAHULAT_NO_WORKER="$NO_WORKER" "$SAHULAT_BIN" serve
  smoke "http://127.0.0.1:$port/api/v1/requests"
  bench sqlite sahulat "http://127.0.0.1:$port/api/v1/requests"
  stop_server "$SERVER_PID"
  log "sqlite/sahulat rows: $(sqlite3 "$db" 'SELECT COUNT(*) FROM service_requests' 2>/dev/null || echo '?') service_requests"

  db="$WORK/sqlite-baseline/baseline.db"
  port=$(free_port)
  start_server sqlite-baseline "$port" DATABASE_URL="sqlite://$db" BIND="127.0.0.1:$port" "$BASELINE_BIN"
  smoke "http://127.0.0.1:$port/requests"
  bench sqlite baseline "http://127.0.0.1:$port/requests"
  stop_server "$SERVER_PID"
  log "sqlite/baseline rows: $(sqlite3 "$db" 'SELECT COUNT(*) FROM baseline_requests' 2>/dev/null || echo '?') baseline_requests"
}

# 4. PostgreSQL.
PG_NOTE=""
pg_db_url() { # URL NAME: the same server and credentials, another database
  local base=${1%%\?*}
  echo "${base%/*}/$2"
}
fresh_pg_db() { # NAME
  psql "$PG_URL" -v ON_ERROR_STOP=1 -qtAc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >&2
  psql "$PG_URL" -v ON_ERROR_STOP=1 -qtAc "CREATE DATABASE $1" >&2
}
run_pg() {
  local port url
  fresh_pg_db sahulat_bench
  fresh_pg_db baseline_bench
  PG_NOTE="postgres $(psql "$PG_URL" -qtAc 'SHOW server_version' | tr -d ' '): synchronous_commit=$(psql "$PG_URL" -qtAc 'SHOW synchronous_commit'), fsync=$(psql "$PG_URL" -qtAc 'SHOW fsync'), wal_sync_method=$(psql "$PG_URL" -qtAc 'SHOW wal_sync_method'), max_connections=$(psql "$PG_URL" -qtAc 'SHOW max_connections')"
  log "$PG_NOTE"

  url=$(pg_db_url "$PG_URL" sahulat_bench)
  port=$(free_port)
  start_server pg-sahulat "$port" DATABASE_URL="$url" SAHULAT_BIND="127.0.0.1:$port" SAHULAT_LIMIT_PER_ADDRESS=off SAHULAT_LIMIT_PER_PHONE=off \
    SAHULAT_FIXTURES="$ROOT/fixtures" SAHULAT_NO_WORKER="$NO_WORKER" "$SAHULAT_BIN" serve
  smoke "http://127.0.0.1:$port/api/v1/requests"
  bench postgres sahulat "http://127.0.0.1:$port/api/v1/requests"
  stop_server "$SERVER_PID"
  log "postgres/sahulat rows: $(psql "$url" -qtAc 'SELECT COUNT(*) FROM service_requests' 2>/dev/null || echo '?') service_requests"

  url=$(pg_db_url "$PG_URL" baseline_bench)
  port=$(free_port)
  start_server pg-baseline "$port" DATABASE_URL="$url" BIND="127.0.0.1:$port" "$BASELINE_BIN"
  smoke "http://127.0.0.1:$port/requests"
  bench postgres baseline "http://127.0.0.1:$port/requests"
  stop_server "$SERVER_PID"
  log "postgres/baseline rows: $(psql "$url" -qtAc 'SELECT COUNT(*) FROM baseline_requests' 2>/dev/null || echo '?') baseline_requests"
}

log "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); $(ctx)"
run_sqlite
if [[ ${SKIP_PG:-0} == 1 ]]; then
  PG_NOTE="postgres skipped (SKIP_PG=1)"
else
  if [[ -z ${PG_URL:-} ]]; then
    log "PG_URL not set; starting the local cluster with scripts/pg-start.sh"
    PG_URL=$(timeout 600 bash scripts/pg-start.sh) || PG_URL=""
  fi
  if [[ -n $PG_URL ]] && command -v psql >/dev/null; then
    run_pg
  else
    PG_NOTE="postgres skipped (no PG_URL and scripts/pg-start.sh failed, or no psql)"
    log "$PG_NOTE"
  fi
fi

# 5. Summary.
{
  echo "Sahulat intake load benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty tree)'); binaries built $(date -u -r "$SAHULAT_BIN" +%Y-%m-%dT%H:%M:%SZ)$([[ ${SKIP_BUILD:-0} == 1 ]] && echo ' (SKIP_BUILD: may predate the tree)')"
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -r); SQLite files on $(df -T "$WORK" | awk 'NR==2{print $2" "$1}')"
  echo "load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency --timeout $WRK_TIMEOUT -s scripts/load_post.lua (after a ${WARMUP}s warm-up); wrk runs on the same machine"
  echo "$PG_NOTE"
  echo
  printf '%-9s %-9s %10s %10s %8s %8s %-8s %9s  %s\n' backend server "req/s" "p99 ms" non-2xx sock-err valid compile-s "context (before -> after)"
  for r in "${ROWS[@]}"; do
    IFS='|' read -r b s rps p99 non sock valid busy c <<<"$r"
    printf '%-9s %-9s %10s %10s %8s %8s %-8s %9s  %s\n' "$b" "$s" "$rps" "$p99" "$non" "$sock" "$valid" "$busy" "$c"
  done
  echo
  for b in sqlite postgres; do
    s=$(row_rps "$b" sahulat)
    base=$(row_rps "$b" baseline)
    if [[ -n $s && -n $base ]]; then
      awk -v b="$b" -v s="$s" -v base="$base" \
        'BEGIN { printf "%s throughput ratio sahulat/baseline: %.2f (%s / %s req/s)\n", b, (base > 0 ? s / base : 0), s, base }'
    fi
  done
  if printf '%s\n' "${ROWS[@]}" | grep -q '|INVALID|'; then
    echo "WARNING: a run had non-2xx answers or socket errors; its figures are not valid (see target/load/)."
  fi
  if printf '%s\n' "${ROWS[@]}" | awk -F'|' '$8 > 0 {found=1} END {exit !found}'; then
    echo "WARNING: a compiler ran during a measured run (compile-s > 0); on a small machine that figure is contended."
  fi
} | tee "$RESULTS"
log "written to $RESULTS; raw wrk output and server logs in $OUT_DIR"
