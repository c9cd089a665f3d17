# Shell helpers shared by the benchmark scripts (sourced).

# record KEY SYSTEM VALUE: one figure for bench/summary.ts (see lib.ts)
record() {
    if [ -n "${BENCH_ROWS:-}" ]; then printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$BENCH_ROWS"; fi
}

median() { python3 -c "import statistics,sys; print(round(statistics.median(map(float, sys.argv[1:]))))" "$@"; }

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

now() { date +%s.%N; }

# fresh_db NAME: an empty database
fresh_db() {
    psql -X -q -d postgres -c "drop database if exists $1 with (force)" -c "create database $1" >/dev/null 2>&1
}

# graphile_db NAME: a fresh database with graphile-worker's schema
graphile_db() {
    fresh_db "$1"
    "$(dirname "${BASH_SOURCE[0]}")/../node_modules/.bin/graphile-worker" -c "postgres:///$1" --schema-only >/dev/null
}
