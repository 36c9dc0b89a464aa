#!/usr/bin/env bash
# Checks the e2e harness itself without the app: runs tests/e2e/run.sh with WebKitGTK's MiniBrowser
# (shipped in libwebkit2gtk-4.1-0, so always next to WebKitWebDriver) showing fixture/index.html,
# a stand-in that implements the DOM contract of docs/ipc.md with fake streaming.
# Usage: tests/e2e/selftest.sh [OUT_DIR]   (default tests/e2e/out/selftest)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shopt -s nullglob
browsers=(/usr/lib/*/webkit2gtk-4.1/MiniBrowser)
[[ ${#browsers[@]} -gt 0 ]] || { echo "selftest: WebKitGTK MiniBrowser not found (libwebkit2gtk-4.1-0)" >&2; exit 1; }

# MiniBrowser accepts automation sessions only with --automation, and then starts on about:blank.
export E2E_APP_ARGS='["--automation"]'
export E2E_START_URL="file://$here/fixture/index.html"
exec "$here/run.sh" "${browsers[0]}" "${1:-$here/out/selftest}"
