#!/usr/bin/env bash
# Copies a Sahulat SQLite database (for example a simulated million-request history) into a
# fresh PostgreSQL database, so the same history can be measured on both backends without
# simulating it twice (`sahulat simulate` writes about 4,700 requests a minute on PostgreSQL
# at that size). The target is migrated and given the reference data by `sahulat migrate`,
# then every table with data is copied with COPY (columns by name), the id sequences are moved
# past the copied ids, and the tables are analysed. Contact details stay sealed: the target
# must be used with the same data key as the source.
#
#   scripts/sqlite-to-postgres.sh FILE.db postgres://USER:PASS@HOST/DB
#
# Needs sqlite3 and psql; run from the project root after `cargo build --release`.
set -euo pipefail
src=${1:?usage: scripts/sqlite-to-postgres.sh FILE.db POSTGRES_URL}
dst=${2:?usage: scripts/sqlite-to-postgres.sh FILE.db POSTGRES_URL}
bin=${SAHULAT_BIN:-target/release/sahulat}
[ -f "$src" ] || { echo "no such SQLite file: $src" >&2; exit 1; }
DATABASE_URL=$dst "$bin" migrate >/dev/null 2>&1
# Parents before children (foreign keys); reference tables come from `sahulat migrate`.
tables="users api_keys service_requests request_contacts request_updates request_voices ratings
photos jobs outbox idempotency_keys sessions ussd_sessions sms_inbound inbox_reads innovative_actions"
for t in $tables; do
  n=$(sqlite3 "$src" "SELECT COUNT(*) FROM $t")
  [ "$n" -gt 0 ] || continue
  have=$(psql "$dst" -tAc "SELECT COUNT(*) FROM $t")
  [ "$have" -eq 0 ] || { echo "$t already has $have rows in the target: use a fresh database" >&2; exit 1; }
  pg_cols=$(psql "$dst" -tAc "SELECT column_name FROM information_schema.columns WHERE table_name = '$t' ORDER BY ordinal_position")
  sq_cols=$(sqlite3 "$src" "SELECT name FROM pragma_table_info('$t')")
  cols=$(comm -12 <(sort <<<"$pg_cols") <(sort <<<"$sq_cols") | paste -sd, -)
  start=$(date +%s.%N)
  sqlite3 -csv "$src" "SELECT $cols FROM $t ORDER BY rowid" |
    psql "$dst" -q -c "\\copy $t($cols) FROM STDIN WITH (FORMAT csv)"
  printf '%-20s %9d rows in %5.1f s\n' "$t" "$n" "$(echo "$(date +%s.%N) - $start" | bc)"
  if grep -qx id <<<"$pg_cols"; then
    psql "$dst" -q -tAc "SELECT setval(pg_get_serial_sequence('$t', 'id'), (SELECT MAX(id) FROM $t))" >/dev/null || true
  fi
  psql "$dst" -q -c "ANALYZE $t"
done
echo "copied $src into $dst"
