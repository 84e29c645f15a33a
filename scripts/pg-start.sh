#!/usr/bin/env bash
# Starts a local PostgreSQL cluster (installing Debian's server package if missing), creates the
# role `sahulat` (password `sahulat`) and the database `sahulat_test`, and prints the URL:
#   export TEST_DATABASE_URL=$(bash scripts/pg-start.sh)
# Safe to run twice. Used by .ci/run and by scripts/load.sh.
set -euo pipefail
log() { echo "pg-start: $*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  log "creating cluster $version/main"
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "starting cluster $version/main"
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  su postgres -c "psql -p $port -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qtA" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sahulat') THEN
    CREATE ROLE sahulat LOGIN PASSWORD 'sahulat' CREATEDB;
  END IF;
END \$\$;
SQL
# Each test creates its own database (sahulat_t_*); drop those left by earlier runs so a
# machine that runs the suite often does not fill its disk. (Compared by prefix, not LIKE:
# in LIKE '_' matches any character, and 'sahulat_test' itself would match.)
su postgres -c "psql -p $port -qtAc \"select datname from pg_database where left(datname, 10) = 'sahulat_t_'\"" |
  while read -r db; do
    [ -n "$db" ] && su postgres -c "dropdb -p $port --if-exists '$db'" >&2
  done
if ! su postgres -c "psql -p $port -qtAc \"select 1 from pg_database where datname='sahulat_test'\"" | grep -q 1; then
  su postgres -c "createdb -p $port -O sahulat sahulat_test" >&2
fi
echo "postgres://sahulat:sahulat@127.0.0.1:$port/sahulat_test"
