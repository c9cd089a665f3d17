-- pgq_ext: batch, event and tick tracking on the target database.
set client_min_messages = warning;
create extension pgq_ext;
reset client_min_messages;
select * from no_plan();

select has_schema('pgq_ext');
select tables_are('pgq_ext', array['completed_tick', 'completed_batch', 'completed_event', 'partial_batch']);
select col_is_pk('pgq_ext', 'completed_tick', array['consumer_id', 'subconsumer_id']::name[], 'completed_tick pkey');
select col_is_pk('pgq_ext', 'completed_batch', array['consumer_id', 'subconsumer_id']::name[], 'completed_batch pkey');
select col_is_pk('pgq_ext', 'completed_event', array['consumer_id', 'subconsumer_id', 'batch_id', 'event_id']::name[], 'completed_event pkey');
select col_is_pk('pgq_ext', 'partial_batch', array['consumer_id', 'subconsumer_id']::name[], 'partial_batch pkey');
select col_default_is('pgq_ext', 'completed_tick', 'subconsumer_id', ''::text, 'subconsumer defaults to empty');
select is((select count(*)::int from pg_extension e, unnest(e.extconfig) where e.extname = 'pgq_ext'),
          4, 'four tables marked for pg_dump');
select is(pgq_ext.version(), (select default_version from pg_available_extensions where name = 'pgq_ext'), 'version');
select is((select extversion from pg_extension where extname = 'pgq_ext'),
          (select default_version from pg_available_extensions where name = 'pgq_ext'), 'extension version');
select is(pgq_ext.upgrade_schema(), 0, 'upgrade_schema: nothing to do on current tables');

-- batch tracking
select is(pgq_ext.is_batch_done('c', 1), false, 'nothing stored: not done');
select is(pgq_ext.set_batch_done('c', 1), true, 'set_batch_done: first time true');
select is(pgq_ext.is_batch_done('c', 1), true, 'done');
select is(pgq_ext.set_batch_done('c', 1), false, 'set_batch_done again: false');
select is(pgq_ext.is_batch_done('c', 2), false, 'another batch is not done');
select is(pgq_ext.set_batch_done('c', 2), true, 'next batch');
select is(pgq_ext.is_batch_done('c', 1), false, 'only the last batch is remembered');
select is((select last_batch_id from pgq_ext.completed_batch where consumer_id = 'c'), 2::bigint, 'one row per consumer');
select is(pgq_ext.set_batch_done('c', 0), true, 'batch 0: true ...');
select is((select last_batch_id from pgq_ext.completed_batch where consumer_id = 'c'), 2::bigint, '... but not stored');
select is(pgq_ext.is_batch_done('c', 'sub', 2), false, 'sub-consumers are tracked apart');
select is(pgq_ext.set_batch_done('c', 'sub', 7), true, 'sub-consumer batch');
select is(pgq_ext.is_batch_done('c', 'sub', 7), true, 'sub-consumer batch done');
select is(pgq_ext.is_batch_done('c', '', 2), true, 'the 2-argument form is sub-consumer ''''');
select is(pgq_ext.is_batch_done(null, 1), false, 'NULL consumer: not done');

-- event tracking
select is(pgq_ext.is_event_done('e', 10, 1), false, 'event not done');
select is(pgq_ext.set_event_done('e', 10, 1), true, 'set_event_done');
select is(pgq_ext.set_event_done('e', 10, 1), false, 'again: false');
select is(pgq_ext.set_event_done('e', 10, 2), true, 'second event');
select is(pgq_ext.is_event_done('e', 10, 2), true, 'done');
select is((select cur_batch_id from pgq_ext.partial_batch where consumer_id = 'e'), 10::bigint, 'partial batch 10');
select is(pgq_ext.set_event_done('e', 11, 1), true, 'an event of a new batch ...');
select is(pgq_ext.is_event_done('e', 10, 1), false, '... forgets the old batch''s events');
select is((select count(*)::int from pgq_ext.completed_event where consumer_id = 'e'), 1, 'one event row left');
select is((select cur_batch_id from pgq_ext.partial_batch where consumer_id = 'e'), 11::bigint, 'partial batch moved');
select is(pgq_ext.set_event_done('e', 'sub', 11, 1), true, 'sub-consumer events apart');
select is(pgq_ext.is_event_done('e', 'sub', 11, 1), true, 'sub-consumer event done');
select is(pgq_ext.is_event_done('e', 11, 1), true, 'main consumer''s untouched');

-- tick tracking
select is(pgq_ext.get_last_tick('t'), null::bigint, 'no tick stored');
select is(pgq_ext.set_last_tick('t', 5), 1, 'set_last_tick');
select is(pgq_ext.get_last_tick('t'), 5::bigint, 'get_last_tick');
select is(pgq_ext.set_last_tick('t', 6), 1, 'set again');
select is(pgq_ext.get_last_tick('t'), 6::bigint, 'moved');
select is(pgq_ext.is_tick_done('t', 6, 7), false, 'is_tick_done: the batch starting at the recorded tick is next');
select is(pgq_ext.is_tick_done('t', 5, 6), true, 'is_tick_done: the batch ending at it is applied');
select throws_ok($$select pgq_ext.is_tick_done('t', 7, 8)$$, 'PQ011', 'Lost position: batch 7..8, dst has 6');
select is(pgq_ext.is_tick_done('nobody', 7, 8), false, 'is_tick_done: nothing recorded, the batch is next');
select is(pgq_ext.set_last_tick('t', 'sub', 9), 1, 'sub-consumer tick');
select is(pgq_ext.get_last_tick('t', 'sub'), 9::bigint, 'sub-consumer tick read');
select is(pgq_ext.get_last_tick('t', ''), 6::bigint, 'main tick apart');
select is(pgq_ext.set_last_tick('t', null), 1, 'NULL tick ...');
select is(pgq_ext.get_last_tick('t'), null::bigint, '... forgets the position');
select is((select count(*)::int from pgq_ext.completed_tick where consumer_id = 't'), 1, 'row deleted, sub kept');
select is(pgq_ext.set_last_tick('t', null), 1, 'forgetting twice is fine');

-- privileges
select function_privs_are('pgq_ext', 'set_last_tick', array['text', 'bigint'], 'pgq_writer', array['EXECUTE'],
                          'pgq_writer may track');
select function_privs_are('pgq_ext', 'set_last_tick', array['text', 'bigint'], 'public', array[]::text[],
                          'public may not');
select function_privs_are('pgq_ext', 'version', array[]::text[], 'public', array['EXECUTE'], 'version for all');
select function_privs_are('pgq_ext', 'queue_splitter_apply',
                          array['text', 'bigint', 'bigint', 'boolean', 'text[]', 'integer[]', 'bigint[]',
                                'timestamp with time zone[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]'],
                          'pgq_writer', array['EXECUTE'], 'the splitter''s move for pgq_writer');
select function_privs_are('pgq_ext', 'queue_splitter_apply',
                          array['text', 'bigint', 'bigint', 'boolean', 'text[]', 'integer[]', 'bigint[]',
                                'timestamp with time zone[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]'],
                          'public', array[]::text[], 'not for public');
select function_privs_are('pgq_ext', '_queue_splitter_move',
                          array['text', 'bigint', 'bigint', 'boolean', 'text', 'bigint', 'text[]', 'integer[]', 'bigint[]',
                                'timestamp with time zone[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]'],
                          'public', array[]::text[], 'nor its helper');

-- upgrade from a pre-3.1 layout (no subconsumer_id)
alter table pgq_ext.completed_tick drop constraint completed_tick_pkey;
alter table pgq_ext.completed_tick drop column subconsumer_id;
alter table pgq_ext.completed_tick add primary key (consumer_id);
select is(pgq_ext.upgrade_schema(), 1, 'upgrade_schema fixes the old table');
select col_is_pk('pgq_ext', 'completed_tick', array['consumer_id', 'subconsumer_id']::name[], 'pkey back');
select col_not_null('pgq_ext', 'completed_tick', 'subconsumer_id', 'not null');
select is(pgq_ext.get_last_tick('t', 'sub'), null::bigint, 'old rows belong to sub-consumer ''''');
select is(pgq_ext.upgrade_schema(), 0, 'then nothing to do');

-- queue_splitter_apply
select is(pgq.create_queue(q), 1, 'target queue ' || q) from unnest(array['qa', 'qb']) q;
create function pg_temp.apply(cons text, prev bigint, cur bigint, skip bool, routes text[]) returns bigint language sql as $f$
    select pgq_ext.queue_splitter_apply(cons, prev, cur, skip, routes,
        array(select g::bigint from generate_series(1, cardinality(routes)) g),
        array(select '2020-01-01'::timestamptz from unnest(routes)),
        array(select 'type' from unnest(routes)),
        array(select 'data' || g from generate_series(1, cardinality(routes)) g),
        routes, array(select null::text from unnest(routes)),
        array(select null::text from unnest(routes)), array(select null::text from unnest(routes)))
$f$;
select is(pg_temp.apply('sp', 1, 2, false, array['qa', 'qb', 'qa']), 3::bigint, 'three events moved');
select results_eq($$select ev_data, ev_time from pgq.event_1 order by ev_id$$,
                  $$values ('data1', '2020-01-01'::timestamptz), ('data3', '2020-01-01'::timestamptz)$$,
                  'into the queue the routing value names, time kept');
select is(pgq_ext.get_last_tick('sp'), 2::bigint, 'end tick recorded');
select is(pg_temp.apply('sp', 1, 2, false, array['qa']), -1::bigint, 'the same batch again: skipped');
select throws_ok($$select pg_temp.apply('sp', 5, 6, false, array['qa'])$$, 'PQ011', 'Lost position: batch 5..6, dst has 2');
select throws_ok($$select pg_temp.apply('sp', 2, 3, false, array['qa', 'nope'])$$, 'PQ001',
                 'queue_splitter: event 2 routes to queue "nope", which does not exist');
select throws_ok($$select pg_temp.apply('sp', 2, 3, false, array[null, 'qa'])$$, '22004',
                 'queue_splitter: event 1 has no routing value');
select is(pgq_ext.get_last_tick('sp'), 2::bigint, 'a failed batch records nothing');
set client_min_messages = error;
select is(pg_temp.apply('sp', 2, 3, true, array['nope', null, 'qb']), 1::bigint, 'skip_bad: the good one moves');
reset client_min_messages;
select is(pgq_ext.get_last_tick('sp'), 3::bigint, 'and the batch is recorded');

-- queue_splitter_apply, 4.1 form: the events come sorted by target queue
create function pg_temp.apply_grouped(cons text, prev bigint, cur bigint, skip bool, routes text[], counts int4[],
                                      ids bigint[]) returns bigint language sql as $f$
    select pgq_ext.queue_splitter_apply(cons, prev, cur, skip, routes, counts, ids,
        array(select '2020-01-02 03:04:05.123456+00'::timestamptz from unnest(ids)),
        array(select 'gt' from unnest(ids)), array(select 'grp' || i from unnest(ids) i),
        array(select 'x1' from unnest(ids)),
        array(select r from unnest(routes, counts) u(r, c), generate_series(1, c)),
        array(select null::text from unnest(ids)), array(select 'x4' from unnest(ids)))
$f$;
select is(pg_temp.apply_grouped('spg', null, 7, false, array['qb', 'qa'], array[2, 1], array[101, 103, 102]), 3::bigint,
          'grouped form: three moved');
select results_eq($$select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4, ev_time from pgq.event_2
                     where ev_data like 'grp%' order by ev_id$$,
                  $$values ('gt', 'grp101', 'x1', 'qb', null::text, 'x4', '2020-01-02 03:04:05.123456+00'::timestamptz),
                           ('gt', 'grp103', 'x1', 'qb', null, 'x4', '2020-01-02 03:04:05.123456+00')$$,
                  'each field kept, time to the microsecond, a group''s events in their order');
select is((select ev_data from pgq.event_1 where ev_data like 'grp%'), 'grp102', 'and the other group in its queue');
select is(pg_temp.apply_grouped('spg', null, 7, false, array['qa'], array[1], array[1]), -1::bigint,
          'grouped form: the same batch again: skipped');
select throws_ok($$select pg_temp.apply_grouped('spg', 7, 8, false, array['qa', 'nope', null], array[1, 1, 1], array[1, 2, 3])$$,
                 'PQ001', 'queue_splitter: event 2 routes to queue "nope", which does not exist');
select throws_ok($$select pg_temp.apply_grouped('spg', 7, 8, false, array['qa', null, 'nope'], array[1, 1, 1], array[1, 2, 3])$$,
                 '22004', 'queue_splitter: event 2 has no routing value');
select throws_ok($$select pg_temp.apply_grouped('spg', 7, 8, false, array['qa'], array[2], array[1, 2, 3])$$,
                 '22023', 'queue_splitter: 3 events, but the groups count 2');
select throws_ok($$select pg_temp.apply_grouped('spg', 7, 8, false, array['qa', 'qa', 'qa'], array[3, -1, 1], array[1, 2, 3])$$,
                 '22023', 'queue_splitter: 3 routes, 3 counts (each at least 1)', 'a count below 1 is refused, also when the sum fits');
select throws_ok($$select pg_temp.apply_grouped('spg', 7, 8, false, array['qa', 'qa'], array[3], array[1, 2, 3])$$,
                 '22023', 'queue_splitter: 2 routes, 1 counts (each at least 1)', 'so are routes without their count');
select is(pgq_ext.get_last_tick('spg'), 7::bigint, 'a failed batch records nothing');
set client_min_messages = error;
select is(pg_temp.apply_grouped('spg', 7, 8, true, array['nope', 'qa', null], array[1, 1, 1], array[1, 2, 3]), 1::bigint,
          'grouped form, skip_bad: the good one moves');
reset client_min_messages;
select is(pg_temp.apply_grouped('spg', 8, 9, false, '{}', '{}', '{}'), 0::bigint, 'an empty batch');
select is(pgq_ext.get_last_tick('spg'), 9::bigint, 'is recorded too');

-- queue_splitter_local: the whole move in one database
select is(pgq.create_queue('srcq'), 1, 'a source queue');
select is(pgq.set_queue_config('srcq', 'ticker_max_lag', '0'), 1, 'ticks on every call');
select is(pgq.register_consumer('srcq', 'loc'), 1, 'splitter consumer');
select is(pgq_ext.queue_splitter_local('srcq', 'loc', 'extra1', false), null::bigint, 'no batch: NULL');
select is(pgq.insert_event('srcq', 't', 'to qa', 'qa', null, null, null), 1::bigint, 'event for qa');
select is(pgq.insert_event('srcq', 't', 'to qb', 'qb', null, null, null), 2::bigint, 'event for qb');
select ok(pgq.ticker('srcq') is not null, 'tick');
select is(pgq_ext.queue_splitter_local('srcq', 'loc', 'ev_extra1', false), 2::bigint, 'two moved');
select is((select count(*)::int from pgq.event_2 where ev_data = 'to qb'), 1, 'qb got its event');
select is((select current_batch from pgq.get_consumer_info('srcq', 'loc')), null::bigint, 'the source batch is finished');
select throws_ok($$select pgq_ext.queue_splitter_local('srcq', 'loc', 'nonsense', false)$$, '22023',
                 'queue_splitter: bad queue_field "nonsense"');

-- Roles: each writer sees and changes only its own progress (row-level
-- security on owner_role); a pure writer cannot consume through the
-- splitter, nor set ev_time.
drop role if exists tap_ext_w1, tap_ext_w2, tap_ext_rw;  -- a run that failed before its end
create role tap_ext_w1 in role pgq_writer;
create role tap_ext_w2 in role pgq_writer;
create role tap_ext_rw in role pgq_writer, pgq_reader;
grant tap_ext_w1 to current_user;  -- so the test can SET ROLE
grant tap_ext_w2 to current_user;
grant tap_ext_rw to current_user;
set role tap_ext_w1;
select ok(pgq_ext.set_batch_done('victim_rc', 10), 'w1 records its batch');
select is(pgq_ext.set_last_tick('victim_sp', 7), 1, 'w1 records its tick');
select ok(pgq_ext.set_event_done('victim_ev', 5, 50), 'w1 records an event');
reset role;
select is((select owner_role::text from pgq_ext.completed_batch where consumer_id = 'victim_rc'), 'tap_ext_w1',
          'the row belongs to the role that wrote it');
set role tap_ext_w2;
select is(pgq_ext.is_batch_done('victim_rc', 10), false, 'w2 does not see w1''s batch');
select is(pgq_ext.get_last_tick('victim_sp'), null::bigint, 'nor its tick');
select throws_ok($$select pgq_ext.set_batch_done('victim_rc', 11)$$, '42501', null, 'w2 cannot move w1''s batch');
select throws_ok($$select pgq_ext.set_last_tick('victim_sp', 999)$$, '42501', null, 'nor its tick');
select throws_ok($$select pgq_ext.set_event_done('victim_ev', 6, 60)$$, '42501', null, 'nor its event batch');
select is(pgq_ext.set_last_tick('victim_sp', null), 1, 'forgetting it deletes nothing of w1''s');
with u as (update pgq_ext.completed_tick set last_tick_id = 1 returning 1)
select is((select count(*)::int from u), 0, 'a direct UPDATE by w2 reaches none of w1''s rows');
select is((select count(*)::int from pgq_ext.completed_tick), 0, 'w2 sees no rows but its own');
reset role;
select is((select last_tick_id from pgq_ext.completed_tick where consumer_id = 'victim_sp'), 7::bigint,
          'w1''s tick is unchanged');
select is((select last_batch_id from pgq_ext.completed_batch where consumer_id = 'victim_rc'), 10::bigint,
          'w1''s batch is unchanged');
-- rows from before 4.1 have no owner: the first writer owns them
insert into pgq_ext.completed_tick (consumer_id, last_tick_id, owner_role) values ('legacy', 3, null);
set role tap_ext_w1;
select is(pgq_ext.get_last_tick('legacy'), 3::bigint, 'an ownerless row is visible');
select is(pgq_ext.set_last_tick('legacy', 4), 1, 'and taken by the first writer');
reset role;
select is((select owner_role::text from pgq_ext.completed_tick where consumer_id = 'legacy'), 'tap_ext_w1', 'which now owns it');
set role tap_ext_w2;
select throws_ok($$select pgq_ext.set_last_tick('legacy', 5)$$, '42501', null, 'so the next writer cannot');
reset role;
-- rows are keyed by consumer name: a writer may write one for a name that
-- has none yet.  A superuser (or pgq_admin) sees it, but it is not its
-- consumer's progress: its functions neither read nor take it over (in
-- 4.1.0 the superuser's consumer skipped the batch w1 named as done)
set role tap_ext_w1;
select ok(pgq_ext.set_batch_done('su_rc', 20), 'w1 writes a row for a consumer name nobody used yet');
select is(pgq_ext.set_last_tick('su_sp', 9), 1, 'and another');
select ok(pgq_ext.set_event_done('su_ev', 7, 70), 'and a third');
reset role;
select is(pgq_ext.is_batch_done('su_rc', 20), false, 'the superuser''s consumer does not take w1''s batch for its own');
select is(pgq_ext.get_last_tick('su_sp'), null::bigint, 'nor its tick');
select is(pgq_ext.is_event_done('su_ev', 7, 70), false, 'nor its event');
select throws_ok($$select pgq_ext.set_batch_done('su_rc', 20)$$, '42501', null, 'nor writes over the batch');
select throws_ok($$select pgq_ext.set_last_tick('su_sp', 10)$$, '42501', null, 'nor over the tick');
select throws_ok($$select pgq_ext.set_event_done('su_ev', 7, 70)$$, '42501', null, 'nor over the event');
select throws_ok($$select pgq_ext.set_event_done('su_ev', 8, 80)$$, '42501', null, 'nor over the partial batch');
select throws_ok($$select pgq_ext.queue_splitter_apply('su_sp', 9, 10, true, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')$$,
                 '42501', null, 'nor does the splitter');
select is(pgq_ext.set_last_tick('su_sp', null), 1, 'forgetting its own tick leaves w1''s row');
select is((select owner_role::text || ':' || last_tick_id from pgq_ext.completed_tick where consumer_id = 'su_sp'), 'tap_ext_w1:9',
          'w1''s row is as it was');

-- queue_splitter_local consumes the source queue: a pure writer cannot
select is(pgq.register_consumer('srcq', 'victim'), 1, 'a victim consumer');
select is(pgq.insert_event('srcq', 't', 'secret', 'qa', null, null, null), 3::bigint, 'an event for it');
select ok(pgq.ticker('srcq') is not null, 'tick');
set role tap_ext_w1;
select throws_ok($$select pgq_ext.queue_splitter_local('srcq', 'victim', 'data', true)$$, '42501', null,
                 'a pure writer cannot consume through the splitter');
reset role;
select is((select pending_events from pgq.get_consumer_info('srcq', 'victim')) > 0, true, 'the victim''s events are still pending');
select is((select current_batch from pgq.get_consumer_info('srcq', 'victim')), null::bigint, 'and no batch was taken for it');
-- a reader and writer may run it, but moving keeps ev_time: pgq_admin's right
set role tap_ext_rw;
select throws_ok($$select pgq_ext.queue_splitter_local('srcq', 'victim', 'extra1', true)$$, '42501', null,
                 'moving events with their ev_time needs pgq_admin on the target');
reset role;

-- roles outlive the test database
drop owned by tap_ext_w1, tap_ext_w2, tap_ext_rw;
drop role tap_ext_w1, tap_ext_w2, tap_ext_rw;

select * from finish();
