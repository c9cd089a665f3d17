-- Privileges of the pgq schema (PgQ 3.5 grants.ini).  Every function loses
-- its default PUBLIC execute, and whatever an earlier release granted to the
-- pgq roles, first (so an update script that runs this file ends with exactly
-- these grants); then each group gets what it needs.  A role that does not
-- exist (an installer without CREATEROLE, see pgq.upgrade_schema()) is
-- skipped: running this file again once it exists grants it its share.
--   public:     schema usage, read-only status functions, table SELECTs
--   pgq_reader: consumers (register, batches, retry)
--   pgq_writer: producers (insert_event, triggers)
--   pgq_admin:  ticker, maintenance, queue administration (member of both)

grant usage on schema pgq to public;

do $grants$
declare
    v_fn    regprocedure;
    v_roles text;
begin
    select pg_catalog.string_agg(pg_catalog.quote_ident(rolname), ', ') into v_roles
      from pg_catalog.pg_roles
     where rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin');
    for v_fn in
        select p.oid::regprocedure
          from pg_catalog.pg_proc p
         where p.pronamespace = 'pgq'::regnamespace
    loop
        execute pg_catalog.format('revoke all on function %s from public%s', v_fn, pg_catalog.concat(', ' || v_roles));
    end loop;
end;
$grants$;

grant execute on function
    pgq.seq_getval(text),
    pgq.get_queue_info(),
    pgq.get_queue_info(text),
    pgq.get_consumer_info(),
    pgq.get_consumer_info(text),
    pgq.get_consumer_info(text, text),
    pgq.quote_fqname(text),
    pgq.version(),
    pgq._tick_channel(text)
to public;

grant select on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription to public;

-- the pgq roles' shares, each where the role exists
do $roles$
begin
    if exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_reader') then
        grant execute on function
            pgq.batch_event_sql(bigint),
            pgq.batch_event_tables(bigint),
            pgq.find_tick_helper(int4, int8, timestamptz, int8, int8, interval),
            pgq.register_consumer(text, text),
            pgq.register_consumer_at(text, text, bigint),
            pgq.unregister_consumer(text, text),
            pgq.next_batch_info(text, text),
            pgq.next_batch(text, text),
            pgq.next_batch_custom(text, text, interval, int4, interval),
            pgq.get_batch_events(bigint),
            pgq.get_batch_info(bigint),
            pgq.get_batch_cursor(bigint, text, int4, text),
            pgq.get_batch_cursor(bigint, text, int4),
            pgq.event_retry(bigint, bigint, timestamptz),
            pgq.event_retry(bigint, bigint, integer),
            pgq.batch_retry(bigint, integer),
            pgq.force_tick(text),
            pgq.finish_batch(bigint),
            pgq.event_retry(bigint, bigint, integer, text),
            pgq.event_dead(bigint, bigint, text),
            pgq.get_dead_letters(text, text)
        to pgq_reader;

        grant select on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription to pgq_reader;

        grant select on pgq.event_template to pgq_reader;
    end if;
    if exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_writer') then
        grant execute on function
            pgq.insert_event(text, text, text),
            pgq.insert_event(text, text, text, text, text, text, text),
            pgq.insert_events(text, text[], text[], text[], text[], text[], text[]),
            pgq.current_event_table(text),
            pgq.logutriga(),
            pgq.sqltriga(),
            pgq.jsontriga()
        to pgq_writer;

        -- the triggers' helpers run with the rights of whoever changes the table,
        -- as the triggers do; like pgq.insert_event they are for pgq_writer
        grant execute on function
            pgq._trigger_event(text, text, text, text, oid, text[], text, text, json, json, text, anyelement, anyelement),
            pgq._trigger_dates_json(oid, anyelement),
            pgq._trigger_expr(text, oid, text, text, text),
            pgq._trigger_args(text[]),
            pgq._trigger_plan(text, text, text, text, text, oid, text[], name),
            pgq._trigger_error(text, text[]),
            pgq._trigger_table(oid),
            pgq._trigger_fast(text, text, text, text, oid, text[], text, text, anyelement, anyelement),
            pgq._trigger_table_plan(oid),
            pgq._trigger_kind(oid, oid),
            pgq._trigger_values(json, text, text[]),
            pgq._trigger_value(text, text, bigint, text, text[]),
            pgq._trigger_value_changed(text, text, text, bigint, text, text[]),
            pgq._trigger_eq_sql(oid, text, text),
            pgq._urlencode_field(text, text),
            pgq._row_fields(text),
            pgq._urlencode(text),
            pgq._urlencode_bytes(text),
            pgq._urlencode_row(text[], text[], text[]),
            pgq._sql_fragment(text, text[], text[], text[], text[], text[], text[]),
            pgq._json_row(text[], oid[], text[], json, text[]),
            pgq._json_ev_type(text, text, text, text[]),
            pgq.logutriga_bulk(),
            pgq.sqltriga_bulk(),
            pgq.jsontriga_bulk(),
            pgq._bulk_trigger_sql(text, text, text, text, oid, text[], name),
            pgq._bulk_text(text, text, oid),
            pgq._bulk_null_sql(text, text, oid),
            pgq._bulk_differ(text, text, text, oid),
            pgq._bulk_encode(text, text, text[], oid[], text[]),
            pgq._bulk_changed(text[], text[], text[], text, text),
            pgq._bulk_sql_fragment(text, text[], oid[], text[], text[], text[]),
            pgq._insert_events_count(text, text[], text[], text[], text[], text[], text[])
        to pgq_writer;
    end if;
    if exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
        grant execute on function
            pgq.ticker(text, bigint, timestamptz, bigint),
            pgq.ticker(text),
            pgq.ticker(),
            pgq.maint_retry_events(),
            pgq.maint_rotate_tables_step1(text),
            pgq.maint_rotate_tables_step2(),
            pgq.maint_tables_to_vacuum(),
            pgq.maint_operations(),
            pgq.maint_compact(text),
            pgq.maint_drop_storage(text),
            pgq._maint_function(text, text[], boolean),
            pgq._trusted_role(oid),
            pgq.upgrade_schema(),
            pgq.grant_perms(text),
            pgq._grant_perms_from(text, text, text, text),
            pgq.tune_storage(text),
            pgq.seq_setval(text, int8),
            pgq.create_queue(text),
            pgq.drop_queue(text, bool),
            pgq.drop_queue(text),
            pgq.set_queue_config(text, text, text),
            pgq.insert_event_raw(text, bigint, timestamptz, integer, integer, text, text, text, text, text, text),
            pgq.insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[]),
            pgq.event_retry_raw(text, text, timestamptz, bigint, timestamptz, integer, text, text, text, text, text, text),
            pgq.replay_dead_letters(text, text, bigint),
            pgq.purge_dead_letters(text, text, bigint)
        to pgq_admin;

        grant select, insert, update, delete on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription to pgq_admin;

        grant select, insert, truncate on pgq.event_template to pgq_admin;

        grant select, insert, update, delete on pgq.retry_queue to pgq_admin;

        grant select, insert, update, delete on pgq.dead_letter to pgq_admin;
    end if;
end;
$roles$;

-- A plain install made while roles were missing gave its queues' tables and
-- sequences no share for them: grant_perms() gives each queue what a new
-- queue gets.  (An extension update skips this: the roles exist, and a grant
-- in an extension script would be recorded as an initial privilege.)
do $queues$
begin
    if not exists (select 1 from pg_catalog.pg_extension where extname = 'pgq') then
        perform pgq.grant_perms(queue_name) from pgq.queue;
    end if;
end;
$queues$;
