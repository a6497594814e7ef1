#!/usr/bin/env bash
# The whole test suite: formatting and lint (Biome), type check, then every test with node's test
# runner. People read the spec reporter; the last line, counted from a TAP copy of the run, is the
# summary CI reads (a cancelled test counts as failed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx biome ci --reporter=summary
npx tsc --noEmit -p .
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find src test -name '*.test.ts' | sort); fi
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
status=0
node --import tsx --test --test-concurrency=2 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${files[@]}" || status=$?
count() { sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$tap" | tail -n 1; }
pass=$(count pass) fail=$(count fail) cancelled=$(count cancelled)
echo "${pass:-0} passed, $((${fail:-0} + ${cancelled:-0})) failed"
exit "$status"
