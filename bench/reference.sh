#!/usr/bin/env bash
# Fetch PgQ 3.5 (Debian's postgresql-15-pgq3) into a scratch directory and
# load it, as a plain script, into a database of its own: with its C parts
# (variant c, pgq.sql) or PgQ's own PL/pgSQL-only variant (pl,
# pgq_pl_only.sql).  The package is never installed: its extension files
# would collide with ours.
# Usage: reference.sh DBNAME [c|pl]   (PG* environment names the server)
set -euo pipefail
db=$1 variant=${2:-c}
cache=${PGQ_BENCH_CACHE:-/tmp/pgq-bench-cache}
mkdir -p "$cache"
deb=$(ls "$cache"/postgresql-15-pgq3_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
    (cd "$cache" && apt-get download postgresql-15-pgq3 >/dev/null 2>&1) || {
        [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1
        (cd "$cache" && apt-get download postgresql-15-pgq3 >/dev/null)
    }
    deb=$(ls "$cache"/postgresql-15-pgq3_*.deb | head -1)
fi
ref="$cache/unpacked"
if [ ! -d "$ref" ]; then
    dpkg -x "$deb" "$ref"
fi
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
echo "$cache"
