#!/usr/bin/env bash
# Every test: pgTAP (through prove), vitest and the upgrade check, against
# the server in the PG* environment.  Runs all three even when one fails, and ends with one line:
# "tests: N passed, N failed", after a "FAILED ..." line per failure.
#
#   run-tests.sh            everything
#   run-tests.sh --matrix   what the version matrix (run-matrix.sh) runs on
#                           each PostgreSQL major: the same but the vitest
#                           files in NOT_IN_MATRIX below
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Left out of the matrix: PgQ 3.5 beside ours (Debian's PostgreSQL 15
# packages: these run on 15 whatever the server under test is), and what
# needs no server or does not depend on its version (ini parsing, manual
# pages, the npm tarball, the Docker backend, the SQL source layout,
# starting a daemon).  The
# pg_dump tests skip themselves where the server is newer than Debian's
# pg_dump 15.
NOT_IN_MATRIX=(upgrade-pgq35 migrate-pgq35 status-pgq35 config manpages npm-package testcontainers sql-layout daemonize)
vitest_args=()
if [ "${1:-}" = --matrix ]; then
    for f in "${NOT_IN_MATRIX[@]}"; do vitest_args+=(--exclude "test/$f.test.ts"); done
fi

scripts/pgtap.sh pgtap/*.sql 2>&1 | tee "$out/pgtap.txt"
tap_status=${PIPESTATUS[0]}
npx vitest run --reporter=default --reporter=json --outputFile="$out/vitest.json" "${vitest_args[@]}"
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
# name what failed, so that the last lines of a long log say it: prove's
# summary rows ("pgtap/FILE.sql (Wstat: ...)", "Failed tests: N"),
# vitest's failed tests, the upgrade check's FAIL lines
{
    sed -n '/^Test Summary Report/,/^Files=/{/^[^ T-][^=]*(Wstat/p;/^  *Failed tests*:/p;/^  *Parse errors:/p}' "$out/pgtap.txt" \
        | sed 's/^ */pgTAP: /'
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      for (const f of r.testResults ?? []) {
        const file = require("path").relative(process.cwd(), f.name);
        const failed = (f.assertionResults ?? []).filter((a) => a.status === "failed");
        for (const a of failed) console.log(`vitest: ${file} > ${a.fullName}`);
        if (failed.length === 0 && f.status === "failed") console.log(`vitest: ${file}: ${(f.message ?? "").split("\n")[0]}`);
      }
    ' "$out/vitest.json" 2>/dev/null
    grep '^FAIL ' "$out/upgrade.txt" | sed 's/^/upgradecheck: /'
} | sed 's/^/FAILED /' > "$out/failed.txt"
# a part that failed without naming a test (it died, or vitest saw an
# unhandled error) still gets a line
[ "$tap_status" -ne 0 ] && ! grep -q '^FAILED pgTAP' "$out/failed.txt" &&
    echo "FAILED pgTAP: exit $tap_status, no failed test in prove's summary (see the log above)" >> "$out/failed.txt"
[ "$vitest_status" -ne 0 ] && ! grep -q '^FAILED vitest' "$out/failed.txt" &&
    echo "FAILED vitest: exit $vitest_status, no failed test in its report (an unhandled error? see the log above)" >> "$out/failed.txt"
[ "$upgrade_status" -ne 0 ] && ! grep -q '^FAILED upgradecheck' "$out/failed.txt" &&
    echo "FAILED upgradecheck: exit $upgrade_status (see the log above)" >> "$out/failed.txt"
passed=$(( ${tap_total:-0} - tap_failed + vt_passed + up_passed ))
failed=$(( tap_failed + vt_failed + up_failed ))
# a run that died before reporting counts as a failure
[ "$tap_status" -ne 0 ] && [ "$tap_failed" -eq 0 ] && failed=$(( failed + 1 ))
echo
cat "$out/failed.txt"
echo "tests: $passed passed, $failed failed"
[ "$tap_status" -eq 0 ] && [ "$vitest_status" -eq 0 ] && [ "$upgrade_status" -eq 0 ] && [ "$failed" -eq 0 ]
