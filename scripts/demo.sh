#!/usr/bin/env bash
# The main job: the example fleet deployed to local test hosts (real systemd and sshd in
# systemd-nspawn containers), shown, deployed again as a no-op, and torn down. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bin/roost.js check -c examples/homelab/roost.config.ts
echo
exec node --import tsx scripts/demo.ts
