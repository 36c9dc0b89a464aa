#!/usr/bin/env bash
# make bench: builds nothing itself (make bench builds first) and runs the benchmark binary.
# Output: a Markdown table on stdout, the figures as JSON in bench/out/bench.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/bench/out"
cd "$root"
"${CARGO_TARGET_DIR:-$HOME/.cache/schreibstube/target}/release/schreibstube-bench" --json bench/out/bench.json "$@" | tee bench/out/bench.md
# The case-file summary (issue 4): throughput and prompt-prefix reuse on a generated 30-page PDF.
"${CARGO_TARGET_DIR:-$HOME/.cache/schreibstube/target}/release/schreibstube-bench-summary" --json bench/out/summary.json | tee bench/out/summary.md
