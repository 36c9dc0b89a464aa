#!/usr/bin/env bash
# No network, proven: runs the CLI's main flows (models verify, extract, generate, history, export,
# audit, policy) and optionally starts the desktop app for a few seconds
#   1. inside a network namespace without interfaces (`unshare -n`, needs root; skipped with a
#      notice otherwise), and
#   2. under `strace -f -e trace=socket,connect`,
# and fails if any process opened an AF_INET or AF_INET6 socket. Other families (AF_UNIX for
# D-Bus and the keychain, AF_NETLINK) are fine and are listed in the summary.
#
# Usage: tests/no-network.sh CLI_BINARY [APP_BINARY]   (make test-no-network)
# Env:   NO_NETWORK_APP_SECONDS  how long the app runs under strace (default 12)
#        NO_NETWORK_KEEP=1        keep the traces and logs (path printed)
# Needs: strace; for the app: Xvfb; dbus + gnome-keyring (scripts/with-keyring.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [[ "${1:-}" != "--inner" ]]; then
  [[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 CLI_BINARY [APP_BINARY]" >&2; exit 2; }
  command -v strace >/dev/null || { echo "no-network: strace not found (scripts/setup-system.sh installs it)" >&2; exit 1; }
  cli="$(realpath -e "$1")"
  app="${2:+$(realpath -e "$2")}"
  # The whole run, the keyring's private bus included, in a namespace without interfaces.
  if [[ "$(id -u)" -eq 0 ]] && unshare -n true 2>/dev/null; then
    exec unshare -n "$root/scripts/with-keyring.sh" "${BASH_SOURCE[0]}" --inner "$cli" "$app" yes
  fi
  echo "no-network: not root (or no unshare): checking with strace only, without a network namespace" >&2
  exec "$root/scripts/with-keyring.sh" "${BASH_SOURCE[0]}" --inner "$cli" "$app" no
fi

cli="$2" app="$3" netns="$4"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/schreibstube-nonet.XXXXXX")"
xvfb_pid=""
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() { [[ -z "$xvfb_pid" ]] || kill "$xvfb_pid" 2>/dev/null || true; [[ -n "${NO_NETWORK_KEEP:-}" ]] || rm -rf "$tmp"; }
trap cleanup EXIT
[[ -z "${NO_NETWORK_KEEP:-}" ]] || echo "no-network: traces in $tmp"

if [[ "$netns" == yes ]]; then
  # Only a loopback device, and that one down: there is no way out.
  # (/proc/net is per namespace; /sys/class/net shows the namespace sysfs was mounted in.)
  ifaces="$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
  [[ "$ifaces" == "lo " ]] || { echo "no-network: expected only lo in the namespace, found: $ifaces" >&2; exit 1; }
  if command -v ip >/dev/null && ip -o link show lo | grep -q ',UP'; then echo "no-network: lo is up" >&2; exit 1; fi
  echo "no-network: in a network namespace without interfaces (lo down)"
fi

data="$tmp/data"
export SCHREIBSTUBE_POLICY="$tmp/keine-policy.toml"
printf 'Sehr geehrte Frau Beispiel,\n\nIhr Antrag ist eingegangen.\n' >"$tmp/brief.txt"
n=0
failed=0
trace() { # trace NAME COMMAND...: runs COMMAND under strace, keeps the trace
  n=$((n + 1))
  local log="$tmp/trace.$n.$1"
  shift
  if ! strace -f -qq -e trace=socket,connect -o "$log" "$@" >"$tmp/out.$n" 2>"$tmp/err.$n"; then
    echo "no-network: step $n failed: $*" >&2
    cat "$tmp/err.$n" >&2
    failed=1
  fi
}

cd "$root"
trace models-verify "$cli" --data-dir "$data" models verify
trace extract "$cli" --data-dir "$data" extract "$tmp/brief.txt"
trace generate "$cli" --data-dir "$data" generate --max-tokens 8 --seed 1 --prompt "Sehr geehrte Damen und Herren"
grep -q . "$tmp/out.$n" || { echo "no-network: generate printed nothing" >&2; failed=1; }
if [[ -s "$tmp/err.$n" ]]; then echo "no-network: generate warned: $(cat "$tmp/err.$n")" >&2; failed=1; fi
trace summarize "$cli" --data-dir "$data" summarize --json assets/samples/akte-bauantrag.pdf
grep -q '"pages_read":6' "$tmp/out.$n" || { echo "no-network: summarize did not read the sample" >&2; failed=1; }
trace draft "$cli" --data-dir "$data" draft --template nachforderung --input assets/samples/antrag-wohngeld.txt \
  --field "fehlende_unterlagen=Gehaltsnachweise 2026" --format pdf -o "$tmp/brief.pdf"
[[ -s "$tmp/brief.pdf" ]] || { echo "no-network: draft wrote no letter" >&2; failed=1; }
trace history-list "$cli" --data-dir "$data" history list --json
grep -q '"id"' "$tmp/out.$n" || { echo "no-network: the result was not saved" >&2; failed=1; }
trace history-search "$cli" --data-dir "$data" history search "Damen"
trace data-export "$cli" --data-dir "$data" data export -o "$tmp/export.zip"
trace audit-export "$cli" --data-dir "$data" audit export
trace policy-show "$cli" --data-dir "$data" policy show

if [[ -n "$app" ]]; then
  # The desktop app: start it on a private X server, let it load the model and its webview,
  # then end it. It must not open an inet socket either (WebKit's own processes included).
  display=":$((90 + RANDOM % 100))"
  Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
  xvfb_pid=$!
  sleep 1
  n=$((n + 1))
  DISPLAY="$display" SCHREIBSTUBE_DATA_DIR="$data" SCHREIBSTUBE_MODELS="$root/models" \
    timeout -s INT "${NO_NETWORK_APP_SECONDS:-12}" strace -f -qq -e trace=socket,connect -o "$tmp/trace.$n.app" "$app" \
    >"$tmp/out.$n" 2>"$tmp/err.$n" || true
  # It really ran: the webview's processes appear in the trace, the store was opened.
  grep -q 'AF_UNIX' "$tmp/trace.$n.app" || { echo "no-network: the app did not start" >&2; cat "$tmp/err.$n" >&2; failed=1; }
  # ... and got as far as loading the model (its own log file says so).
  grep -qh 'model loaded' "$data"/logs/* 2>/dev/null || { echo "no-network: the app did not load the model in time" >&2; tail -n 20 "$tmp/err.$n" >&2; failed=1; }
fi

echo "no-network: socket families per step:"
for f in "$tmp"/trace.*; do
  fams="$(grep -oE 'socket\((AF_[A-Z0-9]+|PF_[A-Z0-9]+)' "$f" | sed 's/socket(//' | sort | uniq -c | tr -s ' ' | tr '\n' ',' || true)"
  printf '  %-20s %s\n' "${f##*/trace.}" "${fams:- none}"
done
if grep -nE 'socket\((AF|PF)_INET6?[,)]|sa_family=AF_INET6?[,}]' "$tmp"/trace.*; then
  echo "no-network: FAILED: an inet socket was opened (lines above)" >&2
  exit 1
fi
[[ $failed -eq 0 ]] || { echo "no-network: FAILED: a step did not run" >&2; exit 1; }
echo "no-network: ok ($n runs, no AF_INET/AF_INET6 socket)"
