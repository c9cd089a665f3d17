#!/usr/bin/env bash
# Build one install script of an extension from its sources.
#   build-sql.sh extension|plain EXT VERSION SOURCE...
# extension: the CREATE EXTENSION script (marks tables for pg_dump);
# plain: a script for psql -f, run in one transaction.
# After the given sources come: EXT.upgrade_schema() (it makes pgq's roles,
# which the grants need), extension/EXT/grants.sql and, in extension mode,
# extension/EXT/ext_dump.sql.
set -euo pipefail
mode=$1 ext=$2 version=$3
shift 3
src=$(dirname "$0")/../extension/$ext

echo "-- $ext $version, built from extension/$ext/ sources: do not edit."
if [ "$mode" = extension ]; then
    echo "\\echo Use \"CREATE EXTENSION $ext\" to load this file. \\quit"
else
    echo 'begin;'
fi
echo 'set check_function_bodies = off;'
echo 'set client_min_messages = warning;'
for f in "$@"; do
    echo
    echo "-- $f"
    sed "s/@PGQ_VERSION@/$version/g" "$f"
done
echo
echo "select $ext.upgrade_schema();"
echo
cat "$src/grants.sql"
if [ "$mode" = extension ]; then
    echo
    cat "$src/ext_dump.sql"
else
    echo 'commit;'
fi
