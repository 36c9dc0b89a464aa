#!/usr/bin/env bash
# make bench: builds nothing itself (make bench builds first) and runs the benchmark binary.
# Output: Markdown tables on stdout, the figures as JSON in bench/out/bench.json and
# bench/out/documents.json. `--documents-only` (make bench-documents) runs the document part alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/bench/out"
cd "$root"
bin="${CARGO_TARGET_DIR:-$HOME/.cache/schreibstube/target}/release"
if [[ "${1:-}" == "--documents-only" ]]; then
  "$bin/schreibstube-bench-documents" --json bench/out/documents.json | tee bench/out/documents.md
  exit 0
fi
"$bin/schreibstube-bench" --json bench/out/bench.json "$@" | tee bench/out/bench.md
# Document extraction: a binary of its own (no model), a few seconds.
"$bin/schreibstube-bench-documents" --json bench/out/documents.json | tee bench/out/documents.md
# The case-file summary (issue 4): batched vs one-by-one map step and prompt-prefix reuse on a
# generated 30-page PDF.
"$bin/schreibstube-bench-summary" --json bench/out/summary.json | tee bench/out/summary.md
