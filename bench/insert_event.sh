#!/usr/bin/env bash
# Producer benchmark: pgq.insert_event, ours against PgQ 3.5's C version
# (and, for bulk, PgQ's own PL/pgSQL variant) in the same run and cluster.
#   bulk:   N events in one transaction (select pgq.insert_event(...) from
#           generate_series), ROUNDS rounds, interleaved, median events/s;
#   single: one event per transaction, pgbench with 2 clients for SECS s.
# Prints a table with the ratios to C.  Usage: insert_event.sh [--quick]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
N=200000 ROUNDS=5 SECS=10
if [ "${1:-}" = --quick ]; then N=50000 ROUNDS=3 SECS=5; fi
PAYLOAD=$(printf 'x%.0s' $(seq 1 100))

"$here/reference.sh" bench_c c >/dev/null
"$here/reference.sh" bench_pl pl >/dev/null
psql -X -q -d postgres -c "drop database if exists bench_ours with (force)" -c "create database bench_ours" >/dev/null 2>&1
psql -X -q -d bench_ours -c "create extension pgq" >/dev/null

now() { date +%s.%N; }

# events/s for one bulk round in database $1
bulk_round() {
    local db=$1 t0 t1
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<SQL
select pgq.drop_queue('bq', true) from pgq.queue where queue_name = 'bq';
select pgq.create_queue('bq');
checkpoint;
SQL
    t0=$(now)
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<SQL
begin;
select count(pgq.insert_event('bq', 'type', '$PAYLOAD')) from generate_series(1, $N);
commit;
SQL
    t1=$(now)
    python3 -c "print(round($N / ($t1 - $t0)))"
}

median() { python3 -c "import statistics,sys; print(round(statistics.median(map(float, sys.argv[1:]))))" "$@"; }

ours=() cref=() plref=()
for r in $(seq 1 "$ROUNDS"); do
    # rotate which goes first, so none always gets the warmer cache
    case $((r % 3)) in
        1) ours+=("$(bulk_round bench_ours)"); cref+=("$(bulk_round bench_c)"); plref+=("$(bulk_round bench_pl)") ;;
        2) cref+=("$(bulk_round bench_c)"); plref+=("$(bulk_round bench_pl)"); ours+=("$(bulk_round bench_ours)") ;;
        0) plref+=("$(bulk_round bench_pl)"); ours+=("$(bulk_round bench_ours)"); cref+=("$(bulk_round bench_c)") ;;
    esac
done
bulk_ours=$(median "${ours[@]}") bulk_c=$(median "${cref[@]}") bulk_pl=$(median "${plref[@]}")

single_tps() {
    local db=$1 script
    script=$(mktemp)
    echo "select pgq.insert_event('bq', 'type', '$PAYLOAD');" > "$script"
    pgbench -n -c 2 -j 2 -T "$SECS" -f "$script" "$db" 2>/dev/null \
        | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | cut -d. -f1
    rm -f "$script"
}
s_ours1=$(single_tps bench_ours) s_c1=$(single_tps bench_c)
s_c2=$(single_tps bench_c) s_ours2=$(single_tps bench_ours)
single_ours=$(( (s_ours1 + s_ours2) / 2 )) single_c=$(( (s_c1 + s_c2) / 2 ))

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
printf '| scenario | pgq (ours) | PgQ 3.5 C | ours/C | PgQ 3.5 PL/pgSQL | PL/C |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
printf '| insert_event, %d in one transaction (events/s, median of %d) | %s | %s | %s | %s | %s |\n' \
    "$N" "$ROUNDS" "$bulk_ours" "$bulk_c" "$(ratio "$bulk_ours" "$bulk_c")" "$bulk_pl" "$(ratio "$bulk_pl" "$bulk_c")"
printf '| insert_event, one per transaction, pgbench 2 clients (tx/s) | %s | %s | %s | | |\n' \
    "$single_ours" "$single_c" "$(ratio "$single_ours" "$single_c")"

psql -X -q -d postgres -c "drop database bench_ours with (force)" -c "drop database bench_c with (force)" \
     -c "drop database bench_pl with (force)" >/dev/null
