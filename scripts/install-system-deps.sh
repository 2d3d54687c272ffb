#!/usr/bin/env bash
# Installs the system programs flowchat needs beyond npm, from Debian's
# packages: nginx (npm run nginx, e2e tests), Chromium (e2e tests, driven by
# playwright-core, which downloads no browser), Redis (REDIS_URL, the
# Redis tests and npm run bench:nodes) and nginx's nchan module (the nchan
# peer of npm run bench). Safe to run again: installed packages are skipped.
set -euo pipefail

packages=(nginx-light chromium redis-server libnginx-mod-nchan)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: already installed: ${packages[*]}"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
