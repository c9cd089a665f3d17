-- Queue administration: create_queue, drop_queue, set_queue_config,
-- get_queue_info, quote_fqname, seq_getval, seq_setval, grant_perms,
-- tune_storage.
select * from no_plan();

-- create_queue
select throws_ok($$select pgq.create_queue(null)$$, '22004', 'Invalid NULL value', 'create_queue(NULL)');
select is(pgq.create_queue('qa'), 1, 'create_queue: new queue');
select is(pgq.create_queue('qa'), 0, 'create_queue: existing queue');
select lives_ok($$select pgq._lock_room('qa')$$, '_lock_room: a lock table with room lets a queue be created (full: test/pgqadm.test.ts)');
select is(pgq.create_queue('qb'), 1, 'create_queue: second queue');
select results_eq($$select queue_id, queue_data_pfx, queue_event_seq, queue_tick_seq
                      from pgq.queue order by queue_id$$,
                  $$values (1, 'pgq.event_1', 'pgq.event_1_id_seq', 'pgq.event_1_tick_seq'),
                           (2, 'pgq.event_2', 'pgq.event_2_id_seq', 'pgq.event_2_tick_seq')$$,
                  'queue ids and object names count up from 1');
select has_table('pgq', 'event_1', 'parent event table');
select has_table('pgq', t, 'child ' || t) from unnest(array['event_1_0', 'event_1_1', 'event_1_2']) t;
select hasnt_table('pgq', 'event_1_3', 'three tables by default');
select has_sequence('pgq', 'event_1_id_seq', 'event id sequence');
select has_sequence('pgq', 'event_1_tick_seq', 'tick id sequence');
select has_index('pgq', 'event_1_1', 'event_1_1_txid_idx', 'ev_txid'::name, 'txid index');
select col_default_is('pgq', 'event_1_2', 'ev_id', $$nextval('pgq.event_1_id_seq'::regclass)$$, 'ev_id default on the child (for COPY)');
select results_eq($$select tick_queue, tick_id, tick_event_seq from pgq.tick order by 1, 2$$,
                  $$values (1, 1::bigint, 1::bigint), (2, 1::bigint, 1::bigint)$$,
                  'create_queue makes the first tick');
select is((select reloptions from pg_class where oid = 'pgq.event_1_0'::regclass),
          array['fillfactor=100', 'autovacuum_enabled=off'], 'tune_storage settings');
select is((select t.reloptions from pg_class c join pg_class t on t.oid = c.reltoastrelid
            where c.oid = 'pgq.event_1_0'::regclass),
          array['autovacuum_enabled=off'], 'tune_storage toast settings');
select table_privs_are('pgq', 'event_1_0', 'pgq_admin', array['INSERT', 'SELECT', 'TRUNCATE'], 'grants copied from event_template');
select table_privs_are('pgq', 'event_1_0', 'pgq_reader', array['SELECT']);
select sequence_privs_are('pgq', 'event_1_id_seq', 'public', array['SELECT']);
select sequence_privs_are('pgq', 'event_1_id_seq', 'pgq_admin', array['SELECT', 'USAGE']);
select is(pgq.tune_storage('nope'), 0, 'tune_storage: unknown queue');
select is(pgq.tune_storage(null), null, 'tune_storage is strict');
select is(pgq.grant_perms('qa'), 1, 'grant_perms');
select throws_ok($$select pgq.grant_perms('nope')$$, 'PQ001', 'Queue not found', 'grant_perms: unknown queue');

-- set_queue_config
select is(pgq.set_queue_config('qa', 'ticker_max_count', '42'), 1, 'set ticker_max_count');
select is(pgq.set_queue_config('qa', 'ticker_max_lag', '7 seconds'), 1, 'set ticker_max_lag');
select is(pgq.set_queue_config('qa', 'ticker_idle_period', '2 minutes'), 1, 'set ticker_idle_period');
select is(pgq.set_queue_config('qa', 'rotation_period', '1 hour'), 1, 'set rotation_period');
select is(pgq.set_queue_config('qa', 'queue_ticker_paused', 'true'), 1, 'prefixed name is accepted');
select is(pgq.set_queue_config('qa', 'ticker_paused', 'false'), 1, 'set ticker_paused');
select is(pgq.set_queue_config('qa', 'external_ticker', 'false'), 1, 'set external_ticker');
select row_eq($$select queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
                       queue_rotation_period, queue_ticker_paused
                  from pgq.queue where queue_name = 'qa'$$,
              row(42, '7 seconds'::interval, '2 minutes'::interval, '1 hour'::interval, false),
              'settings are stored');
select throws_ok($$select pgq.set_queue_config(null, 'ticker_max_count', '1')$$, '22004', 'Invalid NULL value');
select throws_ok($$select pgq.set_queue_config('qa', null, '1')$$, '22004', 'Invalid NULL value');
select throws_ok($$select pgq.set_queue_config('nope', 'ticker_max_count', '1')$$, 'PQ001', 'No such event queue');
select throws_ok($$select pgq.set_queue_config('qa', 'disable_insert', 'true')$$, '22023',
                 'cannot change parameter "disable_inserts"', 'PgQ''s message, stray s included');
select throws_ok($$select pgq.set_queue_config('qa', 'ticker_max_count', '-1')$$, '22023',
                 'invalid value for parameter "ticker_max_count": -1');
select throws_ok($$select pgq.set_queue_config('qa', 'ticker_max_lag', '-3 seconds')$$, '22023');
select throws_ok($$select pgq.set_queue_config('qa', 'ticker_max_count', 'many')$$, '22P02');
select throws_ok($$select pgq.set_queue_config('qa', 'ticker_max_count', null)$$, '23502');

-- get_queue_info
select is((select count(*)::int from pgq.get_queue_info()), 2, 'get_queue_info(): all queues');
select is(array(select queue_name from pgq.get_queue_info(null)), array['qa', 'qb'], 'NULL = all, by name');
select is((select count(*)::int from pgq.get_queue_info('nope')), 0, 'unknown queue: no row');
select row_eq($$select queue_name, queue_ntables, queue_cur_table, queue_ticker_max_count,
                       last_tick_id, ev_new
                  from pgq.get_queue_info('qa')$$,
              row('qa'::text, 3, 0, 42, 1::bigint, 0::bigint), 'get_queue_info(qa)');
select is((select count(pgq.insert_event('qa', 't', 'x'))::int from generate_series(1, 5)), 5, 'five events');
-- PgQ's sequence quirk: a fresh sequence reads 1 before and after its first
-- nextval, so the first event of a queue is not counted
select is((select ev_new from pgq.get_queue_info('qa')), 4::bigint, 'ev_new counts new events');
select ok((select ticker_lag >= interval '0' from pgq.get_queue_info('qa')), 'ticker_lag');
update pgq.tick set tick_time = now() - interval '10 seconds' where tick_queue = 1 and tick_id = 1;
select is(pgq.ticker('qa'), 2::bigint, 'a second tick');
select ok((select ev_per_sec between 0.35 and 0.41 from pgq.get_queue_info('qa')),
          'ev_per_sec: 4 counted events over about 10 seconds');

-- quote_fqname
select is(pgq.quote_fqname('a.b'), 'a.b');
select is(pgq.quote_fqname('Ab'), 'public."Ab"', 'no dot: schema public');
select is(pgq.quote_fqname('a.b.c'), 'a."b.c"', 'split on the first dot');
select is(pgq.quote_fqname('x.Y z'), 'x."Y z"');
select is(pgq.quote_fqname(null), null, 'quote_fqname is strict');

-- seq_getval / seq_setval
create sequence public.s1;
select is(pgq.seq_getval('s1'), 1::bigint, 'fresh sequence reports its start');
select is(nextval('public.s1'), 1::bigint, 'first nextval');
select is(pgq.seq_getval('public.s1'), 1::bigint, 'and the same after the first nextval');
select is(nextval('public.s1'), 2::bigint, 'second nextval');
select is(pgq.seq_getval('public.s1'), 2::bigint, 'last_value, not advanced');
select is(pgq.seq_getval('public.s1'), 2::bigint, 'reading does not advance');
select is(pgq.seq_setval('public.s1', 10), 10::bigint, 'seq_setval forward');
select is(nextval('public.s1'), 11::bigint, 'sequence moved');
select is(pgq.seq_setval('public.s1', 5), 11::bigint, 'seq_setval never goes back');
select is(pgq.seq_getval(null), null, 'seq_getval is strict');
select is(pgq.seq_setval(null, 1), null, 'seq_setval is strict');
select throws_ok($$select pgq.seq_getval('nope')$$, '42P01', 'relation "public.nope" does not exist');

-- drop_queue
select is(pgq.register_consumer('qb', 'c1'), 1, 'register on qb');
select throws_ok($$select pgq.drop_queue('qb')$$, 'PQ008', 'cannot drop queue, consumers still attached');
select throws_ok($$select pgq.drop_queue('nope')$$, 'PQ001', 'No such event queue');
select throws_ok($$select pgq.drop_queue(null, true)$$, '22004', 'Invalid NULL value');
select is(pgq.drop_queue(null), null, 'drop_queue(text) is strict');
select is(pgq.drop_queue('qb', true), 1, 'forced drop');
-- the queue's tables are emptied at once and removed by maintenance
select is((select count(*)::int from pgq.event_2), 0, 'its events are gone');
select is((select pg_relation_size('pgq.event_2_0') + pg_relation_size('pgq.event_2_1')), 0::bigint,
          'and their storage (TRUNCATE)');
select results_eq($$select func_name, func_arg from pgq.maint_operations() where func_name = 'pgq.maint_drop_storage'$$,
                  $$values ('pgq.maint_drop_storage'::text, 'pgq.event_2'::text)$$,
                  'maintenance lists the tables of the dropped queue');
select throws_ok($$select pgq.maint_drop_storage('pgq.event_1')$$, '22023',
                 'maint_drop_storage: not the storage of a dropped queue: pgq.event_1', 'a live queue''s tables are refused');
select throws_ok($$select pgq.maint_drop_storage('pgq.tick')$$, '22023', null, 'and any other table');
select is(pgq.maint_drop_storage('pgq.event_2'), 0, 'maint_drop_storage');
select hasnt_table('pgq', 'event_2', 'tables dropped');
select hasnt_table('pgq', 'event_2_0', 'children dropped');
select hasnt_sequence('pgq', 'event_2_id_seq', 'event sequence dropped');
select hasnt_sequence('pgq', 'event_2_tick_seq', 'tick sequence dropped');
select is((select count(*)::int from pgq.maint_operations() where func_name = 'pgq.maint_drop_storage'), 0,
          'nothing left to drop');
select is((select count(*)::int from pgq.tick where tick_queue = 2), 0, 'ticks deleted');
select is((select count(*)::int from pgq.subscription), 0, 'subscription deleted');
select is((select count(*)::int from pgq.consumer), 0, 'consumer without subscriptions deleted');
select is(pgq.drop_queue('qa'), 1, 'drop without consumers');
select is((select count(*)::int from pgq.queue), 0, 'no queues left');
select is((select count(*)::int from pgq.event_template), 0, 'no events left');
select is(pgq.create_queue('qa'), 1, 'a dropped name can be created again');
select is((select queue_id from pgq.queue where queue_name = 'qa'), 3, 'with a new id');

select throws_ok($$select pgq.create_queue('')$$, '22023', 'queue name must not be empty', 'create_queue('''')');
select throws_ok($$select pgq.create_queue(repeat('x', 1025))$$, '42622', 'queue name too long: 1025 bytes, at most 1024',
                 'create_queue: a name the tick NOTIFY could not carry');
select is(pgq.create_queue(repeat('é', 512)), 1, 'create_queue: 1024 bytes are fine');
select is(pgq.drop_queue(repeat('é', 512)), 1, 'and it can be dropped');

-- storage names follow from the id: pgq_admin's UPDATE cannot point a queue
-- at another schema's sequence or tables
create sequence public.private_seq;
select is(pgq.create_queue('qnames'), 1, 'a queue');
select throws_ok($$update pgq.queue set queue_event_seq = 'public.private_seq' where queue_name = 'qnames'$$,
                 '23514', null, 'queue_event_seq cannot name another sequence');
select throws_ok($$update pgq.queue set queue_tick_seq = 'public.private_seq' where queue_name = 'qnames'$$,
                 '23514', null, 'nor queue_tick_seq');
select throws_ok($$update pgq.queue set queue_data_pfx = 'public.t' where queue_name = 'qnames'$$,
                 '23514', null, 'nor queue_data_pfx');
select throws_ok($$select pgq.register_consumer('qnames', null)$$, '22004', 'Invalid NULL value', 'register_consumer(q, NULL)');
select throws_ok($$select pgq.register_consumer_at('qnames', null, null)$$, '22004', 'Invalid NULL value',
                 'register_consumer_at(q, NULL, NULL)');

select * from finish();
