#!/usr/bin/env bash
# Ticker cost: how long one pgq.ticker() call takes with 1, 10, 100 and 1000
# idle queues (nothing to tick: the common case between events), ours
# against PgQ 3.5's C version, in the same run.  Median of ROUNDS timed
# batches of CALLS calls each, one transaction per call as pgqd runs it.
# Usage: ticker.sh [--quick]   (PG* environment names the server)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
CALLS=200 ROUNDS=5
if [ "${1:-}" = --quick ]; then CALLS=20 ROUNDS=3; fi

"$here/reference.sh" bench_kc c >/dev/null
fresh_db bench_ko
psql -X -q -d bench_ko -c "create extension pgq" >/dev/null

# ms values: keep the fractions
median_ms() { python3 -c "import statistics,sys; print(statistics.median(map(float, sys.argv[1:])))" "$@"; }

# ms per pgq.ticker() call in database $1
per_call() {
    local db=$1 script times=() r
    script=$(mktemp)
    echo "select pgq.ticker();" > "$script"
    for r in $(seq 1 "$ROUNDS"); do
        times+=("$(pgbench -n -c 1 -t "$CALLS" -f "$script" "$db" 2>/dev/null \
                   | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')")
    done
    rm -f "$script"
    median_ms "${times[@]}"
}

printf '| idle queues | pgq (ours) ms/call | PgQ 3.5 C ms/call | ours/C |\n|---:|---:|---:|---:|\n'
have=0
for n in 1 10 100 1000; do
    for db in bench_ko bench_kc; do
        # queues that ticked recently: every call finds nothing due
        # 100 queues a transaction: each takes a dozen locks
        for start in $(seq $((have + 1)) 100 "$n"); do
            end=$((start + 99 < n ? start + 99 : n))
            psql -X -q -d "$db" -c "select pgq.create_queue('iq' || g) from generate_series($start, $end) g" >/dev/null
        done
        psql -X -q -d "$db" -c "update pgq.queue set queue_ticker_idle_period = '1 hour', queue_ticker_max_lag = '1 hour'" >/dev/null
        psql -X -q -d "$db" -c "select pgq.ticker()" >/dev/null
    done
    have=$n
    o=$(per_call bench_ko) c=$(per_call bench_kc)
    record "ticker_$n" ours "$o"
    record "ticker_$n" c "$c"
    printf '| %d | %.3f | %.3f | %.2f |\n' "$n" "$o" "$c" "$(python3 -c "print($o / $c)")"
done
psql -X -q -d postgres -c "drop database bench_ko with (force)" -c "drop database bench_kc with (force)" >/dev/null
