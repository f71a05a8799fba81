#!/usr/bin/env bash
# Installs what Parley needs on a fresh Debian machine. Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want=()
for list in scripts/packages/*.txt; do
  while read -r pkg _; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || want+=("$pkg")
  done < "$list"
done

if ((${#want[@]})); then
  echo "setup: installing ${want[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  if [[ -x /opt/swift/usr/bin/swift ]]; then
    echo "setup: swift is at /opt/swift/usr/bin; the Makefile puts it on PATH"
  else
    echo "setup: Swift 6 is required (https://www.swift.org/install/linux/); install it and re-run" >&2
    exit 1
  fi
fi

# Engines that run in Python (embedded recognition, the sentence encoder, piper voices) get their own venv, created
# from scripts/python/*.txt requirement files when any exist.
shopt -s nullglob
reqs=(scripts/python/*.txt)
if ((${#reqs[@]})); then
  stamp=.venv/.requirements.sha
  sum=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)
  if [[ ! -f $stamp || $(cat "$stamp") != "$sum" ]]; then
    python3 -m venv .venv
    # *.nodeps.txt lists packages installed without their declared dependencies (see the file).
    for r in "${reqs[@]}"; do
      if [[ $r == *.nodeps.txt ]]; then .venv/bin/pip install -q --no-deps -r "$r"; else .venv/bin/pip install -q -r "$r"; fi
    done
    echo "$sum" > "$stamp"
  fi
fi
