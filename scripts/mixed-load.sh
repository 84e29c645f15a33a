#!/usr/bin/env bash
# Mixed load on a release server, SQLite then PostgreSQL: citizens reporting over the native
# API and Open311, USSD sessions, citizen pages, staff queue/ticket/comments, evaluator
# summaries and plan input, at once (scripts/mixed_load.py). Prints per operation the count,
# throughput and p50/p95/p99, and the server's peak RSS (VmHWM), into target/mixed-load.txt.
# Usage: bash scripts/mixed-load.sh [SECONDS] [THREADS] [sqlite|postgres|both]   (60, 8, both)
# The abuse limits are off for the run (one client address, few phones). PostgreSQL: the
# cluster of scripts/pg-start.sh, a database sahulat_mixed created and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECS=${1:-60}
THREADS=${2:-8}
WHICH=${3:-both}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/sahulat
OUT=$TARGET_DIR/mixed-load.txt
WORK=$(mktemp -d)
SERVER=
PG_ADMIN=
cleanup() {
  [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  if [[ -n $PG_ADMIN ]]; then
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS sahulat_mixed WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[mixed-load] $*" >&2; }

if [[ ! -x $BIN ]] || [[ -n $(find domain store api worker src fixtures -newer "$BIN" -type f | head -1) ]]; then
  log "building the release binary"
  cargo build --release --bin sahulat -q
fi
PASSWORD=mixed-load-password-1

run_backend() {
  local name=$1 url=$2 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export DATABASE_URL=$url SAHULAT_FIXTURES=$ROOT/fixtures SAHULAT_KEY_FILE=$WORK/$name.key \
    SAHULAT_MEDIA_DIR=$WORK/media SAHULAT_BIND=127.0.0.1:$port RUST_LOG=warn \
    SAHULAT_LIMIT_PER_ADDRESS=off SAHULAT_LIMIT_PER_PHONE=off SAHULAT_LIMIT_PER_API_KEY=off
  "$BIN" migrate 2>/dev/null
  echo "$PASSWORD" | "$BIN" user create --role staff --username load.staff --department phed-larkana 2>/dev/null
  echo "$PASSWORD" | "$BIN" user create --role evaluator --username load.eval 2>/dev/null
  local key
  key=$("$BIN" apikey create --label load 2>/dev/null)
  "$BIN" serve >"$WORK/$name.log" 2>&1 &
  SERVER=$!
  local base=http://127.0.0.1:$port
  for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
  token() {
    curl -sf "$base/api/v1/auth/token" -H 'content-type: application/json' \
      -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
  }
  local staff evaluator
  staff=$(token load.staff)
  evaluator=$(token load.eval)
  # Fifty Larkana water reports to track and work on.
  : >"$WORK/refs"
  for i in $(seq 1 50); do
    curl -sf "$base/api/v1/requests" -H 'content-type: application/json' \
      -d "{\"service_code\":\"water-supply\",\"description\":\"No water in lane $i since Monday\",\"lat\":27.56$i,\"lon\":68.21,\"phone\":\"0300$(printf %07d "$i")\"}" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["reference"])' >>"$WORK/refs"
  done
  sleep 2
  log "$name: $SECS s, $THREADS threads against $base"
  local rc=0
  python3 scripts/mixed_load.py "$base" "$SECS" "$THREADS" "$staff" "$evaluator" "$key" "$WORK/refs" \
    >"$WORK/$name.table" || rc=$?
  local hwm
  hwm=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$SERVER/status")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  {
    echo "## $name ($(nproc) cores, $SECS s, $THREADS client threads on the same machine; server peak RSS $hwm)"
    cat "$WORK/$name.table"
    echo
  } | tee -a "$OUT"
  return $rc
}

: >"$OUT"
status=0
if [[ $WHICH == sqlite || $WHICH == both ]]; then
  run_backend sqlite "sqlite://$WORK/mixed.db" || status=1
fi
if [[ $WHICH == postgres || $WHICH == both ]]; then
  PG_ADMIN=$(bash scripts/pg-start.sh)
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS sahulat_mixed WITH (FORCE)" >/dev/null
  psql "$PG_ADMIN" -qc "CREATE DATABASE sahulat_mixed" >/dev/null
  run_backend postgres "${PG_ADMIN%/*}/sahulat_mixed" || status=1
fi
log "table in $OUT"
exit $status
