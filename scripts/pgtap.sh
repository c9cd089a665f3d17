#!/usr/bin/env bash
# Run pgTAP files against the server in the PG* environment, through prove.
# Each file runs in its own database, cloned from a template that has pgtap
# and pgq, so a failing file leaves nothing behind for the next.
#   pgtap.sh FILE...          (prove's summary; exit status non-zero on failure)
#   pgtap.sh --one FILE       (used by prove: run one file)
set -euo pipefail
template=pgq_tap_template

if [ "${1:-}" = --one ]; then
    file=$2
    db="pgq_tap_$(basename "$file" .sql | tr -c 'a-zA-Z0-9_\n' _)_$$"
    psql -X -q -d postgres -c "create database $db template $template" >/dev/null
    trap 'psql -X -q -d postgres -c "drop database if exists $db with (force)" >/dev/null' EXIT
    psql -X -q -d "$db" --no-align --tuples-only --pset pager=off \
         -v ON_ERROR_STOP=1 -f "$file"
    exit
fi

[ $# -gt 0 ] || { echo "pgtap.sh: no test files" >&2; exit 2; }
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
drop database if exists $template with (force);
create database $template;
\c $template
create extension pgtap;
create extension pgq;
SQL
status=0
prove --failures --exec "$0 --one" "$@" || status=$?
psql -X -q -d postgres -c "drop database if exists $template with (force)" >/dev/null
exit $status
