# shellcheck shell=bash
# Sourced by scripts/with-keyring.sh and tests/e2e/run.sh: an unlocked Secret Service
# (gnome-keyring) on the current session bus, for tests only.
#
# start_keyring PASSWORD ENV_FILE LOG_FILE
#   Starts gnome-keyring-daemon in the foreground (as the caller's child, so the caller ends it
#   by $keyring_pid: a daemonized one can outlive the bus). --unlock reads the password from
#   stdin (no newline), creates the "login" keyring with it (there is none in a fresh HOME) and
#   leaves it unlocked as the default collection. Waits until it owns org.freedesktop.secrets
#   (usually well under a second), then exports the VAR=value lines it printed for clients.
#   Sets keyring_pid. Returns 1, with the daemon's log on stderr, if it did not come up.
start_keyring() {
  local password="$1" env_file="$2" log_file="$3" i
  gnome-keyring-daemon --foreground --unlock --components=secrets --control-directory="$XDG_RUNTIME_DIR/keyring" \
    < <(printf %s "$password") >"$env_file" 2>"$log_file" &
  keyring_pid=$!
  for i in $(seq 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
      break
    fi
    if [[ $i -eq 100 ]] || ! kill -0 "$keyring_pid" 2>/dev/null; then
      echo "gnome-keyring-daemon did not come up:" >&2
      cat "$log_file" >&2
      return 1
    fi
    sleep 0.1
  done
  local key value
  while IFS='=' read -r key value; do
    [[ -n "$key" ]] && export "$key=$value"
  done <"$env_file"
  return 0
}
