-- Roles and grants (PgQ 3.5's grants.ini), and what each role can do.
select * from no_plan();

-- the grants themselves: who may execute what (owner aside)
create function pg_temp.exec_grants() returns table (fn text, grantees text) language sql as $f$
    select p.oid::regprocedure::text,
           coalesce(string_agg(case when a.grantee = 0 then 'public' else pg_get_userbyid(a.grantee) end, ','
                               order by 1), '')
      from pg_proc p
      left join lateral aclexplode(p.proacl) a on a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner
     where p.pronamespace = 'pgq'::regnamespace
     group by 1
$f$;
select set_eq($$select fn, grantees from pg_temp.exec_grants()$$,
$$values
    ('pgq.seq_getval(text)', 'public'),
    ('pgq.get_queue_info()', 'public'),
    ('pgq.get_queue_info(text)', 'public'),
    ('pgq.get_consumer_info()', 'public'),
    ('pgq.get_consumer_info(text)', 'public'),
    ('pgq.get_consumer_info(text,text)', 'public'),
    ('pgq.quote_fqname(text)', 'public'),
    ('pgq.version()', 'public'),
    ('pgq.batch_event_sql(bigint)', 'pgq_reader'),
    ('pgq.batch_event_tables(bigint)', 'pgq_reader'),
    ('pgq.find_tick_helper(integer,bigint,timestamp with time zone,bigint,bigint,interval)', 'pgq_reader'),
    ('pgq.register_consumer(text,text)', 'pgq_reader'),
    ('pgq.register_consumer_at(text,text,bigint)', 'pgq_reader'),
    ('pgq.unregister_consumer(text,text)', 'pgq_reader'),
    ('pgq.next_batch_info(text,text)', 'pgq_reader'),
    ('pgq.next_batch(text,text)', 'pgq_reader'),
    ('pgq.next_batch_custom(text,text,interval,integer,interval)', 'pgq_reader'),
    ('pgq.get_batch_events(bigint)', 'pgq_reader'),
    ('pgq.get_batch_info(bigint)', 'pgq_reader'),
    ('pgq.get_batch_cursor(bigint,text,integer,text)', 'pgq_reader'),
    ('pgq.get_batch_cursor(bigint,text,integer)', 'pgq_reader'),
    ('pgq.event_retry(bigint,bigint,timestamp with time zone)', 'pgq_reader'),
    ('pgq.event_retry(bigint,bigint,integer)', 'pgq_reader'),
    ('pgq.batch_retry(bigint,integer)', 'pgq_reader'),
    ('pgq.force_tick(text)', 'pgq_reader'),
    ('pgq.finish_batch(bigint)', 'pgq_reader'),
    ('pgq.insert_event(text,text,text)', 'pgq_writer'),
    ('pgq.insert_event(text,text,text,text,text,text,text)', 'pgq_writer'),
    ('pgq.insert_events(text,text[],text[],text[],text[],text[],text[])', 'pgq_writer'),
    ('pgq.insert_events(text,text[],text[],text[],text[],text[],text[],timestamp with time zone[])', 'pgq_admin'),
    ('pgq.current_event_table(text)', 'pgq_writer'),
    ('pgq.logutriga()', 'pgq_writer'),
    ('pgq.sqltriga()', 'pgq_writer'),
    ('pgq.jsontriga()', 'pgq_writer'),
    ('pgq._trigger_event(text,text,text,text,oid,text[],text,text,json,json,text,anyelement,anyelement)', 'pgq_writer'),
    ('pgq._trigger_dates_json(oid,anyelement)', 'pgq_writer'),
    ('pgq._trigger_expr(text,oid,text,text,text)', 'pgq_writer'),
    ('pgq._trigger_args(text[])', 'pgq_writer'),
    ('pgq._trigger_plan(text,text,text,text,text,oid,text[],name)', 'pgq_writer'),
    ('pgq._trigger_error(text,text[])', 'pgq_writer'),
    ('pgq._trigger_table(oid)', 'pgq_writer'),
    ('pgq._trigger_fast(text,text,text,text,oid,text[],text,text,anyelement,anyelement)', 'pgq_writer'),
    ('pgq._trigger_table_plan(oid)', 'pgq_writer'),
    ('pgq._trigger_kind(oid,oid)', 'pgq_writer'),
    ('pgq._trigger_values(json,text,text[])', 'pgq_writer'),
    ('pgq._trigger_value(text,text,bigint,text,text[])', 'pgq_writer'),
    ('pgq._trigger_value_changed(text,text,text,bigint,text,text[])', 'pgq_writer'),
    ('pgq._trigger_eq_sql(oid,text,text)', 'pgq_writer'),
    ('pgq._urlencode_field(text,text)', 'pgq_writer'),
    ('pgq._row_fields(text)', 'pgq_writer'),
    ('pgq._urlencode(text)', 'pgq_writer'),
    ('pgq._urlencode_bytes(text)', 'pgq_writer'),
    ('pgq._urlencode_row(text[],text[],text[])', 'pgq_writer'),
    ('pgq._sql_fragment(text,text[],text[],text[],text[],text[],text[])', 'pgq_writer'),
    ('pgq._json_row(text[],oid[],text[],json,text[])', 'pgq_writer'),
    ('pgq._json_ev_type(text,text,text,text[])', 'pgq_writer'),
    ('pgq.logutriga_bulk()', 'pgq_writer'),
    ('pgq.sqltriga_bulk()', 'pgq_writer'),
    ('pgq.jsontriga_bulk()', 'pgq_writer'),
    ('pgq._bulk_trigger_sql(text,text,text,text,oid,text[],name)', 'pgq_writer'),
    ('pgq._bulk_text(text,text,oid)', 'pgq_writer'),
    ('pgq._bulk_null_sql(text,text,oid)', 'pgq_writer'),
    ('pgq._bulk_differ(text,text,text,oid)', 'pgq_writer'),
    ('pgq._bulk_encode(text,text,text[],oid[],text[])', 'pgq_writer'),
    ('pgq._bulk_changed(text[],text[],text[],text,text)', 'pgq_writer'),
    ('pgq._bulk_sql_fragment(text,text[],oid[],text[],text[],text[])', 'pgq_writer'),
    ('pgq._insert_events_count(text,text[],text[],text[],text[],text[],text[])', 'pgq_writer'),
    ('pgq.ticker(text,bigint,timestamp with time zone,bigint)', 'pgq_admin'),
    ('pgq.ticker(text)', 'pgq_admin'),
    ('pgq.ticker()', 'pgq_admin'),
    ('pgq.maint_retry_events()', 'pgq_admin'),
    ('pgq.maint_rotate_tables_step1(text)', 'pgq_admin'),
    ('pgq.maint_rotate_tables_step2()', 'pgq_admin'),
    ('pgq.maint_tables_to_vacuum()', 'pgq_admin'),
    ('pgq.maint_operations()', 'pgq_admin'),
    ('pgq.maint_compact(text)', 'pgq_admin'),
    ('pgq.maint_drop_storage(text)', 'pgq_admin'),
    ('pgq._maint_function(text,text[],boolean)', 'pgq_admin'),
    ('pgq._trusted_role(oid)', 'pgq_admin'),
    ('pgq.upgrade_schema()', 'pgq_admin'),
    ('pgq.grant_perms(text)', 'pgq_admin'),
    ('pgq._grant_perms_from(text,text,text,text)', 'pgq_admin'),
    ('pgq.tune_storage(text)', 'pgq_admin'),
    ('pgq.seq_setval(text,bigint)', 'pgq_admin'),
    ('pgq.create_queue(text)', 'pgq_admin'),
    ('pgq.drop_queue(text,boolean)', 'pgq_admin'),
    ('pgq.drop_queue(text)', 'pgq_admin'),
    ('pgq.set_queue_config(text,text,text)', 'pgq_admin'),
    ('pgq.insert_event_raw(text,bigint,timestamp with time zone,integer,integer,text,text,text,text,text,text)', 'pgq_admin'),
    ('pgq.event_retry_raw(text,text,timestamp with time zone,bigint,timestamp with time zone,integer,text,text,text,text,text,text)', 'pgq_admin'),
    ('pgq._serial_catch_up(text,bigint)', ''),
    ('pgq._lock_room(text)', ''),
    ('pgq._signal_events(text)', ''),
    ('pgq._retry_batch_events(bigint,bigint,timestamp with time zone,text,boolean)', ''),
    ('pgq._event_aside(bigint,bigint,timestamp with time zone,text,boolean)', ''),
    ('pgq._dead_letter_queue(text)', ''),
    ('pgq.event_retry(bigint,bigint,integer,text)', 'pgq_reader'),
    ('pgq.event_dead(bigint,bigint,text)', 'pgq_reader'),
    ('pgq.get_dead_letters(text,text)', 'pgq_reader'),
    ('pgq.replay_dead_letters(text,text,bigint)', 'pgq_admin'),
    ('pgq.purge_dead_letters(text,text,bigint)', 'pgq_admin'),
    -- restoring a PgQ 3.5 dump is the database owner's
    ('pgq.restore_queue_storage()', ''),
    ('pgq.restore_rebase_txids()', ''),
    ('pgq._tick_channel(text)', 'public')
$$, 'EXECUTE grants per function, as PgQ 3.5 (private helpers: owner only; the tick channel name for all)');

select table_privs_are('pgq', t, 'pgq_admin', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'pgq_admin on ' || t)
  from unnest(array['consumer', 'queue', 'tick', 'subscription', 'retry_queue', 'dead_letter']) t;
select table_privs_are('pgq', t, 'pgq_reader', array['SELECT'], 'pgq_reader on ' || t)
  from unnest(array['consumer', 'queue', 'tick', 'subscription', 'event_template']) t;
select table_privs_are('pgq', t, 'public', array['SELECT'], 'public on ' || t)
  from unnest(array['consumer', 'queue', 'tick', 'subscription']) t;
select table_privs_are('pgq', 'dead_letter', r, array[]::text[], r || ': dead letters only through functions')
  from unnest(array['pgq_reader', 'pgq_writer', 'public']) r;
select table_privs_are('pgq', 'event_template', 'pgq_admin', array['SELECT', 'INSERT', 'TRUNCATE'], 'pgq_admin on event_template');
select table_privs_are('pgq', 'event_template', 'public', array[]::text[], 'public: nothing on event_template');
select table_privs_are('pgq', 'retry_queue', 'pgq_reader', array[]::text[], 'pgq_reader: nothing on retry_queue');
select schema_privs_are('pgq', 'public', array['USAGE'], 'schema usage for public');

-- what each role can do (roles are cluster-wide: leftovers of a failed run go first)
set client_min_messages = warning;
drop role if exists tap_admin, tap_writer, tap_reader, tap_nobody;
reset client_min_messages;
create role tap_admin login in role pgq_admin;
create role tap_writer login in role pgq_writer;
create role tap_reader login in role pgq_reader;
create role tap_nobody login;

set role tap_admin;
select is(pgq.create_queue('qp'), 1, 'admin can create a queue');
select ok(pgq.ticker() >= 0, 'admin can tick');
select is(pgq.set_queue_config('qp', 'ticker_max_lag', '0'), 1, 'admin can configure');
select is(pgq.maint_rotate_tables_step2(), 0, 'admin can run maintenance');
select is(pgq.maint_retry_events(), 0, 'admin can move retries');
select is((select count(*)::int from pgq.maint_operations()), 0, 'admin can list maintenance');
select ok(pgq.insert_event_raw('qp', null, now(), null, null, 't', 'raw', null, null, null, null) > 0, 'admin can insert raw events');
select lives_ok($$insert into pgq.event_1_0 (ev_time, ev_type, ev_data) values (now(), 't', 'direct')$$,
                'admin can write into the current event table (bulk_insert_events)');
reset role;

set role tap_writer;
select throws_ok($$select pgq.create_queue('qw')$$, '42501', 'permission denied for function create_queue',
                 'writer cannot create queues');
select throws_ok($$select pgq.register_consumer('qp', 'w')$$, '42501', 'permission denied for function register_consumer',
                 'writer cannot register');
select ok(pgq.insert_event('qp', 't', 'from writer') > 0, 'writer can insert events');
select ok(pgq.insert_event('qp', 't', 'from writer', 'a', 'b', 'c', 'd') > 0, 'writer can insert events (7 args)');
select is((select count(*)::int from pgq.insert_events('qp', array['t', 't'], array['1', '2'])), 2, 'writer can insert many events');
select throws_ok($$select pgq.insert_events('qp', array['t'], array['d'], null, null, null, null, array['2000-01-01'::timestamptz])$$,
                 '42501', null, 'writer cannot set ev_time (pgq_admin only, as insert_event_raw)');
select is(pgq.current_event_table('qp'), 'pgq.event_1_0', 'writer can ask for the current table');
select throws_ok($$select pgq.insert_event_raw('qp', null, now(), null, null, 't', 'd', null, null, null, null)$$,
                 '42501', null, 'writer cannot insert raw events');
select throws_ok($$select pgq.ticker()$$, '42501', null, 'writer cannot tick');
select throws_ok($$insert into pgq.event_1_0 (ev_time, ev_type) values (now(), 'x')$$, '42501', null,
                 'writer cannot write event tables directly (as in PgQ)');
reset role;

select is(pgq.ticker('qp'), 3::bigint, 'tick (the admin''s ticker() made tick 2)');
set role tap_reader;
select is(pgq.register_consumer('qp', 'r'), 1, 'reader can register');
select ok(pgq.next_batch('qp', 'r') is null, 'reader can ask for a batch');
select ok((select count(*) >= 0 from pgq.get_consumer_info()), 'reader can see consumers');
select throws_ok($$select pgq.insert_event('qp', 't', 'd')$$, '42501', 'permission denied for function insert_event',
                 'reader cannot insert events');
select throws_ok($$select pgq.insert_events('qp', array['t'], array['d'])$$, '42501',
                 'permission denied for function insert_events', 'reader cannot insert many events');
select throws_ok($$select pgq.create_queue('qr')$$, '42501', null, 'reader cannot create queues');
select throws_ok($$select pgq.maint_retry_events()$$, '42501', null, 'reader cannot run maintenance');
select throws_ok($$select * from pgq.retry_queue$$, '42501', null, 'reader cannot read the retry queue');
reset role;

select pgq.insert_event('qp', 't', 'for reader') as ev_for_reader \gset
select is(pgq.ticker('qp'), 4::bigint, 'tick');
set role tap_reader;
select ok(pgq.next_batch('qp', 'r') is not null, 'reader gets a batch');
select is((select count(*)::int from pgq.get_batch_events(pgq.next_batch('qp', 'r'))), 1,
          'reader can read batch events (SELECT on the event tables)');
select is(pgq.event_retry(pgq.next_batch('qp', 'r'), :ev_for_reader, 0), 1, 'reader can retry events');
select is(pgq.finish_batch(pgq.next_batch('qp', 'r')), 1, 'reader can finish batches');
select is(pgq.unregister_consumer('qp', 'r'), 1, 'reader can unregister');
reset role;

set role tap_nobody;
select is(pgq.version(), (select default_version from pg_available_extensions where name = 'pgq'), 'anyone can read the version');
select ok((select count(*) = 1 from pgq.get_queue_info()), 'anyone can see queue info');
select ok(pgq.seq_getval('pgq.event_1_id_seq') > 0, 'anyone can read event sequences');
select throws_ok($$select pgq.insert_event('qp', 't', 'd')$$, '42501', null, 'others cannot insert');
select throws_ok($$select pgq.register_consumer('qp', 'x')$$, '42501', null, 'others cannot register');
select throws_ok($$select * from pgq.event_1_0$$, '42501', null, 'others cannot read events');
reset role;

drop role tap_admin, tap_writer, tap_reader, tap_nobody;
select * from finish();
