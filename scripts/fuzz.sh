#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that take outside input (cargo fuzz, libFuzzer, nightly):
#   open311_form     an Open311 POST form body, parsed, mapped and validated
#   ussd_path        a USSD gateway's text and the stored path, walked through the menus; an SMS
#   fixture_loaders  a damaged fixture file (population, lexicon, routing, services, ...)
#   photo_decoder    any bytes offered as a photo (decode, re-encode, GPS)
# Usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, every target)
# Installs the nightly toolchain and cargo-fuzz if missing. Seeds come from fuzz/seeds/TARGET
# (kept in git); what libFuzzer learns goes to fuzz/corpus/TARGET (not kept). A crash stops the
# run with libFuzzer's report and leaves the input in fuzz/artifacts/TARGET/: turn it into a
# regression test (tests/it/fuzz_regressions.rs or the domain's unit tests), then fix it.
# Prints, per target, the executions, the coverage reached and the time.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(open311_form ussd_path fixture_loaders photo_decoder)

if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

cd fuzz
cargo +nightly fuzz build -O 2>&1 | tail -1
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "seeds/$t"
  log=$(mktemp)
  start=$(date +%s)
  if ! cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$SECS" -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "FAILED: $t found a crash; the input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
  echo "$t: $runs executions in $(( $(date +%s) - start )) s, coverage $cov edges, no crash"
  rm -f "$log"
done
