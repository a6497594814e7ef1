#!/usr/bin/env bash
# Installs what Roost's demo and tests need on a Debian 12 machine, and nothing twice:
# Debian packages for the real validators, then the npm dependencies from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(systemd nftables systemd-container debootstrap openssh-client iproute2 age sqlite3 pebble
  prometheus victoria-metrics prometheus-alertmanager) # promtool, vmalert, amtool: roost check runs them on alert rules
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=node_modules/.roost-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$hash" > "$stamp"
fi

# Build the CLI's bundle now rather than in the first (possibly parallel) command that needs it.
node bin/roost.js --help > /dev/null
