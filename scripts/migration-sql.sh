#!/usr/bin/env bash
# A plain script (extension/NAME.sql, NAME.upgrade.sql) as a migration for
# a tool that runs each migration in a transaction of its own
# (graphile-migrate, and most others): the same statements without the
# script's BEGIN and COMMIT.
#   migration-sql.sh extension/pgq.sql > extension/pgq.migration.sql
set -euo pipefail
in=$1
n=$(wc -l < "$in")
[ "$(sed -n 2p "$in")" = "begin;" ] && [ "$(tail -n 1 "$in")" = "commit;" ] || {
    echo "migration-sql.sh: $in does not look like a plain script (BEGIN on line 2, COMMIT last)" >&2
    exit 1
}
echo "-- $(basename "$in") as a migration, built from it: do not edit.  Runs in the"
echo "-- migration tool's transaction (the script's own BEGIN/COMMIT left out)."
sed -n "3,$((n - 1))p" "$in"
