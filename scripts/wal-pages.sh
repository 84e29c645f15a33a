#!/usr/bin/env bash
# Which pages one simulated day writes, by B-tree (table or index). Copies a simulated SQLite
# history, simulates one more day on the copy with the release binary, stops it with SIGKILL as
# soon as that day is committed (so its pages are still in the write-ahead log, not yet
# checkpointed), and maps each page of the log to the B-tree that owns it (SQLite's `dbstat`):
#   bash scripts/wal-pages.sh HISTORY.db [FROM] [BINARY]
# FROM is the simulated day (default: the day after the history's last request); BINARY
# defaults to target/release/sahulat. Each page counts once however often the day wrote it:
# that is what the day's commit writes to the log and a checkpoint writes again. Prints the
# distinct pages and the B-trees with the most of them. Used for BENCHMARKS.md ("The
# simulator: the pages a day writes"). Needs python3 and about the history's size on /tmp.
set -euo pipefail
history=${1:?usage: wal-pages.sh HISTORY.db [FROM] [BINARY]}
bin=${3:-target/release/sahulat}
work=$(mktemp -d /tmp/wal-pages.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cp "$history" "$work/h.db"
[ -f "$history-wal" ] && cp "$history-wal" "$work/h.db-wal"
python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$work/h.db"
from=${2:-$(python3 - "$work/h.db" <<'PY'
import sqlite3, sys, datetime
last = sqlite3.connect(sys.argv[1]).execute("SELECT max(created_at) FROM service_requests").fetchone()[0]
print((datetime.date.fromisoformat(last[:10]) + datetime.timedelta(days=1)).isoformat())
PY
)}
DATABASE_URL="sqlite://$work/h.db" "$bin" simulate --days 3 --requests-per-day 2800 --seed 22 \
  --from "$from" >/dev/null 2>"$work/err" &
pid=$!
until grep -aq "day 1/3" "$work/err" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
  sleep 0.05
done
{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
cp "$work/h.db-wal" "$work/day.wal"
python3 - "$work/h.db" "$work/day.wal" <<'PY'
import collections, sqlite3, struct, sys
db_path, wal_path = sys.argv[1], sys.argv[2]
wal = open(wal_path, "rb").read()
page_size = struct.unpack(">I", wal[8:12])[0]
salt = wal[16:24]
pages, off = set(), 32
while off + 24 + page_size <= len(wal):
    page = struct.unpack(">I", wal[off:off + 4])[0]
    if wal[off + 8:off + 16] != salt:
        break
    pages.add(page)
    off += 24 + page_size
owner, size = {}, collections.Counter()
for name, pageno in sqlite3.connect(db_path).execute("SELECT name, pageno FROM dbstat"):
    owner[pageno] = name
    size[name] += 1
written = collections.Counter(owner.get(p, "(free list)") for p in pages)
print(f"{len(pages)} distinct pages written by the day ({page_size}-byte pages)")
print(f"{'pages':>7} {'of':>8}  B-tree")
for name, n in written.most_common(15):
    print(f"{n:7} {size[name]:8}  {name}")
PY
