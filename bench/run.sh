#!/usr/bin/env bash
# make bench: every benchmark scenario, against the server in the PG*
# environment (make bench starts a throwaway cluster), and the whole report
# with machine information written to bench/results/<date>.md.
# --quick: fewer events and rounds (about 5 minutes).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/results"
out="$here/results/$(date +%Y-%m-%d).md"
tmp=$(mktemp)

{
    echo "# pgq benchmarks, $(date '+%Y-%m-%d %H:%M')${1:+ ($1)}"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory,"\
         "$(uname -sr); $(psql -X -At -d postgres -c 'select version()' | cut -d, -f1)."
    echo "PostgreSQL settings: $(psql -X -At -d postgres -c "select string_agg(name || '=' || setting, ', ' order by name)
        from pg_settings where name in ('shared_buffers', 'synchronous_commit', 'fsync', 'wal_level',
        'max_wal_size', 'checkpoint_timeout', 'autovacuum', 'work_mem')")."
    echo "References: PgQ 3.5 from Debian's postgresql-15-pgq3 (C and its PL/pgSQL variant), loaded as plain scripts."
    echo
    echo "## insert_event"
    "$here/insert_event.sh" "$@"
    echo
    echo "## ticker cost"
    "$here/ticker.sh" "$@"
    echo
    echo "## trigger producers"
    "$here/triggers.sh" "$@"
    echo
    echo "## queue_splitter"
    npx tsx "$here/splitter.ts" "$@"
    echo
    echo "## held xmin"
    npx tsx "$here/held_xmin.ts" "$@"
} | tee "$tmp"
mv "$tmp" "$out"
echo
echo "written to $out"
