#!/usr/bin/env bash
# Restore a pg_dump of a PgQ 3.5 database into a server whose pgq is this
# one (extension, or the plain pgq.sql where extensions are not allowed).
#
#   pgq-restore.sh DUMP DBNAME [pg_restore options]
#
# DUMP: a custom- or directory-format dump (pg_dump -Fc / -Fd) of the old
# database.  DBNAME: an existing, empty database on the new server; the
# server and user come from the PG* environment (PGHOST, PGPORT, PGUSER,
# ...), for pg_restore and psql alike.  Further options go to pg_restore
# (e.g. --no-owner, --role=...).
#
# PgQ 3.5's per-queue tables INHERIT pgq.event_template; ours is partitioned
# and cannot be inherited from, so a plain restore fails on them.  Instead:
#   1. everything but those tables (their TABLE, DEFAULT, INDEX and ACL
#      entries) and their rows: the pgq extension (ours), queues, consumers,
#      ticks, retry events, per-queue sequences, your tables and triggers;
#   2. select pgq.restore_queue_storage(): each queue's tables, made from
#      its pgq.queue row as create_queue makes them;
#   3. the events: pg_dump's COPY names the columns, ev_queue and ev_table
#      come from the new tables' defaults;
#   4. select pgq.restore_rebase_txids(): the ticks and events in this
#      server's txid past, batch for batch (see that function).
# Start pgqd (or pgq-runner) and the consumers after that.  When DBNAME
# already has pgq (or pgq_ext) installed, e.g. as the plain script, the
# dump's CREATE EXTENSION for it is left out.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 DUMP DBNAME [pg_restore options]" >&2; exit 2; }
dump=$1 db=$2
shift 2
opts=("$@")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

psql_() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }

pg_restore -l "$dump" > "$tmp/all.list"

# the dump's CREATE EXTENSION of what the target already has
skip_ext='^$'
installed=$(psql_ -c "select string_agg(x, '|') from (
        select e.extname x from pg_catalog.pg_extension e where e.extname in ('pgq', 'pgq_ext')
        union select n.nspname from pg_catalog.pg_namespace n where n.nspname in ('pgq', 'pgq_ext')) s")
[ -n "$installed" ] && skip_ext=" (EXTENSION - |COMMENT - EXTENSION )($installed)( |\$)"

ev='event_[0-9]+(_[0-9]+)?'
grep -Ev "^[0-9]+; [0-9]+ [0-9]+ ((TABLE|DEFAULT) pgq $ev |INDEX pgq event_[0-9]+_[0-9]+_txid_idx |ACL pgq TABLE $ev |TABLE DATA pgq $ev )" \
    "$tmp/all.list" | grep -Ev "$skip_ext" > "$tmp/base.list"
grep -E "^[0-9]+; [0-9]+ [0-9]+ TABLE DATA pgq $ev " "$tmp/all.list" > "$tmp/events.list" || true

echo "pgq-restore: 1/4 everything but the per-queue event tables" >&2
pg_restore --exit-on-error "${opts[@]}" -d "$db" -L "$tmp/base.list" "$dump"
n=$(psql_ -c 'select pgq.restore_queue_storage()')
echo "pgq-restore: 2/4 select pgq.restore_queue_storage(): tables made for $n queue(s)" >&2
echo "pgq-restore: 3/4 the events" >&2
pg_restore --exit-on-error "${opts[@]}" -d "$db" -L "$tmp/events.list" "$dump"
n=$(psql_ -c 'select pgq.restore_rebase_txids()')
echo "pgq-restore: 4/4 select pgq.restore_rebase_txids(): $n queue(s) rebased" >&2
