#!/usr/bin/env bash
# Every test: pgTAP (through prove), vitest and the upgrade check, against
# the server in the PG* environment.  Runs both even when the first fails, and ends with one line:
# "tests: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

scripts/pgtap.sh pgtap/*.sql 2>&1 | tee "$out/pgtap.txt"
tap_status=${PIPESTATUS[0]}
npx vitest run --reporter=default --reporter=json --outputFile="$out/vitest.json"
vitest_status=$?

# released versions upgraded in place equal a fresh install (one check per
# release and install form)
npx tsx test/upgrade/upgradecheck.ts | tee "$out/upgrade.txt"
upgrade_status=${PIPESTATUS[0]}
up_passed=$(grep -c -e 'catalog: no differences' -e 'queued work: every event' "$out/upgrade.txt")
up_failed=$(grep -c '^FAIL ' "$out/upgrade.txt")
[ "$upgrade_status" -ne 0 ] && [ "$up_failed" -eq 0 ] && up_failed=1

tap_total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$out/pgtap.txt")
tap_failed=$(grep -o 'Failed: [0-9]*' "$out/pgtap.txt" | awk '{s += $2} END {print s + 0}')
read -r vt_passed vt_failed < <(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(r.numPassedTests, r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0));
' "$out/vitest.json" 2>/dev/null || echo "0 1")
passed=$(( ${tap_total:-0} - tap_failed + vt_passed + up_passed ))
failed=$(( tap_failed + vt_failed + up_failed ))
# a run that died before reporting counts as a failure
[ "$tap_status" -ne 0 ] && [ "$tap_failed" -eq 0 ] && failed=$(( failed + 1 ))
echo
echo "tests: $passed passed, $failed failed"
[ "$tap_status" -eq 0 ] && [ "$vitest_status" -eq 0 ] && [ "$upgrade_status" -eq 0 ] && [ "$failed" -eq 0 ]
