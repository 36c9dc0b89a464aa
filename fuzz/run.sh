#!/usr/bin/env bash
# `make fuzz`: every document reader under libFuzzer for a bounded time, seeded with the test
# fixtures. Not part of `make test` (it takes minutes and builds with sanitizers).
#   FUZZ_SECONDS   seconds per target (default 30)
#   FUZZ_TARGETS   space-separated subset (default: all, see fuzz/fuzz_targets/)
#   FUZZ_PANICS=1  count panics that the app contains as findings too
# Crashes land in fuzz/artifacts/<target>/; the exit code is 1 if any target found one.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-30}"
targets="${FUZZ_TARGETS:-pdf docx odt xlsx ods msg eml rtf csv html text extract}"
# Its own build folder: sanitizer flags must not invalidate the app's build cache.
fuzz_target_dir="${FUZZ_TARGET_DIR:-$HOME/.cache/schreibstube/fuzz-target}"

echo "fuzz: writing seed corpora from the test fixtures"
rm -rf fuzz/seeds
SCHREIBSTUBE_FUZZ_SEEDS="$PWD/fuzz/seeds" cargo test --release --workspace --test documents -q -- \
  --ignored --exact write_fuzz_seeds >/dev/null
scans="$(mktemp -d)"
trap 'rm -rf "$scans"' EXIT
tests/fixtures/make-scans.sh "$scans" >/dev/null
cp "$scans"/scan-*.pdf fuzz/seeds/pdf/

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# cargo-fuzz needs -Z flags (sanitizer, coverage); this lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
unset CARGO_TARGET_DIR
cd fuzz
failed=()
for t in $targets; do
  mkdir -p "corpus/$t"
  echo "fuzz: $t for ${secs}s"
  if ! cargo fuzz run "$t" --target-dir "$fuzz_target_dir" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$secs" -rss_limit_mb=2048 -timeout=20 -max_len=1048576 -print_final_stats=1 \
      2> "corpus/$t.log"; then
    failed+=("$t")
    echo "fuzz: $t FOUND A CRASH (see fuzz/corpus/$t.log and fuzz/artifacts/$t/)"
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "corpus/$t.log" | tr '\n' ' ' || true
  echo
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: crashes in ${failed[*]}"
  exit 1
fi
echo "fuzz: no crashes in $targets"
