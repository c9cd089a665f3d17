#!/usr/bin/env bash
# Fetch PgQ 3.5 (Debian's postgresql-15-pgq3) into a scratch directory and
# load it, as a plain script, into a database of its own: with its C parts
# (variant c, pgq.sql) or PgQ's own PL/pgSQL-only variant (pl,
# pgq_pl_only.sql).  The package is never installed: its extension files
# would collide with ours.
# With --pgqd it fetches Debian's pgqd package the same way and prints the
# path of the pgqd binary.  The packages are fetched by scripts/pgq35.sh
# (into PGQ_BENCH_CACHE, which also holds the files made here).
# Usage: reference.sh DBNAME [c|pl]   (PG* environment names the server)
#        reference.sh --pgqd
set -euo pipefail
cache=${PGQ_BENCH_CACHE:-/tmp/pgq-bench-cache}
mkdir -p "$cache"

pgq35=$(cd "$(dirname "$0")/.." && pwd)/scripts/pgq35.sh

if [ "$1" = --pgqd ]; then
    exec "$pgq35" pgqd
fi
db=$1 variant=${2:-c}
ref=$("$pgq35" unpack postgresql-15-pgq3)
# the server (user postgres) must be able to read the modules
lib="$cache/lib"
mkdir -p "$lib"
cp "$ref"/usr/lib/postgresql/15/lib/pgq_lowlevel.so "$ref"/usr/lib/postgresql/15/lib/pgq_triggers.so "$lib/"
chmod -R a+rX "$cache"
chmod a+x "$(dirname "$cache")" 2>/dev/null || true
sed "s#\$libdir/#$lib/#g" "$ref/usr/share/postgresql/15/contrib/pgq.sql" > "$cache/pgq-c.sql"
cp "$ref/usr/share/postgresql/15/contrib/pgq_pl_only.sql" "$cache/pgq-pl.sql"

psql -X -q -d postgres -c "drop database if exists $db with (force)" -c "create database $db" >/dev/null 2>&1
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -f "$cache/pgq-$variant.sql" >/dev/null 2>&1
# Loaded as a plain script, PgQ's version() reads pg_extension and returns
# NULL, and pgqd ignores such a database: answer what CREATE EXTENSION
# would have recorded.
psql -X -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
create or replace function pgq.version() returns text language sql as $$ select '3.5'::text $$;
SQL
echo "$cache"
