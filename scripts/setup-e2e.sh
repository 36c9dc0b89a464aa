#!/usr/bin/env bash
# Prepares the end-to-end test (tests/e2e): tauri-driver, WebKitWebDriver, Xvfb, node, axe-core.
# Idempotent: installs tauri-driver only when it is not on PATH (a cargo install takes ~1 min).
# The e2e test itself needs no npm packages (it speaks WebDriver over HTTP with node's fetch);
# only axe-core, which the UI installs in ui/node_modules, is read from there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tauri_driver_version="2.1.0"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

fail() { echo "setup-e2e: $*" >&2; exit 1; }

if ! command -v tauri-driver >/dev/null; then
  echo "setup-e2e: installing tauri-driver $tauri_driver_version (cargo install, ~1 min)"
  cargo install tauri-driver --locked --version "$tauri_driver_version"
fi

# WebKitWebDriver comes from Debian's webkit2gtk-driver (scripts/setup-system.sh).
command -v WebKitWebDriver >/dev/null || fail "WebKitWebDriver missing: run scripts/setup-system.sh (webkit2gtk-driver)"
command -v Xvfb >/dev/null || fail "Xvfb missing: run scripts/setup-system.sh (xvfb)"

command -v node >/dev/null || fail "node missing (need node >= 20 for fetch and node --test)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$node_major" -ge 20 ]] || fail "node $node_major is too old (need >= 20)"

axe="$root/ui/node_modules/axe-core/axe.min.js"
[[ -f "$axe" ]] || fail "axe-core missing: $axe (a dev dependency of ui/: install the UI npm packages, e.g. cd ui && npm ci)"

echo "setup-e2e: ok (tauri-driver $(command -v tauri-driver), WebKitWebDriver $(command -v WebKitWebDriver), node $(node --version))"
