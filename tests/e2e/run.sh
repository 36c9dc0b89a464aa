#!/usr/bin/env bash
# Runs the end-to-end test (tests/e2e/app.test.mjs) against the built app in its real webview:
# private D-Bus session bus, Xvfb, tauri-driver (which starts WebKitWebDriver, which starts the app).
# Logs land next to the screenshots: app.log (the app's stdout/stderr), tauri-driver.log (with
# WebKitWebDriver's), xvfb.log, dbus.log.
#
# Usage: tests/e2e/run.sh APP_BINARY [OUT_DIR]     (OUT_DIR default: tests/e2e/out, git-ignored)
# Env:   E2E_PORT / E2E_NATIVE_PORT  tauri-driver / WebKitWebDriver ports (default 4444 / 4445,
#                                    or free ones when those are taken)
#        E2E_APP_ARGS                JSON array of extra app arguments (used by selftest.sh)
#        E2E_START_URL               page to open first (only selftest.sh: the app loads its own UI)
#        E2E_TIMEOUT                 seconds for the whole node test (default 900)
#        SCHREIBSTUBE_MODELS         models folder for the app (default <repo>/models)
# Needs: scripts/setup-system.sh, scripts/setup-e2e.sh, scripts/fetch-model.sh done.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 APP_BINARY [OUT_DIR]" >&2; exit 2; }
app="$(realpath -e "$1" 2>/dev/null)" || { echo "e2e: app binary not found: $1" >&2; exit 2; }
[[ -x "$app" ]] || { echo "e2e: not executable: $app" >&2; exit 2; }
out="$(realpath -m "${2:-$here/out}")"
mkdir -p "$out"
# Only what this script and the test write, so that any OUT_DIR is safe.
rm -f "$out"/{start,streamed}.png "$out"/failure-*.png "$out"/{app,tauri-driver,xvfb,dbus}.log

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
for tool in Xvfb tauri-driver WebKitWebDriver node; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool not found: run scripts/setup-system.sh and scripts/setup-e2e.sh" >&2; exit 1; }
done

log() { echo "[e2e] $*"; }
xvfb_pid="" driver_pid="" dbus_pid="" keyring_pid="" state_dir=""
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # tauri-driver runs in its own process group (setsid) with WebKitWebDriver and the app:
  # TERM the whole group, then KILL whatever is left after a grace period.
  if [[ -n "$driver_pid" ]] && kill -0 -- "-$driver_pid" 2>/dev/null; then
    kill -TERM -- "-$driver_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$driver_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$driver_pid" 2>/dev/null || true
  fi
  if [[ -n "$xvfb_pid" ]]; then kill -TERM "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
  if [[ -n "$keyring_pid" ]]; then kill -TERM "$keyring_pid" 2>/dev/null || true; wait "$keyring_pid" 2>/dev/null || true; fi
  if [[ -n "$dbus_pid" ]]; then kill -TERM -- "-$dbus_pid" 2>/dev/null || true; wait "$dbus_pid" 2>/dev/null || true; fi
  [[ -z "$state_dir" ]] || rm -rf "$state_dir"
  if [[ $rc -ne 0 ]]; then
    for f in app.log tauri-driver.log; do
      [[ -s "$out/$f" ]] || continue
      echo "[e2e] last lines of $out/$f:" >&2
      tail -n 30 "$out/$f" >&2
    done
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# No GPU under Xvfb: Mesa's software GL without probing for hardware. Deliberately NOT set:
# WEBKIT_DISABLE_DMABUF_RENDERER / WEBKIT_DISABLE_COMPOSITING_MODE, with which WebKitGTK 2.50's
# WebDriver screenshots hang once the page has repainted (measured; the defaults work under Xvfb).
export LIBGL_ALWAYS_SOFTWARE=1 NO_AT_BRIDGE=1

# Fresh XDG folders: the app and WebKit start without state from earlier runs or the user.
state_dir="$(mktemp -d "${TMPDIR:-/tmp}/schreibstube-e2e.XXXXXX")"
export XDG_CONFIG_HOME="$state_dir/config" XDG_DATA_HOME="$state_dir/data" \
  XDG_CACHE_HOME="$state_dir/cache" XDG_STATE_HOME="$state_dir/state" XDG_RUNTIME_DIR="$state_dir/run"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export SCHREIBSTUBE_MODELS="${SCHREIBSTUBE_MODELS:-$root/models}"
# Exports ("Als DOCX speichern") land in the output folder, where the test reads them back.
export SCHREIBSTUBE_EXPORT_DIR="$out/exports"
rm -rf "$SCHREIBSTUBE_EXPORT_DIR"

# A private session bus (GTK/WebKit talk to portals, a11y and later the keyring over it), started
# after the XDG exports so that services it activates use the fresh folders too; its chatter goes to
# dbus.log. Own process group, so cleanup takes the activated services along.
setsid dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$state_dir/bus" >"$out/dbus.log" 2>&1 &
dbus_pid=$!
for _ in $(seq 100); do [[ -s "$state_dir/bus" ]] && break; kill -0 "$dbus_pid" 2>/dev/null || break; sleep 0.1; done
[[ -s "$state_dir/bus" ]] || { echo "e2e: dbus-daemon did not start (see $out/dbus.log)" >&2; exit 1; }
DBUS_SESSION_BUS_ADDRESS="$(head -n1 "$state_dir/bus")"
export DBUS_SESSION_BUS_ADDRESS

# An unlocked Secret Service on that bus (as scripts/with-keyring.sh makes one), so the app's
# encrypted store opens and the test can see a result in the history. Without gnome-keyring the
# app runs with its store "unavailable" and the history step says so.
if command -v gnome-keyring-daemon >/dev/null; then
  # shellcheck source=scripts/keyring.sh
  source "$root/scripts/keyring.sh"
  start_keyring "schreibstube-e2e" "$state_dir/keyring.env" "$out/keyring.log" || { echo "e2e: no Secret Service (see $out/keyring.log)" >&2; exit 1; }
fi

# Xvfb picks a free display itself (-displayfd) instead of fighting over :99.
display_file="$state_dir/display"
Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp -noreset 3>"$display_file" >"$out/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do [[ -s "$display_file" ]] && break; kill -0 "$xvfb_pid" 2>/dev/null || break; sleep 0.1; done
[[ -s "$display_file" ]] || { echo "e2e: Xvfb did not start (see $out/xvfb.log)" >&2; exit 1; }
DISPLAY=":$(tr -d '[:space:]' <"$display_file")"
export DISPLAY
unset WAYLAND_DISPLAY
log "Xvfb on $DISPLAY (pid $xvfb_pid)"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port="${E2E_PORT:-4444}" native_port="${E2E_NATIVE_PORT:-4445}"
if port_busy "$port"; then port="$(free_port)"; fi
if port_busy "$native_port" || [[ "$native_port" == "$port" ]]; then native_port="$(free_port)"; fi

cd "$root" # the app inherits this working folder
# tauri-driver forwards to the host named in the request, so all URLs use 127.0.0.1 (not localhost).
setsid tauri-driver --port "$port" --native-port "$native_port" >"$out/tauri-driver.log" 2>&1 &
driver_pid=$!
driver_url="http://127.0.0.1:$port"
for i in $(seq 150); do
  kill -0 "$driver_pid" 2>/dev/null || { echo "e2e: tauri-driver exited early (see $out/tauri-driver.log)" >&2; exit 1; }
  if node -e 'fetch(process.argv[1]+"/status",{signal:AbortSignal.timeout(2000)}).then(r=>r.json()).then(j=>process.exit(j.value&&j.value.ready?0:1),()=>process.exit(1))' "$driver_url"; then
    break
  fi
  [[ $i -lt 150 ]] || { echo "e2e: tauri-driver did not answer on $driver_url within 30 s" >&2; exit 1; }
  sleep 0.2
done
log "tauri-driver on $driver_url (WebKitWebDriver on 127.0.0.1:$native_port, pid group $driver_pid)"
log "app: $app"
log "models: $SCHREIBSTUBE_MODELS; output: $out"

# WebDriver starts the app through this wrapper: it puts the app's own output into app.log and
# records its exit code, which WebKitWebDriver would not report (it keeps waiting for a dead app).
launcher="$state_dir/launch-app"
app_exit="$state_dir/app.exit"
cat >"$launcher" <<EOF
#!/usr/bin/env bash
$(printf '%q' "$app") "\$@" >>$(printf '%q' "$out/app.log") 2>&1 &
child=\$!
trap 'kill -TERM "\$child" 2>/dev/null' TERM INT HUP
while :; do wait "\$child"; rc=\$?; kill -0 "\$child" 2>/dev/null || break; done
echo "\$rc" >$(printf '%q' "$app_exit")
exit "\$rc"
EOF
chmod +x "$launcher"

set +e
E2E_APP="$app" E2E_LAUNCH="$launcher" E2E_APP_EXIT_FILE="$app_exit" \
  E2E_OUT="$out" E2E_DRIVER_URL="$driver_url" \
  E2E_AXE="${E2E_AXE:-$root/ui/node_modules/axe-core/axe.min.js}" \
  timeout --kill-after=10 "${E2E_TIMEOUT:-900}" node --test --test-reporter=spec "$here/app.test.mjs"
rc=$?
set -e
[[ $rc -ne 124 ]] || echo "e2e: the test ran longer than ${E2E_TIMEOUT:-900} s and was stopped" >&2
if [[ $rc -eq 0 ]]; then log "passed; screenshots in $out"; else log "FAILED (exit $rc); screenshots and logs in $out"; fi
exit "$rc"
