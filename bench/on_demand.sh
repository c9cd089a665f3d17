#!/usr/bin/env bash
# What on-demand ticking (queue_ticker_on_demand) costs producers: one
# event per transaction, pgbench 2 clients for SECS s, into a queue with it
# off and one with it on ('0'), with synchronous_commit on and off (where
# the trigger-free insert's CPU shows), interleaved, mean of RUNS runs.
# The cost: the on-demand queue's events go through insert_event_raw and a
# NOTIFY at commit (PostgreSQL serialises commits that notify).
#   on_demand.sh [--quick]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SECS=10 RUNS=3
if [ "${1:-}" = --quick ]; then SECS=3 RUNS=1; fi
PAYLOAD=$(printf 'x%.0s' $(seq 1 100))

fresh_db bench_od
psql -X -q -d bench_od -v ON_ERROR_STOP=1 >/dev/null <<SQL
create extension pgq;
select pgq.create_queue('off'), pgq.create_queue('on');
select pgq.set_queue_config('on', 'ticker_on_demand', '0');
SQL

tps() { # queue synchronous_commit
    local script
    script=$(mktemp)
    echo "select pgq.insert_event('$1', 'type', '$PAYLOAD');" > "$script"
    PGOPTIONS="-c synchronous_commit=$2" pgbench -n -c 2 -j 2 -T "$SECS" -f "$script" bench_od 2>/dev/null \
        | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | cut -d. -f1
    rm -f "$script"
}

declare -A runs
for r in $(seq 1 "$RUNS"); do
    for sc in on off; do
        # alternate which queue goes first
        if [ $((r % 2)) -eq 0 ]; then order="on off"; else order="off on"; fi
        for q in $order; do runs[$q.$sc]="${runs[$q.$sc]:-} $(tps "$q" "$sc")"; done
    done
done
mean() { python3 -c "import sys; x = list(map(float, sys.argv[1:])); print(round(sum(x) / len(x)))" "$@"; }

printf '| one event per transaction, 2 clients (tx/s) | on-demand off | on-demand on | on / off |\n|---|---:|---:|---:|\n'
for sc in on off; do
    # shellcheck disable=SC2086
    off=$(mean ${runs[off.$sc]}) on=$(mean ${runs[on.$sc]})
    record "od_producer_$sc" ours "$(ratio "$on" "$off")"
    printf '| synchronous_commit %s | %s | %s | %s |\n' "$sc" "$off" "$on" "$(ratio "$on" "$off")"
done
psql -X -q -d postgres -c "drop database bench_od with (force)" >/dev/null
