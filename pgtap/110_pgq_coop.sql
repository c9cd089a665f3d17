-- pgq_coop: cooperative consumers.  Subconsumers take whole batches of one
-- consumer in turn; a dead one's batch is taken over after dead_interval.
-- Each statement commits on its own, as batches are cut from committed
-- snapshots.
set client_min_messages = warning;
create extension pgq_coop;
reset client_min_messages;
select * from no_plan();

-- catalog
select has_schema('pgq_coop');
select functions_are('pgq_coop', array['register_subconsumer', 'unregister_subconsumer', 'next_batch',
                                        'next_batch_custom', 'finish_batch', 'version']);
select is(pgq_coop.version(), (select default_version from pg_available_extensions where name = 'pgq_coop'), 'version');
select is((select extversion from pg_extension where extname = 'pgq_coop'),
          (select default_version from pg_available_extensions where name = 'pgq_coop'), 'extension version');
select is((select array_agg(e.extname::text) from pg_depend d join pg_extension e on e.oid = d.refobjid
            where d.objid = (select oid from pg_extension where extname = 'pgq_coop') and d.deptype = 'n'),
          array['pgq'], 'requires pgq');
select is((select string_agg(format('%s %s %s %s', p.oid::regprocedure, pg_get_function_result(p.oid), p.prosecdef,
                                     array_to_string(p.proconfig, ',')), E'\n' order by p.oid::regprocedure::text)
             from pg_proc p where p.pronamespace = 'pgq_coop'::regnamespace),
          concat_ws(E'\n',
              'pgq_coop.finish_batch(bigint) integer t search_path=pg_catalog, pg_temp',
              'pgq_coop.next_batch(text,text,text) bigint t search_path=pg_catalog, pg_temp',
              'pgq_coop.next_batch(text,text,text,interval) bigint t search_path=pg_catalog, pg_temp',
              'pgq_coop.next_batch_custom(text,text,text,interval,integer,interval) bigint t search_path=pg_catalog, pg_temp',
              'pgq_coop.next_batch_custom(text,text,text,interval,integer,interval,interval) bigint t search_path=pg_catalog, pg_temp',
              'pgq_coop.register_subconsumer(text,text,text) integer t search_path=pg_catalog, pg_temp',
              'pgq_coop.unregister_subconsumer(text,text,text,integer) integer t search_path=pg_catalog, pg_temp',
              'pgq_coop.version() text f search_path=pg_catalog, pg_temp'),
          'signatures (PgQ pgq_coop 3.4), SECURITY DEFINER, pinned search_path');
select is((select string_agg(format('%s(%s)', p.proname, pg_get_function_arguments(p.oid)), E'\n' order by p.pronargs)
             from pg_proc p where p.pronamespace = 'pgq_coop'::regnamespace and p.proname in ('next_batch_custom', 'unregister_subconsumer')),
          concat_ws(E'\n',
              'unregister_subconsumer(i_queue_name text, i_consumer_name text, i_subconsumer_name text, i_batch_handling integer)',
              'next_batch_custom(i_queue_name text, i_consumer_name text, i_subconsumer_name text, i_min_lag interval, i_min_count integer, i_min_interval interval)',
              'next_batch_custom(i_queue_name text, i_consumer_name text, i_subconsumer_name text, i_min_lag interval, i_min_count integer, i_min_interval interval, i_dead_interval interval)'),
          'argument names as PgQ''s (named-argument calls keep working)');

-- privileges: consumers (pgq_reader) call everything, everyone the version
select results_eq($$select p.oid::regprocedure::text,
                           has_function_privilege('pgq_reader', p.oid, 'execute'),
                           has_function_privilege('pgq_writer', p.oid, 'execute'),
                           has_function_privilege('public', p.oid, 'execute')
                      from pg_proc p where p.pronamespace = 'pgq_coop'::regnamespace order by 1$$,
                  $$values
                      ('pgq_coop.finish_batch(bigint)', true, false, false),
                      ('pgq_coop.next_batch(text,text,text)', true, false, false),
                      ('pgq_coop.next_batch(text,text,text,interval)', true, false, false),
                      ('pgq_coop.next_batch_custom(text,text,text,interval,integer,interval)', true, false, false),
                      ('pgq_coop.next_batch_custom(text,text,text,interval,integer,interval,interval)', true, false, false),
                      ('pgq_coop.register_subconsumer(text,text,text)', true, false, false),
                      ('pgq_coop.unregister_subconsumer(text,text,text,integer)', true, false, false),
                      ('pgq_coop.version()', true, true, true)$$,
                  'EXECUTE grants');
select ok(has_schema_privilege('public', 'pgq_coop', 'usage'), 'schema usage for all');

select is(pgq.create_queue('testqueue'), 1, 'queue');
select is(pgq.set_queue_config('testqueue', p, '0'), 1, p || ' = 0: every ticker call ticks')
  from unnest(array['ticker_max_lag', 'ticker_idle_period']) p;

-- registration
select throws_ok($$select pgq_coop.register_subconsumer('nope', 'maincons', 'subcons1')$$,
                 'PQ001', 'Event queue not created yet', 'register: no such queue');
select throws_ok($$select pgq_coop.register_subconsumer('testqueue', 'maincons', null)$$,
                 '22004', 'Invalid NULL value', 'register: NULL subconsumer');
select is(pgq_coop.register_subconsumer('testqueue', 'maincons', 'subcons1'), 1, 'register: new');
select is(pgq_coop.register_subconsumer('testqueue', 'maincons', 'subcons1'), 0, 'register: again');
select is(pgq_coop.register_subconsumer('testqueue', 'maincons', 'subcons1'), 0, 'register: and again');
select is(pgq_coop.register_subconsumer('testqueue', 'maincons', 'subcons2'), 1, 'second subconsumer');
select results_eq($$select c.co_name, s.sub_id = (select min(sub_id) from pgq.subscription), s.sub_last_tick, s.sub_next_tick, s.sub_batch
                      from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer order by 1$$,
                  $$values ('maincons', true, 1::bigint, null::bigint, null::bigint),
                           ('maincons.subcons1', true, null, null, null),
                           ('maincons.subcons2', true, null, null, null)$$,
                  'the main consumer registered too; subconsumers share its sub_id and hold no ticks');

-- batches
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons1'), null::bigint, 'no new tick: no batch');
select is(pgq.insert_event('testqueue', 'ev0', 'data'), 1::bigint, 'ev0');
select is(pgq.insert_event('testqueue', 'ev1', 'data'), 2::bigint, 'ev1');
select is(pgq.insert_event('testqueue', 'ev2', 'data'), 3::bigint, 'ev2');
select is(pgq.ticker('testqueue'), 2::bigint, 'tick 2');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons1'), 1::bigint, 'subcons1: batch 1');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons1'), 1::bigint, 'subcons1 again: the same batch');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2'), null::bigint,
          'subcons2: nothing (batch 1 is subcons1''s, no further tick)');
select results_eq($$select ev_type from pgq.get_batch_events(1) order by ev_id$$,
                  $$values ('ev0'), ('ev1'), ('ev2')$$, 'batch 1''s events');
select results_eq($$select queue_name, consumer_name, prev_tick_id, tick_id from pgq.get_batch_info(1)$$,
                  $$values ('testqueue', 'maincons.subcons1', 1::bigint, 2::bigint)$$, 'get_batch_info: subcons1''s batch');
select results_eq($$select c.co_name, s.sub_last_tick, s.sub_next_tick, s.sub_batch
                      from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer order by 1$$,
                  $$values ('maincons', 2::bigint, null::bigint, null::bigint),
                           ('maincons.subcons1', 1, 2, 1),
                           ('maincons.subcons2', null, null, null)$$,
                  'the main consumer moved past batch 1 at once; subcons1 holds its ticks');
select is(pgq.insert_event('testqueue', 'ev3', 'data'), 4::bigint, 'ev3');
select is(pgq.insert_event('testqueue', 'ev4', 'data'), 5::bigint, 'ev4');
select is(pgq.ticker('testqueue'), 3::bigint, 'tick 3');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2'), 2::bigint, 'subcons2: batch 2, the next one');
select results_eq($$select ev_type from pgq.get_batch_events(2) order by ev_id$$,
                  $$values ('ev3'), ('ev4')$$, 'batch 2 has only the later events');
select is(pgq_coop.finish_batch(2), 1, 'finish_batch');
select results_eq($$select c.co_name, s.sub_last_tick, s.sub_next_tick, s.sub_batch
                      from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer order by 1$$,
                  $$values ('maincons', 3::bigint, null::bigint, null::bigint),
                           ('maincons.subcons1', 1, 2, 1),
                           ('maincons.subcons2', null, null, null)$$,
                  'finish_batch: the subconsumer lets go of its ticks, the main position stays');
select throws_ok($$select pgq.get_batch_events(2)$$, 'PQ003', 'batch not found', 'a finished batch is gone');
select is(pgq_coop.finish_batch(2), 0, 'finish_batch again: 0 (with a warning)');
select is(pgq_coop.finish_batch(999), 0, 'finish_batch of an unknown batch: 0');

-- retry: an event retried in a subconsumer's batch comes back to the group
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2'), null::bigint, 'subcons2: nothing new');
select is(pgq.event_retry(1, 2, 0), 1, 'subcons1 retries ev1 of batch 1');
select is(pgq_coop.finish_batch(1), 1, 'and finishes batch 1');
select is((select ev_owner from pgq.retry_queue), (select s.sub_id from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
                                                      where c.co_name = 'maincons'),
          'the retry event belongs to the group''s sub_id');
select is(pgq.maint_retry_events(), 1, 'maint_retry_events puts it back');
select is(pgq.ticker('testqueue'), 4::bigint, 'tick 4');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2'), 3::bigint, 'subcons2: batch 3');
select results_eq($$select ev_id, ev_type, ev_retry from pgq.get_batch_events(3)$$,
                  $$values (2::bigint, 'ev1', 1)$$, 'the retried event, to any subconsumer');
select is(pgq_coop.finish_batch(3), 1, 'finish batch 3');

-- takeover of a dead subconsumer's batch, only after dead_interval
select ok(pgq.insert_event('testqueue', 'ev5', 'data') > 0, 'ev5');
select is(pgq.ticker('testqueue'), 5::bigint, 'tick 5');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons1'), 4::bigint, 'subcons1: batch 4');
select ok(pgq.insert_event('testqueue', 'ev6', 'data') > 0, 'ev6');
select is(pgq.ticker('testqueue'), 6::bigint, 'tick 6');
update pgq.subscription set sub_active = now() - '30 minutes'::interval where sub_batch = 4;
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2', '1 hour'), 5::bigint,
          'subcons1 silent for 30 minutes, dead_interval 1 hour: not taken over, subcons2 gets the next batch');
select is(pgq_coop.finish_batch(5), 1, 'finish batch 5');
update pgq.subscription set sub_active = now() - '2 hours'::interval where sub_batch = 4;
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2'), null::bigint,
          'without dead_interval nothing is taken over');
select is(pgq_coop.next_batch_custom('testqueue', 'maincons', 'subcons2', null, null, null), null::bigint,
          'nor with next_batch_custom(6)');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2', '1 hour'), 4::bigint,
          'silent for 2 hours, dead_interval 1 hour: subcons2 takes over batch 4');
select results_eq($$select ev_type from pgq.get_batch_events(4)$$, $$values ('ev5')$$, 'batch 4 unchanged');
select results_eq($$select c.co_name, s.sub_last_tick, s.sub_next_tick, s.sub_batch
                      from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer order by 1$$,
                  $$values ('maincons', 6::bigint, null::bigint, null::bigint),
                           ('maincons.subcons2', 4, 5, 4)$$,
                  'the dead subconsumer is unregistered, its batch is subcons2''s');
select is((select count(*)::int from pgq.consumer where co_name = 'maincons.subcons1'), 0, 'its consumer row is gone');
select is(pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons1', 0), 0,
          'unregister the dead one: 0, it is gone already');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons1', '1 hour'), null::bigint,
          'a dead subconsumer that comes back is registered anew, with nothing to do');
select is(pgq_coop.finish_batch(4), 1, 'subcons2 finishes the taken-over batch');
-- a dead subconsumer that held no batch is removed, and the caller gets a new batch
update pgq.subscription s set sub_active = now() - '2 hours'::interval
  from pgq.consumer c where c.co_id = s.sub_consumer and c.co_name = 'maincons.subcons1';
select ok(pgq.insert_event('testqueue', 'ev7', 'data') > 0, 'ev7');
select is(pgq.ticker('testqueue'), 7::bigint, 'tick 7');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2', '1 hour'), 6::bigint,
          'a dead idle subconsumer: removed, and the caller gets the next batch');
select is((select count(*)::int from pgq.consumer where co_name = 'maincons.subcons1'), 0, 'the idle dead one is gone');
select is(pgq_coop.finish_batch(6), 1, 'finish batch 6');

-- unregister with an open batch, under each batch_handling
select ok(pgq.insert_event('testqueue', 'ev8', 'data') > 0, 'ev8');
select is(pgq.ticker('testqueue'), 8::bigint, 'tick 8');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2'), 7::bigint, 'subcons2: batch 7');
select throws_ok($$select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons2', 0)$$,
                 'PQ012', 'subconsumer has active batch', 'batch_handling 0: refused');
select throws_ok($$select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons2', 2)$$,
                 'PQ012', 'subconsumer has active batch', 'batch_handling 2 (unknown): refused');
select throws_ok($$select pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons2', null)$$,
                 'PQ012', 'subconsumer has active batch', 'batch_handling NULL: refused');
select is(pgq_coop.next_batch('testqueue', 'maincons', 'subcons2'), 7::bigint, 'a refused unregister leaves the batch held');
select is(pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons2', 1), 1, 'batch_handling 1: unregistered');
select throws_ok($$select pgq.get_batch_events(7)$$, 'PQ003', 'batch not found', 'its batch is dropped');
select is((select sub_last_tick from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
            where c.co_name = 'maincons'), 8::bigint, 'the main consumer stays past it');
select is(pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'subcons2', 0), 0, 'unregister again: 0');
select is(pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'nobody', 0), 0, 'never registered: 0');
select is(pgq_coop.register_subconsumer('testqueue', 'maincons', 'idle'), 1, 'an idle subconsumer ...');
select is(pgq_coop.unregister_subconsumer('testqueue', 'maincons', 'idle', 0), 1, '... unregisters with batch_handling 0');

-- next_batch_custom's limits reach pgq.next_batch_custom
select ok(pgq.insert_event('testqueue', 'ev9', 'data') > 0, 'ev9');
select is(pgq.ticker('testqueue'), 9::bigint, 'tick 9');
select is(pgq_coop.next_batch_custom('testqueue', 'maincons', 's', '1 hour', null, null), null::bigint,
          'min_lag 1 hour: the new tick is too young');
select is(pgq_coop.next_batch_custom('testqueue', 'maincons', 's', null, 1000, '1 hour'), null::bigint,
          'min_count 1000 / min_interval 1 hour: not enough yet');
select is(pgq_coop.next_batch_custom('testqueue', 'maincons', 's', null, 1, null, '1 hour'), 8::bigint,
          'min_count 1: a batch');
select is(pgq_coop.finish_batch(8), 1, 'finish batch 8');

-- a main consumer with a batch of its own (pgq.next_batch)
select ok(pgq.insert_event('testqueue', 'ev10', 'data') > 0, 'ev10');
select is(pgq.ticker('testqueue'), 10::bigint, 'tick 10');
select is(pgq.next_batch('testqueue', 'maincons'), 9::bigint, 'the main consumer opens a batch itself');
select throws_ok($$select pgq_coop.next_batch('testqueue', 'maincons', 's')$$,
                 'PQ012', 'main consumer has batch open?', 'subconsumers wait for it');
select is(pgq_coop.finish_batch(9), 1, 'pgq_coop.finish_batch of a main consumer''s batch ...');
select is((select sub_last_tick from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
            where c.co_name = 'maincons'), 10::bigint, '... moves its position as pgq.finish_batch does');

-- a consumer of its own with a subconsumer's name is not taken for one
select is(pgq.register_consumer('testqueue', 'solo'), 1, 'consumer solo');
select is(pgq.register_consumer('testqueue', 'solo.x'), 1, 'consumer solo.x, not a subconsumer');
select throws_ok($$select pgq_coop.next_batch('testqueue', 'solo', 'x')$$,
                 'PQ002', 'subconsumer not found', 'next_batch refuses it');
select is((select sub_last_tick from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
            where c.co_name = 'solo.x'), 10::bigint, 'its position is untouched');
select is(pgq.unregister_consumer('testqueue', 'solo.x'), 1, 'drop solo.x');
select is(pgq.unregister_consumer('testqueue', 'solo'), 1, 'drop solo');
select throws_ok($$select pgq_coop.next_batch('nope', 'maincons', 's')$$, 'PQ001', 'Event queue not created yet',
                 'next_batch: no such queue');

-- auto-registration, and unregistering through pgq
select is(pgq_coop.next_batch('testqueue', 'cmain', 'sc1'), null::bigint, 'next_batch registers cmain.sc1 (and cmain)');
select is(pgq_coop.next_batch('testqueue', 'cmain', 'sc2'), null::bigint, 'and cmain.sc2');
select results_eq($$select consumer_name, last_tick from pgq.get_consumer_info('testqueue') order by 1$$,
                  $$values ('cmain', 10::bigint), ('cmain.sc1', null), ('cmain.sc2', null),
                           ('maincons', 10), ('maincons.s', null)$$,
                  'get_consumer_info: subconsumers without ticks');
select is(pgq.unregister_consumer('testqueue', 'cmain.sc2'), 1, 'pgq.unregister_consumer of a subconsumer: itself alone');
select is(pgq.unregister_consumer('testqueue', 'cmain'), 2, 'pgq.unregister_consumer of the main consumer: it and its subconsumers');
select results_eq($$select consumer_name from pgq.get_consumer_info('testqueue') order by 1$$,
                  $$values ('maincons'), ('maincons.s')$$, 'cmain''s group is gone');

-- dead letters (pgq 4.1) of a subconsumer are its main consumer's
select is(pgq.insert_event('testqueue', 'dl', 'data') > 0, true, 'an event');
select is(pgq.ticker('testqueue') > 0, true, 'tick');
select is(pgq.event_dead(pgq_coop.next_batch('testqueue', 'maincons', 's'),
                         (select max(ev_id) from pgq.event_1 where ev_type = 'dl'), 'gave up'), 1, 'a subconsumer gives up on it');
select results_eq($$select consumer_name, dl_reason from pgq.get_dead_letters('testqueue', null)$$,
                  $$values ('maincons', 'gave up')$$, 'the dead letter is the main consumer''s');
select is(pgq.replay_dead_letters('testqueue', 'maincons', null), 1, 'replayed for the group');
select is(pgq_coop.finish_batch((select sub_batch from pgq.subscription where sub_batch is not null)), 1, 'finish');
select is(pgq.ticker('testqueue') > 0, true, 'tick');
select is((select count(*)::int from pgq.get_batch_events(pgq_coop.next_batch('testqueue', 'maincons', 's2')) where ev_type = 'dl'),
          1, 'another subconsumer of the group gets it back');

-- what each role can do (roles are cluster-wide: leftovers of a failed run go first)
set client_min_messages = warning;
drop role if exists tap_coop_reader, tap_coop_nobody;
reset client_min_messages;
create role tap_coop_reader login in role pgq_reader;
create role tap_coop_nobody login;
set role tap_coop_reader;
select is(pgq_coop.register_subconsumer('testqueue', 'r', 'a'), 1, 'pgq_reader: register_subconsumer');
select is(pgq_coop.next_batch('testqueue', 'r', 'a', '1 hour'), null::bigint, 'pgq_reader: next_batch');
select is(pgq_coop.unregister_subconsumer('testqueue', 'r', 'a', 0), 1, 'pgq_reader: unregister_subconsumer');
reset role;
set role tap_coop_nobody;
select throws_ok($$select pgq_coop.next_batch('testqueue', 'r', 'a')$$, '42501', null, 'others: no next_batch');
select throws_ok($$select pgq_coop.register_subconsumer('testqueue', 'r', 'b')$$, '42501', null, 'others: no register');
select throws_ok($$select pgq_coop.finish_batch(1)$$, '42501', null, 'others: no finish_batch');
select is(pgq_coop.version(), pgq_coop.version(), 'others: version');
reset role;
drop role tap_coop_reader, tap_coop_nobody;

select * from finish();
