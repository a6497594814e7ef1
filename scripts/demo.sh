#!/usr/bin/env bash
# The main job: check the example fleet with the real validators, build every host's generation
# and show what each host gets.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
fleet=examples/homelab/roost.config.ts
echo "== roost check"
bin/roost.js check -c "$fleet"
echo
echo "== roost build"
bin/roost.js build -c "$fleet" -o result
echo
for host in result/*/; do
  name=$(basename "$host")
  echo "== $name gets"
  node -e '
    const m = require(process.argv[1]);
    console.log("  units:    " + Object.keys(m.units).join(", "));
    console.log("  packages: " + m.packages.join(", "));
    console.log("  users:    " + Object.keys(m.users).join(", "));
    console.log("  files:    " + Object.keys(m.files).length + " (see " + process.argv[2] + "root/)");
    console.log("  checks:   " + Object.entries(m.healthChecks).map(([n, c]) => n + " (" + c.type + ")").join(", "));
  ' "$PWD/${host}manifest.json" "$host"
done
