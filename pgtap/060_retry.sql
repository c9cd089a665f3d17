-- Retry: event_retry, batch_retry, event_retry_raw, maint_retry_events.
select * from no_plan();

select is(pgq.create_queue('qx'), 1, 'queue');
select is(pgq.set_queue_config('qx', p, '0'), 1, p || ' = 0')
  from unnest(array['ticker_max_lag', 'ticker_idle_period']) p;
select is(pgq.register_consumer('qx', 'c1'), 1, 'c1');
select is(pgq.register_consumer('qx', 'c2'), 1, 'c2');
select is(pgq.insert_event('qx', 't' || i, 'd' || i), i::bigint, 'event ' || i) from generate_series(1, 3) i;
select is(pgq.ticker('qx'), 2::bigint, 'tick');
select is(pgq.next_batch('qx', 'c1'), 1::bigint, 'c1 batch 1');

-- event_retry
select is(pgq.event_retry(1, 2, 0), 1, 'retry event 2 now');
select is(pgq.event_retry(1, 2, 0), 0, 'retrying it again: 0');
select throws_ok($$select pgq.event_retry(1, 99, 0)$$, 'PQ009', 'event not found');
select throws_ok($$select pgq.event_retry(999, 1, 0)$$, 'PQ009', 'event not found', 'unknown batch');
select is(pgq.event_retry(1, 3, now() + interval '1 hour'), 1, 'retry event 3 in an hour');
select results_eq($$select ev_id, ev_owner, ev_retry, ev_txid, ev_type, ev_data, ev_queue
                      from pgq.retry_queue order by ev_id$$,
                  $$values (2::bigint, 1, 1, null::bigint, 't2', 'd2', 1), (3::bigint, 1, 1, null::bigint, 't3', 'd3', 1)$$,
                  'retry rows: owner = sub_id, retry count 1, no txid');

-- batch_retry
select is(pgq.batch_retry(1, 0), 1, 'batch_retry adds the one not yet waiting');
select throws_ok($$select pgq.batch_retry(999, 0)$$, 'PQ003', 'batch_retry: batch 999 not found');
delete from pgq.retry_queue where ev_id = 1;
select is(pgq.finish_batch(1), 1, 'finish batch 1');

-- maint_retry_events moves due events back, for their owner only
select is(pgq.maint_retry_events(), 1, 'one event due');
select is(pgq.maint_retry_events(), 0, 'then none');
select is((select count(*)::int from pgq.retry_queue), 1, 'the later one waits');
select is(pgq.ticker('qx'), 3::bigint, 'tick');
select is(pgq.next_batch('qx', 'c1'), 2::bigint, 'c1 batch 2');
select results_eq($$select ev_id, ev_type, ev_retry from pgq.get_batch_events(2)$$,
                  $$values (2::bigint, 't2', 1)$$, 'c1 gets event 2 back, same id, retry 1');
select is(pgq.event_retry(2, 2, 0), 1, 'fails again');
select is(pgq.finish_batch(2), 1, 'finish');
select is(pgq.maint_retry_events(), 1, 'moved again');
select is(pgq.ticker('qx'), 4::bigint, 'tick');
select is(pgq.next_batch('qx', 'c1'), 3::bigint, 'c1 batch 3');
select results_eq($$select ev_id, ev_retry from pgq.get_batch_events(3)$$,
                  $$values (2::bigint, 2)$$, 'retry counted up to 2');
select is(pgq.finish_batch(3), 1, 'finish');
select is(pgq.next_batch('qx', 'c2'), 4::bigint, 'c2 batch (ticks 1..2)');
select results_eq($$select ev_id, ev_retry from pgq.get_batch_events(4)$$,
                  $$values (1::bigint, null::int), (2::bigint, null), (3::bigint, null)$$,
                  'c2 sees the originals only');
select is(pgq.finish_batch(4), 1, 'finish');
select is(pgq.next_batch('qx', 'c2'), 5::bigint, 'c2 next batch');
select is((select count(*)::int from pgq.get_batch_events(5)), 0, 'c1''s retried copies are not for c2');
select is(pgq.finish_batch(5), 1, 'finish');

-- event_retry_raw
select throws_ok($$select pgq.event_retry_raw('qx', 'nobody', now(), null, now(), 0, 't', 'd', null, null, null, null)$$,
                 'PQ002', 'consumer not registered');
select throws_ok($$select pgq.event_retry_raw('nope', 'c1', now(), null, now(), 0, 't', 'd', null, null, null, null)$$,
                 'PQ002', 'consumer not registered');
select is(pgq.event_retry_raw('qx', 'c2', now(), 500, '2020-01-01', 3, 'raw', 'data', 'e1', null, null, null),
          500::bigint, 'event_retry_raw with an id');
select ok(pgq.event_retry_raw('qx', 'c2', now(), null, now(), 0, 'raw', 'new id', null, null, null, null) > 4,
          'event_retry_raw without an id takes one from the queue');
select row_eq($$select ev_owner, ev_retry, ev_time, ev_extra1 from pgq.retry_queue where ev_id = 500$$,
              row(2, 3, '2020-01-01'::timestamptz, 'e1'::text), 'stored for c2');

-- ten at a time
select is((select count(pgq.event_retry_raw('qx', 'c1', now() - interval '1 minute', 1000 + i, now(), 0, 'bulk', null, null, null, null, null))::int
             from generate_series(1, 15) i), 15, '15 due');
select is(pgq.maint_retry_events(), 10, 'ten per call');
select is(pgq.maint_retry_events(), 7, 'then the rest (15 + 2 for c2)');
select is(pgq.maint_retry_events(), 0, 'then 0');

-- unregistering drops the consumer's waiting events
select is(pgq.event_retry_raw('qx', 'c1', now() + interval '1 day', 2000, now(), 0, 't', 'd', null, null, null, null),
          2000::bigint, 'a waiting event for c1');
select is(pgq.event_retry_raw('qx', 'c2', now() + interval '1 day', 2001, now(), 0, 't', 'd', null, null, null, null),
          2001::bigint, 'a waiting event for c2');
select is((select count(*)::int from pgq.retry_queue where ev_owner = 1), 2, 'c1 has two waiting (event 3 and 2000)');
select is(pgq.unregister_consumer('qx', 'c1'), 1, 'unregister c1');
select is((select count(*)::int from pgq.retry_queue where ev_owner = 1), 0, 'its retry rows are gone');
select results_eq($$select ev_id, ev_owner from pgq.retry_queue$$, $$values (2001::bigint, 2)$$, 'c2''s stays');

select * from finish();
