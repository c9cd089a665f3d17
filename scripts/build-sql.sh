#!/usr/bin/env bash
# Build one pgq install script from the sources.
#   build-sql.sh extension|plain VERSION SOURCE...
# extension: the CREATE EXTENSION script (marks tables for pg_dump);
# plain: a script for psql -f, run in one transaction.
# grants.sql and ext_dump.sql are added after the given sources.
set -euo pipefail
mode=$1 version=$2
shift 2

echo "-- pgq $version, built from extension/pgq/ sources: do not edit."
if [ "$mode" = extension ]; then
    echo '\echo Use "CREATE EXTENSION pgq" to load this file. \quit'
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
src=$(dirname "$0")/../extension/pgq
echo
echo '-- roles come from upgrade_schema, and the grants need them'
echo 'select pgq.upgrade_schema();'
echo
cat "$src/grants.sql"
if [ "$mode" = extension ]; then
    echo
    cat "$src/ext_dump.sql"
else
    echo 'commit;'
fi
