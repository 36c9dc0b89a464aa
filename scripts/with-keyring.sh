#!/usr/bin/env bash
# Runs a command with a private, unlocked Secret Service (gnome-keyring) on a private session bus,
# under a throw-away HOME/XDG folders: keyring tests never touch the user's keyring or bus and
# need no prompt (there is no one to answer it on CI).
#
# Usage: scripts/with-keyring.sh COMMAND [ARGS...]     (exit code: the command's)
#        scripts/with-keyring.sh --self-test           (store + look up a secret with secret-tool)
# Needs: dbus (dbus-run-session), gnome-keyring; secret-tool (libsecret-tools) for --self-test.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 COMMAND [ARGS...] | --self-test" >&2; exit 2; }

if [[ "$1" == "--self-test" ]]; then
  # Runs itself with a small script: store, look up, compare, clear.
  # shellcheck disable=SC2016 # the script is expanded by the inner bash
  exec "${BASH_SOURCE[0]}" bash -c '
    set -euo pipefail
    printf %s "geheim-äöü-42" | secret-tool store --label="Schreibstube self-test" app schreibstube test with-keyring
    got="$(secret-tool lookup app schreibstube test with-keyring)"
    [[ "$got" == "geheim-äöü-42" ]] || { echo "with-keyring: self-test FAILED: lookup gave \"$got\"" >&2; exit 1; }
    secret-tool clear app schreibstube test with-keyring
    [[ -z "$(secret-tool lookup app schreibstube test with-keyring || true)" ]] || { echo "with-keyring: clear failed" >&2; exit 1; }
    echo "with-keyring: self-test ok (store, lookup, clear through the Secret Service)"'
fi

if [[ -z "${_WITH_KEYRING_INNER:-}" ]]; then
  # Outer part: fresh folders first, so that the bus and the keyring daemon see them too.
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/schreibstube-keyring.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" XDG_CONFIG_HOME="$tmp/home/.config" \
    XDG_CACHE_HOME="$tmp/home/.cache" XDG_RUNTIME_DIR="$tmp/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  unset GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
  set +e
  # Not exec: the trap must remove $tmp afterwards. (As root, the bus daemon prints a harmless
  # "Failed to set fd limit" line on stderr.)
  _WITH_KEYRING_INNER="$tmp" dbus-run-session -- "${BASH_SOURCE[0]}" "$@"
  rc=$?
  set -e
  exit "$rc"
fi

# Inner part, on the private bus: the daemon is our child, ended below by its pid.
tmp="$_WITH_KEYRING_INNER"
unset _WITH_KEYRING_INNER
# shellcheck source=scripts/keyring.sh
source "$(dirname "${BASH_SOURCE[0]}")/keyring.sh"
keyring_pid=""
# shellcheck disable=SC2317 # invoked by the EXIT trap
stop_keyring() { [[ -z "$keyring_pid" ]] || { kill "$keyring_pid" 2>/dev/null || true; wait "$keyring_pid" 2>/dev/null || true; }; }
trap stop_keyring EXIT
start_keyring "schreibstube-test" "$tmp/keyring.env" "$tmp/keyring.log" || { echo "with-keyring: no Secret Service" >&2; exit 1; }

set +e
"$@"
rc=$?
set -e
exit "$rc"
