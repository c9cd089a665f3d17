#!/usr/bin/env bash
# Build one script of an extension from its sources.
#   build-sql.sh MODE EXT VERSION SOURCE...
# MODE:
#   extension  the CREATE EXTENSION script (marks tables for pg_dump)
#   plain      a full install for psql -f, in one transaction
#   update     an ALTER EXTENSION ... UPDATE script
#   plain-update  the same for a plain install, for psql -f, in one transaction
# The Makefile passes the sources, in the order they go into the script: for
# full installs the schema files and then the functions (pgq's stage by stage,
# see the Makefile); for updates the upgrade deltas (extension/EXT/upgrade/) and
# then the functions, which are all "create or replace" so that one source
# serves both.  After the sources come: EXT.upgrade_schema() (it makes pgq's
# roles, which the grants need), extension/EXT/grants.sql (idempotent: it
# revokes before it grants) and, in extension modes, extension/EXT/ext_dump.sql.
# In every source, @EXTVERSION@ becomes VERSION: the version of the extension
# being built (pgq's, pgq_ext's or pgq_coop's, from its .control file).
set -euo pipefail
mode=$1 ext=$2 version=$3
shift 3
src=$(dirname "$0")/../extension/$ext

echo "-- $ext $version ($mode), built from extension/$ext/ sources: do not edit."
case "$mode" in
    extension) echo "\\echo Use \"CREATE EXTENSION $ext\" to load this file. \\quit" ;;
    update) echo "\\echo Use \"ALTER EXTENSION $ext UPDATE TO '$version'\" to load this file. \\quit" ;;
    # psql -f runs under the caller's search_path, where a schema the
    # database owner controls could shadow format(), string_agg() ... in the
    # DO blocks (grants) and the table DDL; CREATE/ALTER EXTENSION pins it
    # to the extension's schema itself
    plain|plain-update) echo 'begin;'; echo 'set local search_path = pg_catalog, pg_temp;' ;;
    *) echo "build-sql.sh: unknown mode $mode" >&2; exit 2 ;;
esac
echo 'set check_function_bodies = off;'
echo 'set client_min_messages = warning;'
for f in "$@"; do
    echo
    echo "-- $f"
    sed "s/@EXTVERSION@/$version/g" "$f"
done
# in a DO block: psql -f prints no result row for it (pgq_coop has no
# tables and no upgrade_schema()).  Its file may be in any folder of
# functions/ (pgq's are by pipeline stage, the others' flat): it is found
# among the sources by name.
for f in "$@"; do
    if [ "$(basename "$f")" = "$ext.upgrade_schema.sql" ]; then
        echo
        echo "do \$upgrade\$ begin perform $ext.upgrade_schema(); end \$upgrade\$;"
        break
    fi
done
echo
cat "$src/grants.sql"
case "$mode" in
    extension|update)
        echo
        cat "$src/ext_dump.sql" ;;
    *)
        echo 'commit;' ;;
esac
