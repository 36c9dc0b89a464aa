#!/usr/bin/env bash
# Installs the Debian packages needed to build Schreibstube (Tauri 2 / WebKitGTK 4.1, llama.cpp via
# cmake + bindgen), to read scans (Tesseract with German data) and to test it (Xvfb, WebKitWebDriver,
# gnome-keyring, secret-tool, the scan fixtures' tools).
# Idempotent and offline-safe: apt is only called for packages dpkg does not already list as installed.
set -euo pipefail

packages=(
  build-essential cmake clang libclang-dev pkg-config         # llama.cpp build, bindgen
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev             # Tauri 2 on Linux
  libayatana-appindicator3-dev libsoup-3.0-dev libssl-dev
  xvfb xauth webkit2gtk-driver                                # e2e: headless X + WebKitWebDriver
  dbus gnome-keyring dbus-x11 libsecret-1-dev libsecret-tools # session bus; keyring tests (with-keyring.sh)
  python3-pip                                                 # scripts/fetch-model.sh (pip download)
  tesseract-ocr tesseract-ocr-deu                             # OCR of scans and images (run as a subprocess)
  python3-pil img2pdf fonts-dejavu-core                       # tests/fixtures/make-scans.sh (scanned test documents)
  strace                                                      # tests/no-network.sh (no inet sockets)
  poppler-utils                                               # letter tests: pdftoppm renders exported PDFs
)
# Letter tests convert exported DOCX/ODT with LibreOffice headless; without recommends it is
# ~300 MB instead of ~1 GB (no Java, no GUI).
norecommends=(libreoffice-writer-nogui)

missing=()
missing_norec=()
for p in "${norecommends[@]}"; do
  if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)" != "ii " ]]; then
    missing_norec+=("$p")
  fi
done
for p in "${packages[@]}"; do
  # db:Status-Abbrev is "ii " only for fully installed packages (not removed/half-configured).
  if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)" != "ii " ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 && ${#missing_norec[@]} -eq 0 ]]; then
  echo "setup-system: all $(( ${#packages[@]} + ${#norecommends[@]} )) packages present"
  exit 0
fi

sudo=()
[[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
# Another apt run may hold the dpkg lock (e.g. a parallel setup step): wait for it instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=600)

echo "setup-system: installing ${missing[*]} ${missing_norec[*]}"
# apt-get update has its own lists lock that DPkg::Lock::Timeout may not cover: retry a few times.
for try in 1 2 3 4 5; do
  if "${sudo[@]}" apt-get "${apt_opts[@]}" update -qq; then break; fi
  [[ $try -lt 5 ]] || { echo "setup-system: apt-get update failed" >&2; exit 1; }
  echo "setup-system: apt-get update failed (lock held?), retrying in 20 s" >&2
  sleep 20
done
if [[ ${#missing[@]} -gt 0 ]]; then
  "${sudo[@]}" apt-get "${apt_opts[@]}" install -y -qq "${missing[@]}"
fi
if [[ ${#missing_norec[@]} -gt 0 ]]; then
  "${sudo[@]}" apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing_norec[@]}"
fi
echo "setup-system: done"
