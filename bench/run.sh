#!/usr/bin/env bash
# make bench: every benchmark scenario, against the server in the PG*
# environment (make bench starts a throwaway cluster); the combined table
# first, then each scenario's own tables, written with machine information
# to bench/results/<date>.md.
# --quick: fewer events, shorter phases, one round where a scenario is slow
# (under 10 minutes; many queues up to 1000 take 3): a smoke check, not figures to quote.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/results"
out="$here/results/$(date +%Y-%m-%d).md"
details=$(mktemp) rows=$(mktemp)
export BENCH_ROWS=$rows
trap 'rm -f "$details" "$rows"' EXIT

section() {
    local title=$1 t0=$SECONDS
    shift
    echo "## $title" >> "$details"
    echo >> "$details"
    "$@" | tee -a "$details"
    echo >> "$details"
    echo "($title: $((SECONDS - t0)) s)" >&2
}

section "producers: insert_event, graphile-worker add_job, plain INSERT" "$here/insert_event.sh" "$@"
section "trigger producers" "$here/triggers.sh" "$@"
section "ticker cost" "$here/ticker.sh" "$@"
section "on-demand ticking: producer cost" "$here/on_demand.sh" "$@"
section "consumers: pg-boss producer, drain, fan-out, latency, storage" npx tsx "$here/queues.ts" "$@"
section "cooperative consumers: pgq_coop, pg-boss and graphile-worker workers" npx tsx "$here/coop.ts" "$@"
section "queue_splitter" npx tsx "$here/splitter.ts" "$@"
section "held transaction" npx tsx "$here/held_xmin.ts" "$@"
section "pgq-runner scrape cost" npx tsx "$here/scrape.ts" "$@"
section "many queues: new sessions, ticker, status at 1 to 10 000 queues" npx tsx "$here/many_queues.ts" "$@"

{
    echo "# pgq benchmarks, $(date '+%Y-%m-%d %H:%M')${1:+ ($1)}"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory,"\
         "$(uname -sr); $(psql -X -At -d postgres -c 'select version()' | cut -d, -f1)."
    echo "PostgreSQL settings: $(psql -X -At -d postgres -c "select string_agg(name || '=' || setting, ', ' order by name)
        from pg_settings where name in ('shared_buffers', 'synchronous_commit', 'fsync', 'wal_level',
        'max_wal_size', 'checkpoint_timeout', 'autovacuum', 'work_mem', 'max_connections')")."
    echo "References, all in this one cluster: PgQ 3.5 from Debian's postgresql-15-pgq3 (C, and its PL/pgSQL"
    echo "variant pgq_pl_only.sql) loaded as plain scripts, with Debian's pgqd as its daemon; pg-boss 10.4.2;"
    echo "graphile-worker 0.17.3; a plain INSERT into an unindexed table of the same shape. Medians of 3 or"
    echo "more runs, systems interleaved, except the held transaction and storage (one run per system)."
    echo "${1:+Quick run: small sizes, short phases, one round where slow: a smoke check, not for quoting.}"
    echo
    npx tsx "$here/summary.ts" "$rows" || missing=1
    echo
    cat "$details"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo
sed -n '/^| scenario | unit/,/^$/p' "$out"
echo "written to $out"
if [ -n "${missing:-}" ]; then echo "bench: some rows were not measured" >&2; exit 1; fi
