#!/usr/bin/env bash
# Producer benchmark: pgq.insert_event, ours against PgQ 3.5's C version and
# its PL/pgSQL variant, graphile-worker's add_job() and a plain INSERT into an
# unindexed table of the same shape (plain_events.sql), in the same run and
# cluster (pg-boss, which has no SQL producer, is measured by queues.ts).
#   bulk:   N events in one transaction (select pgq.insert_event(...) from
#           generate_series), ROUNDS rounds, interleaved, median events/s
#           (graphile-worker, two orders of magnitude slower here, writes
#           N/10 to keep the run short); and ours through pgq.insert_events
#           (arrays of N, one call), which PgQ 3.5 does not have;
#   single: one event per transaction, pgbench with 2 clients for SECS s,
#           systems interleaved, mean of RUNS runs each.
# Prints a table with the ratios to C.  Usage: insert_event.sh [--quick]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
N=200000 ROUNDS=5 SECS=10 RUNS=2
if [ "${1:-}" = --quick ]; then N=20000 ROUNDS=3 SECS=3 RUNS=1; fi
PAYLOAD=$(printf 'x%.0s' $(seq 1 100))

"$here/reference.sh" bench_c c >/dev/null
"$here/reference.sh" bench_pl pl >/dev/null
fresh_db bench_ours
psql -X -q -d bench_ours -c "create extension pgq" >/dev/null
graphile_db bench_gw
fresh_db bench_plain
psql -X -q -d bench_plain -v ON_ERROR_STOP=1 -f "$here/plain_events.sql" >/dev/null

systems=(ours ours_array c pl graphile plain)
db_of() { case $1 in ours|ours_array) echo bench_ours ;; c) echo bench_c ;; pl) echo bench_pl ;; graphile) echo bench_gw ;; plain) echo bench_plain ;; esac; }

events_of() { if [ "$1" = graphile ]; then echo $((N / 10)); else echo "$N"; fi; }

# the statement that writes events_of events, for system $1
bulk_sql() {
    case $1 in
        graphile) echo "select count(graphile_worker.add_job('t', json_build_object('p', '$PAYLOAD'))) from generate_series(1, $(events_of graphile));" ;;
        plain) echo "insert into plain_events (ev_type, ev_data) select 'type', '$PAYLOAD' from generate_series(1, $N);" ;;
        ours_array) echo "select count(*) from pgq.insert_events('bq', array_fill('type'::text, array[$N]), array_fill('$PAYLOAD'::text, array[$N]));" ;;
        *) echo "select count(pgq.insert_event('bq', 'type', '$PAYLOAD')) from generate_series(1, $N);" ;;
    esac
}
single_sql() {
    case $1 in
        graphile) echo "select graphile_worker.add_job('t', json_build_object('p', '$PAYLOAD'));" ;;
        plain) echo "insert into plain_events (ev_type, ev_data) values ('type', '$PAYLOAD');" ;;
        *) echo "select pgq.insert_event('bq', 'type', '$PAYLOAD');" ;;
    esac
}
reset_sql() {
    case $1 in
        graphile) echo "delete from graphile_worker._private_jobs;" ;;
        plain) echo "truncate plain_events;" ;;
        *) echo "select pgq.drop_queue('bq', true) from pgq.queue where queue_name = 'bq'; select pgq.create_queue('bq');" ;;
    esac
}

# events/s for one bulk round of system $1
bulk_round() {
    local db t0 t1
    db=$(db_of "$1")
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "$(reset_sql "$1")" -c checkpoint >/dev/null
    t0=$(now)
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "$(bulk_sql "$1")" >/dev/null
    t1=$(now)
    python3 -c "print(round($(events_of "$1") / ($t1 - $t0)))"
}

single_tps() {
    local script
    script=$(mktemp)
    single_sql "$1" > "$script"
    pgbench -n -c 2 -j 2 -T "$SECS" -f "$script" "$(db_of "$1")" 2>/dev/null \
        | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | cut -d. -f1
    rm -f "$script"
}

declare -A bulk single
for r in $(seq 0 $((ROUNDS - 1))); do
    # rotate which goes first, so none always gets the warmer cache
    for i in "${!systems[@]}"; do
        s=${systems[$(( (i + r) % ${#systems[@]} ))]}
        bulk[$s]="${bulk[$s]:-} $(bulk_round "$s")"
    done
done
for r in $(seq 0 $((RUNS - 1))); do
    for i in "${!systems[@]}"; do
        s=${systems[$(( (i + r) % ${#systems[@]} ))]}
        [ "$s" = pl ] || [ "$s" = ours_array ] && continue
        single[$s]="${single[$s]:-} $(single_tps "$s")"
    done
done

declare -A b s1
for s in "${systems[@]}"; do
    # shellcheck disable=SC2086
    b[$s]=$(median ${bulk[$s]})
    [ "$s" = ours_array ] && continue
    record insert_bulk "$s" "${b[$s]}"
    if [ "$s" != pl ]; then
        # shellcheck disable=SC2086
        s1[$s]=$(python3 -c "import sys; x = list(map(float, sys.argv[1:])); print(round(sum(x) / len(x)))" ${single[$s]})
        record insert_single "$s" "${s1[$s]}"
    fi
done

record insert_array ours "${b[ours_array]}"
record insert_array c "${b[c]}"

printf '| scenario | pgq (ours) | PgQ 3.5 C | ours/C | PgQ 3.5 PL/pgSQL | graphile-worker add_job | plain INSERT |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
printf '| %d events in one transaction (events/s, median of %d) | %s | %s | %s | %s | %s | %s |\n' \
    "$N" "$ROUNDS" "${b[ours]}" "${b[c]}" "$(ratio "${b[ours]}" "${b[c]}")" "${b[pl]}" "${b[graphile]}" "${b[plain]}"
printf '| one event per transaction, pgbench 2 clients (tx/s) | %s | %s | %s | | %s | %s |\n' \
    "${s1[ours]}" "${s1[c]}" "$(ratio "${s1[ours]}" "${s1[c]}")" "${s1[graphile]}" "${s1[plain]}"
printf '| ours: pgq.insert_events, %d events in one call, vs C insert_event (events/s) | %s | %s | %s | | | |\n' \
    "$N" "${b[ours_array]}" "${b[c]}" "$(ratio "${b[ours_array]}" "${b[c]}")"

for db in bench_ours bench_c bench_pl bench_gw bench_plain; do psql -X -q -d postgres -c "drop database $db with (force)" >/dev/null; done
