#!/usr/bin/env bash
# Trigger producer benchmark: logutriga, ours against PgQ 3.5's C triggers
# and PgQ's own PL/pgSQL triggers, in the same run and cluster; and our
# statement-level logutriga_bulk against the C row trigger.
#   bulk: one INSERT of N rows (~100-byte payload) with an AFTER trigger, and
#         the same with the seed's BEFORE ... SKIP form; rows/s, median of
#         ROUNDS rounds, systems interleaved;
#   single: one-row INSERT transactions, pgbench with 2 clients for SECS s.
# Usage: triggers.sh [--quick]   (PG* environment names the server)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
N=50000 ROUNDS=3 SECS=10
if [ "${1:-}" = --quick ]; then N=5000 ROUNDS=3 SECS=3; fi

"$here/reference.sh" bench_tc c >/dev/null
"$here/reference.sh" bench_tp pl >/dev/null
fresh_db bench_to
psql -X -q -d bench_to -c "create extension pgq" >/dev/null

for db in bench_to bench_tc bench_tp; do
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
select pgq.create_queue('tq');
create table t_after (id int primary key, name text, payload text);
create trigger t_after after insert on t_after for each row execute procedure pgq.logutriga('tq');
create table t_skip (id int primary key, name text, payload text);
create trigger t_skip before insert on t_skip for each row execute procedure pgq.logutriga('tq', 'SKIP');
SQL
done
# ours only: the statement-level form, measured against the C row trigger
psql -X -q -d bench_to -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
create table t_bulk (id int primary key, name text, payload text);
create trigger t_bulk after insert on t_bulk referencing new table as pgq_new
    for each statement execute procedure pgq.logutriga_bulk('tq');
SQL

round() { # db table -> rows/s
    local db=$1 tbl=$2 t0 t1
    psql -X -q -d "$db" -c "truncate $tbl" -c "checkpoint" >/dev/null
    t0=$(now)
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "insert into $tbl select i, 'user' || i, repeat('payload ', 12) from generate_series(1, $N) i" >/dev/null
    t1=$(now)
    python3 -c "print(round($N / ($t1 - $t0)))"
}
declare -A res
for tbl in t_after t_skip; do
    o=() c=() p=()
    for r in $(seq 1 "$ROUNDS"); do
        case $((r % 3)) in
            1) o+=("$(round bench_to $tbl)"); c+=("$(round bench_tc $tbl)"); p+=("$(round bench_tp $tbl)") ;;
            2) c+=("$(round bench_tc $tbl)"); p+=("$(round bench_tp $tbl)"); o+=("$(round bench_to $tbl)") ;;
            0) p+=("$(round bench_tp $tbl)"); o+=("$(round bench_to $tbl)"); c+=("$(round bench_tc $tbl)") ;;
        esac
    done
    res[$tbl.o]=$(median "${o[@]}") res[$tbl.c]=$(median "${c[@]}") res[$tbl.p]=$(median "${p[@]}")
done

single() { # db -> tx/s
    local script
    script=$(mktemp)
    echo "insert into t_after values (nextval('s') , 'user', repeat('payload ', 12));" > "$script"
    psql -X -q -d "$1" -c "create sequence if not exists s" -c "select setval('s', 10000000)" >/dev/null
    pgbench -n -c 2 -j 2 -T "$SECS" -f "$script" "$1" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | cut -d. -f1
    rm -f "$script"
}
b=()
for r in $(seq 1 "$ROUNDS"); do b+=("$(round bench_to t_bulk)"); done
res[t_bulk.o]=$(median "${b[@]}")
so=$(single bench_to) sc=$(single bench_tc)

# urlencoding cost: one row whose value is 1 MiB of text with non-ASCII
# letters between ASCII ones ('déjà vu ', 9 bytes a piece), through the
# logutriga AFTER trigger; milliseconds per MiB, median of ROUNDS
big() { # db -> ms
    local db=$1 t0 t1
    psql -X -q -d "$db" -c "truncate t_after" >/dev/null
    t0=$(now)
    psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "insert into t_after values (1, 'big', repeat('déjà vu ', 116508))" >/dev/null
    t1=$(now)
    python3 -c "print(round(($t1 - $t0) * 1000))"
}
uo=() uc=()
for r in $(seq 1 "$ROUNDS"); do uo+=("$(big bench_to)"); uc+=("$(big bench_tc)"); done
record urlencode_mb ours "$(median "${uo[@]}")"
record urlencode_mb c "$(median "${uc[@]}")"
record trigger_row ours "${res[t_after.o]}"
record trigger_row c "${res[t_after.c]}"
record trigger_row pl "${res[t_after.p]}"
record trigger_bulk ours "${res[t_bulk.o]}"
record trigger_bulk c "${res[t_after.c]}"
record trigger_single ours "$so"
record trigger_single c "$sc"

printf '| scenario | pgq (ours) | PgQ 3.5 C | ours/C | PgQ 3.5 PL/pgSQL | PL/C |\n|---|---:|---:|---:|---:|---:|\n'
printf '| logutriga AFTER, %d-row INSERT (rows/s) | %s | %s | %s | %s | %s |\n' "$N" \
    "${res[t_after.o]}" "${res[t_after.c]}" "$(ratio "${res[t_after.o]}" "${res[t_after.c]}")" \
    "${res[t_after.p]}" "$(ratio "${res[t_after.p]}" "${res[t_after.c]}")"
printf '| logutriga BEFORE SKIP, %d-row INSERT (rows/s) | %s | %s | %s | %s | %s |\n' "$N" \
    "${res[t_skip.o]}" "${res[t_skip.c]}" "$(ratio "${res[t_skip.o]}" "${res[t_skip.c]}")" \
    "${res[t_skip.p]}" "$(ratio "${res[t_skip.p]}" "${res[t_skip.c]}")"
printf '| logutriga_bulk (statement level) vs C row trigger, %d-row INSERT (rows/s) | %s | %s | %s | | |\n' "$N" \
    "${res[t_bulk.o]}" "${res[t_after.c]}" "$(ratio "${res[t_bulk.o]}" "${res[t_after.c]}")"
printf '| logutriga AFTER, one-row transactions, pgbench 2 clients (tx/s) | %s | %s | %s | | |\n' \
    "$so" "$sc" "$(ratio "$so" "$sc")"
printf '| logutriga AFTER, one row of 1 MiB mixed non-ASCII text (ms) | %s | %s | %s | | |\n' \
    "$(median "${uo[@]}")" "$(median "${uc[@]}")" "$(ratio "$(median "${uo[@]}")" "$(median "${uc[@]}")")"
psql -X -q -d postgres -c "drop database bench_to with (force)" -c "drop database bench_tc with (force)" \
     -c "drop database bench_tp with (force)" >/dev/null
