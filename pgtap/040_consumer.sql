-- Consumer: registration, batches, batch SQL, cursors, info functions.
-- Each statement commits on its own, as batches are cut from committed
-- snapshots.
select * from no_plan();

select is(pgq.create_queue('qc'), 1, 'queue');
select is(pgq.set_queue_config('qc', p, '0'), 1, p || ' = 0: every ticker call ticks')
  from unnest(array['ticker_max_lag', 'ticker_idle_period']) p;

-- register
select throws_ok($$select pgq.register_consumer('nope', 'c1')$$, 'PQ001', 'Event queue not created yet');
select is(pgq.register_consumer('qc', 'c1'), 1, 'register: new');
select is(pgq.register_consumer('qc', 'c1'), 0, 'register: again');
select is(pgq.register_consumer('qc', 'c2'), 1, 'second consumer');
select results_eq($$select co_id, co_name from pgq.consumer order by co_id$$,
                  $$values (1, 'c1'), (2, 'c2')$$, 'consumer ids');
select results_eq($$select sub_id, sub_consumer, sub_last_tick, sub_batch, sub_next_tick
                      from pgq.subscription order by sub_id$$,
                  $$values (1, 1, 1::bigint, null::bigint, null::bigint), (2, 2, 1::bigint, null, null)$$,
                  'subscriptions start at the newest tick');
select throws_ok($$select pgq.register_consumer_at('qc', 'c3', 999)$$, 'PQ004', 'cannot reposition, tick not found: 999');
select is((select count(*)::int from pgq.consumer where co_name = 'c3'), 0, 'failed registration leaves nothing');
select is(pgq.create_queue('q_noticks'), 1, 'a queue ...');
delete from pgq.tick where tick_queue = 2;
select throws_ok($$select pgq.register_consumer('q_noticks', 'c1')$$, 'PQ004',
                 'No ticks for this queue.  Please run ticker on database.', '... without ticks');

-- no batch before a new tick
select is(pgq.next_batch('qc', 'c1'), null::bigint, 'no new tick: no batch');
select row_eq($$select * from pgq.next_batch_info('qc', 'c1')$$,
              row(null::bigint, null::bigint, null::bigint, null::timestamptz, null::timestamptz, null::bigint, null::bigint),
              'next_batch_info: all NULL');
select throws_ok($$select pgq.next_batch('qc', 'nobody')$$, 'PQ002', 'Not subscriber to queue: qc/nobody');
select throws_ok($$select pgq.next_batch(null, null)$$, 'PQ002', 'Not subscriber to queue: NULL/NULL');

-- events, tick, batch
select is(pgq.insert_event('qc', 'ev', 'one', 'x1', null, null, null), 1::bigint, 'event 1');
select is(pgq.insert_event('qc', 'ev', 'two', 'x2', null, null, null), 2::bigint, 'event 2');
select is(pgq.ticker('qc'), 2::bigint, 'tick 2');
select is(pgq.insert_event('qc', 'ev', 'three', 'x1', null, null, null), 3::bigint, 'event 3 after the tick');
select is(pgq.next_batch('qc', 'c1'), 1::bigint, 'batch 1');
select is(pgq.next_batch('qc', 'c1'), 1::bigint, 'the open batch is returned again');
select row_eq($$select batch_id, cur_tick_id, prev_tick_id, cur_tick_event_seq, prev_tick_event_seq
                  from pgq.next_batch_info('qc', 'c1')$$,
              row(1::bigint, 2::bigint, 1::bigint, 2::bigint, 1::bigint), 'next_batch_info of the open batch');
select ok((select cur_tick_time > prev_tick_time from pgq.next_batch_info('qc', 'c1')), 'tick times');
select results_eq($$select ev_id, ev_data, ev_extra1, ev_retry from pgq.get_batch_events(1)$$,
                  $$values (1::bigint, 'one', 'x1', null::int), (2::bigint, 'two', 'x2', null::int)$$,
                  'batch 1 has the events committed before tick 2');
select is(array(select * from pgq.batch_event_tables(1)), array['pgq.event_1_2', 'pgq.event_1_0'],
          'batch tables: previous (wrapping) and current');
select ok(pgq.batch_event_sql(1) like 'select ev.ev_id, ev.ev_time, ev.ev_txid, ev.ev_retry, ev.ev_type, ev.ev_data, ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4 from pgq.event_1_2 ev where %order by 1',
          'batch_event_sql shape');
select throws_ok($$select pgq.batch_event_sql(999)$$, 'PQ003', 'batch not found');
select throws_ok($$select * from pgq.get_batch_events(999)$$, 'PQ003', 'batch not found');
select throws_ok($$select * from pgq.batch_event_tables(999)$$, 'PQ003', 'Cannot find data for batch 999');

-- get_batch_info
select row_eq($$select queue_name, consumer_name, prev_tick_id, tick_id, seq_start, seq_end
                  from pgq.get_batch_info(1)$$,
              row('qc'::text, 'c1'::text, 1::bigint, 2::bigint, 1::bigint, 2::bigint), 'get_batch_info');
select ok((select batch_end > batch_start and lag >= interval '0' from pgq.get_batch_info(1)), 'batch times and lag');
select row_eq($$select * from pgq.get_batch_info(999)$$,
              row(null::text, null::text, null::timestamptz, null::timestamptz, null::bigint, null::bigint,
                  null::interval, null::bigint, null::bigint),
              'unknown batch: all NULL');

-- get_consumer_info
select results_eq($$select queue_name, consumer_name, last_tick, current_batch, next_tick, pending_events
                      from pgq.get_consumer_info()$$,
                  $$values ('qc'::text, 'c1'::text, 1::bigint, 1::bigint, 2::bigint, 1::bigint),
                           ('qc', 'c2', 1, null, null, 1)$$,
                  'get_consumer_info()');
select is((select count(*)::int from pgq.get_consumer_info('qc')), 2, 'get_consumer_info(queue)');
select is((select count(*)::int from pgq.get_consumer_info('qc', 'c2')), 1, 'get_consumer_info(queue, consumer)');
select is((select count(*)::int from pgq.get_consumer_info(null, 'c2')), 1, 'NULL queue = any');
select is((select count(*)::int from pgq.get_consumer_info('nope')), 0, 'unknown queue');
select ok((select lag >= interval '0' and last_seen >= interval '0' from pgq.get_consumer_info('qc', 'c1')),
          'lag and last_seen');

-- finish
select is(pgq.finish_batch(1), 1, 'finish_batch');
set client_min_messages = error;
select is(pgq.finish_batch(1), 0, 'finish_batch again: 0 (with a warning)');
reset client_min_messages;
select is(pgq.next_batch('qc', 'c1'), null::bigint, 'nothing new yet');
select is(pgq.ticker('qc'), 3::bigint, 'tick 3');
select is(pgq.next_batch('qc', 'c1'), 2::bigint, 'batch ids are global and count up');
select results_eq($$select ev_id from pgq.get_batch_events(2)$$, $$values (3::bigint)$$,
                  'event 3 is in the next batch, once');
select is(pgq.finish_batch(2), 1, 'finish 2');

-- cursor
select is((select count(pgq.insert_event('qc', 'bulk', i::text, case when i % 2 = 0 then 'even' end, null, null, null))::int
             from generate_series(1, 10) i), 10, '10 events');
select is(pgq.ticker('qc'), 4::bigint, 'tick 4');
select is(pgq.next_batch('qc', 'c1'), 3::bigint, 'batch 3');
begin;
select results_eq($$select ev_data from pgq.get_batch_cursor(3, 'walker', 3)$$,
                  $$values ('1'), ('2'), ('3')$$, 'quick limit rows come back at once');
select results_eq($$fetch 100 from walker$$,
                  $$select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
                      from pgq.get_batch_events(3) offset 3$$,
                  'the rest from the cursor');
close walker;
select results_eq($$select ev_data from pgq.get_batch_cursor(3, 'Odd Name', 2, 'ev_extra1 = ''even''')$$,
                  $$values ('2'), ('4')$$, 'extra_where filters');
select results_eq($$fetch all from "Odd Name"$$,
                  $$select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
                      from pgq.get_batch_events(3) where ev_extra1 = 'even' offset 2$$,
                  'cursor name is quoted, filter applies to the rest');
select is((select count(*)::int from pgq.get_batch_cursor(3, 'c0', 0)), 0, 'limit 0: no rows ...');
select is((select count(*)::int from pg_cursors where name = 'c0'), 1, '... but the cursor is open');
select is((select count(*)::int from pgq.get_batch_cursor(null, 'c1', 10)), 0, 'NULL batch: nothing');
select is((select count(*)::int from pgq.get_batch_cursor(3, null, 10)), 0, 'NULL cursor name: nothing');
select is((select count(*)::int from pgq.get_batch_cursor(3, 'c2', null, null)), 0, 'NULL limit: nothing');
commit;
select is(pgq.finish_batch(3), 1, 'finish 3');

-- events for one subscriber only (retried events carry ev_owner = sub_id)
select is(pgq.register_consumer_at('qc', 'c2', 4), 0, 'c2 moves up to tick 4');
select is(pgq.insert_event_raw('qc', null, now(), 2, 1, 'retry', 'for c2', null, null, null, null), 14::bigint,
          'an event owned by c2''s subscription');
select is(pgq.ticker('qc'), 5::bigint, 'tick 5');
select is(pgq.next_batch('qc', 'c1'), 4::bigint, 'c1 batch');
select is((select count(*)::int from pgq.get_batch_events(4)), 0, 'c1 does not see it');
select is(pgq.next_batch('qc', 'c2'), 5::bigint, 'c2 batch');
select results_eq($$select ev_id, ev_data, ev_retry from pgq.get_batch_events(5)$$,
                  $$values (14::bigint, 'for c2', 1)$$, 'c2 sees it, with its retry count');
select is(pgq.finish_batch(4), 1, 'finish c1');
select is(pgq.finish_batch(5), 1, 'finish c2');

-- next_batch_custom / find_tick_helper
select is((select count(pgq.insert_event('qc', 't', 'd'))::int from generate_series(1, 5)), 5, '5 events');
select is(pgq.ticker('qc'), 6::bigint, 'tick 6');
select is((select count(pgq.insert_event('qc', 't', 'd'))::int from generate_series(1, 5)), 5, '5 more');
select is(pgq.ticker('qc'), 7::bigint, 'tick 7');
select row_eq($$select next_tick_id, next_tick_seq from pgq.find_tick_helper(1, 5, now(), 14, 5, null)$$,
              row(7::bigint, 24::bigint), 'newest tick meets min_count and overshoots it by no more than 2x');
select row_eq($$select next_tick_id from pgq.find_tick_helper(1, 5, now(), 14, 4, null)$$,
              row(6::bigint), 'overshoot > 2x: first tick meeting min_count');
select row_eq($$select * from pgq.find_tick_helper(1, 5, now(), 14, 100, null)$$,
              row(null::bigint, null::timestamptz, null::bigint), 'min_count not met: NULLs');
select row_eq($$select next_tick_id from pgq.find_tick_helper(1, 5, now() - interval '1 hour', 14, null, '10 minutes')$$,
              row(6::bigint), 'min_interval, overshot: first tick meeting it');
select row_eq($$select next_tick_id from pgq.find_tick_helper(1, 5, now() - interval '1 hour', 14, null, '59 minutes')$$,
              row(7::bigint), 'min_interval met by the newest tick');
select row_eq($$select next_tick_id from pgq.find_tick_helper(1, 7, now(), 24, 1, null)$$,
              row(null::bigint), 'no tick after prev: NULLs');
select row_eq($$select batch_id, cur_tick_id, prev_tick_id from pgq.next_batch_custom('qc', 'c1', null, 100, null)$$,
              row(null::bigint, null::bigint, null::bigint), 'custom: min_count not met, no batch');
select row_eq($$select batch_id, cur_tick_id from pgq.next_batch_custom('qc', 'c1', '1 hour', null, null)$$,
              row(null::bigint, null::bigint), 'custom: min_lag not met, no batch');
select row_eq($$select batch_id, cur_tick_id, prev_tick_id from pgq.next_batch_custom('qc', 'c1', null, 5, null)$$,
              row(6::bigint, 7::bigint, 5::bigint), 'custom: min_count 5 takes both ticks');
select is(pgq.finish_batch(6), 1, 'finish');

-- reposition
select is(pgq.next_batch('qc', 'c2'), 7::bigint, 'c2 has a batch open');
select is(pgq.register_consumer_at('qc', 'c2', 2), 0, 'reposition an existing consumer');
select row_eq($$select sub_last_tick, sub_batch, sub_next_tick from pgq.subscription
                 where sub_consumer = (select co_id from pgq.consumer where co_name = 'c2')$$,
              row(2::bigint, null::bigint, null::bigint), 'moved back, open batch dropped');
select is(pgq.register_consumer_at('qc', 'c3', 3), 1, 'new consumer at a given tick');
select is((select sub_last_tick from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
            where c.co_name = 'c3'), 3::bigint, 'starts there');

-- corruption: the consumer's tick is gone
update pgq.subscription set sub_last_tick = 999
 where sub_consumer = (select co_id from pgq.consumer where co_name = 'c3');
select throws_ok($$select pgq.next_batch('qc', 'c3')$$, 'PQ010',
                 'PgQ corruption: Consumer c3 on queue qc does not see tick 999');

-- unregister
insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_owner, ev_retry, ev_type)
values (now(), 1, 1, now(), 2, 1, 'waiting');
select is(pgq.unregister_consumer('qc', 'c2'), 1, 'unregister');
select is((select count(*)::int from pgq.retry_queue), 0, 'its retry events are gone');
select is((select count(*)::int from pgq.consumer where co_name = 'c2'), 0, 'consumer row gone');
select is(pgq.unregister_consumer('qc', 'c2'), 0, 'unregister again: 0');
select is(pgq.unregister_consumer('nope', 'c1'), 0, 'unknown queue: 0');
select is((select count(*)::int from pgq.consumer where co_name = 'c1'), 1, 'c1 kept');

-- cooperative sub-consumers share their main consumer's sub_id
insert into pgq.consumer (co_name) values ('c1.s1'), ('c1.s2');
insert into pgq.subscription (sub_id, sub_queue, sub_consumer, sub_last_tick, sub_next_tick)
select 1, 1, co_id, null, null from pgq.consumer where co_name in ('c1.s1', 'c1.s2');
select is(pgq.unregister_consumer('qc', 'c1.s1'), 1, 'a sub-consumer goes alone');
select is((select count(*)::int from pgq.subscription where sub_id = 1), 2, 'main and the other sub stay');
select is(pgq.unregister_consumer('qc', 'c1'), 2, 'the main consumer takes its subs along');
select is((select count(*)::int from pgq.consumer where co_name like 'c1%'), 0, 'their consumer rows too');

select * from finish();
