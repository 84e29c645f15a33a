#!/usr/bin/env bash
# Page weight of the citizen pages, as a phone on 2G pays for them: each page's HTML and the
# CSS and script it loads, raw and gzip-compressed (what Sahulat sends to a browser that asks,
# as every browser does), and the tap map of each pilot district.
#   bash scripts/page-weight.sh            # builds the debug binary if needed
# Starts `sahulat serve` on a fresh SQLite database in a temporary folder (port 18091), posts
# one report so the track and list pages have something to show, prints a table, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18091}
work=$(mktemp -d /tmp/sahulat-weight.XXXXXX)
cargo build -q
DATABASE_URL="sqlite://$work/s.db" SAHULAT_KEY_FILE="$work/key" SAHULAT_MEDIA_DIR="$work/media" \
  SAHULAT_BIND="127.0.0.1:$PORT" RUST_LOG=warn ./target/debug/sahulat serve >"$work/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
ref=$(curl -sf -X POST "$base/api/v1/requests" -H 'Content-Type: application/json' \
  -d '{"service_code":"water-supply","description":"No water for three days","lat":27.56,"lon":68.21,"language":"ur"}' |
  sed -E 's/.*"reference":"([0-9]+)".*/\1/')
size() { curl -s -o /dev/null -w '%{size_download}' "$@"; }
row() { # name url
  printf '%-34s %8s %8s\n' "$1" "$(size "$base$2")" "$(size -H 'Accept-Encoding: gzip' "$base$2")"
}
printf '%-34s %8s %8s\n' "what" "raw B" "gzip B"
assets=$(curl -s "$base/report" | grep -o '/static/[a-z.]*?v=[0-9a-f]*' | sort -u)
for lang in en ur sd; do
  row "report page HTML ($lang)" "/report?lang=$lang"
done
for a in $assets; do row "  + ${a%%\?*}" "$a"; done
total_raw=0; total_gz=0
for u in "/report?lang=ur" $assets; do
  total_raw=$((total_raw + $(size "$base$u"))); total_gz=$((total_gz + $(size -H 'Accept-Encoding: gzip' "$base$u")))
done
printf '%-34s %8s %8s\n' "report page total, Urdu (no map)" "$total_raw" "$total_gz"
for d in PK226 PK211 PK713 PK717; do row "tap map $d.svg" "/report/map/$d.svg"; done
for lang in en ur; do
  row "confirmation ($lang)" "/report/done/$ref?lang=$lang"
  row "track page ($lang)" "/track/$ref?lang=$lang"
  row "recent reports ($lang)" "/requests?lang=$lang&district=PK713"
done
