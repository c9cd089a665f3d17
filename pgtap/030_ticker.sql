-- Ticker: the decision rule, ticker(), external ticks, force_tick, errors.
select * from no_plan();

select is(pgq.create_queue('qt'), 1, 'queue');
-- a helper that places the two newest ticks at given ages (seconds)
create function pg_temp.age_ticks(newest float8, older float8) returns void language sql as $f$
    update pgq.tick t set tick_time = now() - make_interval(secs => case when t.tick_id = m.top then newest else older end)
      from (select max(tick_id) top from pgq.tick where tick_queue = 1) m
     where t.tick_queue = 1 and t.tick_id >= m.top - 1;
$f$;

-- idle queue
-- (ticks and their ages in one transaction where a check depends on the
-- time between statements: now() is the same for all)
begin;
select is(pgq.ticker('qt'), 2::bigint, 'idle with a single tick: tick');
select is(pgq.ticker('qt'), null::bigint, 'idle, last tick younger than max_lag/2: skip');
commit;
select pg_temp.age_ticks(2, 10) \g /dev/null
select is(pgq.ticker('qt'), null::bigint, 'idle, lag < 2*gap and < idle_period: skip');
select pg_temp.age_ticks(5, 6) \g /dev/null
select is(pgq.ticker('qt'), 3::bigint, 'idle, lag >= 2*gap: tick (back-off doubles)');
select pg_temp.age_ticks(61, 1000) \g /dev/null
select is(pgq.ticker('qt'), 4::bigint, 'idle, lag >= idle_period: tick');
-- 1.4 s is only 0.1 s short of max_lag/2
begin;
select pg_temp.age_ticks(1.4, 100) \g /dev/null
select is(pgq.ticker('qt'), null::bigint, 'idle, lag < max_lag/2 even with a long gap: skip');
commit;

-- busy queue (the first event of a fresh sequence does not count: PgQ's quirk)
select is((select count(pgq.insert_event('qt', 't', 'd'))::int from generate_series(1, 11)), 11, '11 events');
begin;
select pg_temp.age_ticks(1, 100) \g /dev/null
select is(pgq.ticker('qt'), null::bigint, 'new events < max_count and lag < max_lag: skip');
commit;
select pg_temp.age_ticks(3, 100) \g /dev/null
select is(pgq.ticker('qt'), 5::bigint, 'new events and lag >= max_lag: tick');
select is((select tick_event_seq from pgq.tick where tick_queue = 1 and tick_id = 5), 11::bigint,
          'tick stores the event sequence position');
select is(pgq.set_queue_config('qt', 'ticker_max_count', '10'), 1, 'max_count 10');
select is((select count(pgq.insert_event('qt', 't', 'd'))::int from generate_series(1, 9)), 9, '9 events');
select is(pgq.ticker('qt'), null::bigint, '9 new events < max_count: skip');
select is(pgq.insert_event('qt', 't', 'd'), 21::bigint, 'tenth event');
select is(pgq.ticker('qt'), 6::bigint, 'max_count reached: tick at once');

-- snapshot and time of a tick
begin;
select is(pgq.set_queue_config('qt', 'ticker_max_lag', '0'), 1, 'max_lag 0');
select is(pgq.set_queue_config('qt', 'ticker_idle_period', '0'), 1, 'idle_period 0');
select is(pgq.ticker('qt'), 7::bigint, 'with max_lag = idle_period = 0 ...');
select is(pgq.ticker('qt'), 8::bigint, '... every call ticks');
select ok((select tick_time = now() from pgq.tick where tick_queue = 1 and tick_id = 8),
          'tick_time is the transaction''s start');
select ok((select txid_visible_in_snapshot(txid_current(), tick_snapshot) = false
             from pgq.tick where tick_queue = 1 and tick_id = 8),
          'the ticking transaction itself is not in its own snapshot');
commit;

-- ticker(): every queue that is neither external nor paused, by name
select is(pgq.create_queue('qt2'), 1, 'qt2');
select is(pgq.create_queue('qt3'), 1, 'qt3');
select is(pgq.set_queue_config(q, p, '0'), 1, 'zero ' || p || ' on ' || q)
  from unnest(array['qt2', 'qt3']) q, unnest(array['ticker_max_lag', 'ticker_idle_period']) p;
select is(pgq.ticker(), 3::bigint, 'ticker(): three queues ticked (qt: tick 9)');
select is(pgq.set_queue_config('qt2', 'ticker_paused', 'true'), 1, 'pause qt2');
select is(pgq.set_queue_config('qt3', 'external_ticker', 'true'), 1, 'qt3 external');
select is(pgq.ticker(), 1::bigint, 'ticker() skips paused and external queues (qt ticks: tick 10)');
select throws_ok($$select pgq.ticker('qt2')$$, 'PQ007', 'Ticker has been paused for this queue');
select throws_ok($$select pgq.ticker('qt3')$$, 'PQ007', 'This queue has external tick source.');
select throws_ok($$select pgq.ticker('nope')$$, 'PQ001', 'no such queue');
select throws_ok($$select pgq.ticker(null::text)$$, 'PQ001', 'no such queue');

-- external ticks
select is(pgq.ticker('qt3', 100, '2020-01-01 00:00:00+00', 5000), 100::bigint, 'external tick');
select row_eq($$select tick_id, tick_time, tick_event_seq from pgq.tick
                 where tick_queue = 3 order by tick_id desc limit 1$$,
              row(100::bigint, '2020-01-01 00:00:00+00'::timestamptz, 5000::bigint),
              'external tick stored with its id, time and position');
select is(pgq.seq_getval('pgq.event_3_tick_seq'), 100::bigint, 'tick sequence moved forward');
select is(pgq.seq_getval('pgq.event_3_id_seq'), 5000::bigint, 'event sequence moved forward');
select is(pgq.ticker('qt3', 101, '2020-01-01 00:00:01+00', 10), 101::bigint, 'a lower event position ...');
select is(pgq.seq_getval('pgq.event_3_id_seq'), 5000::bigint, '... never moves the sequence back');
select throws_ok($$select pgq.ticker('qt3', 101, now(), 1)$$, '23505', null, 'duplicate external tick id');
select throws_ok($$select pgq.ticker('qt', 200, now(), 1)$$, 'PQ007',
                 'queue not found or ticker disabled: qt');
select throws_ok($$select pgq.ticker('qt2', 200, now(), 1)$$, 'PQ007',
                 'queue not found or ticker disabled: qt2', 'paused queue refuses external ticks');

-- force_tick
select is(pgq.set_queue_config('qt', p, v), 1, 'qt ' || p)
  from (values ('ticker_max_lag', '1 hour'), ('ticker_idle_period', '1 hour'), ('ticker_max_count', '10')) c(p, v);
select is(pgq.ticker('qt'), null::bigint, 'nothing due');
select is(pgq.force_tick('qt'), 10::bigint, 'force_tick returns the newest tick id');
select is(pgq.seq_getval('pgq.event_1_id_seq'), 21::bigint + 1 + 10 * 2 + 1000,
          'event sequence set to nextval + max_count*2+1000, as PgQ 3.5 does');
select is(pgq.ticker('qt'), 11::bigint, 'so the next ticker run ticks');
select is(pgq.force_tick('nope'), null::bigint, 'force_tick: unknown queue');
select is(pgq.force_tick('qt2'), null::bigint, 'force_tick: paused queue');
select is(pgq.force_tick('qt3'), null::bigint, 'force_tick: external queue');

-- a txid counter behind the newest tick (database restored into a new cluster)
update pgq.tick set tick_snapshot = '9000000000:9000000001:' where tick_queue = 1 and tick_id = 11;
select throws_ok($$select pgq.ticker('qt')$$, 'PQ010', null, 'ticker refuses a counter that went backwards');
select throws_like($$select pgq.ticker('qt')$$, 'Invalid PgQ state: old xmin=9000000000, old xmax=9000000001, cur txid=%');

-- the NOTIFY channel of a queue's ticks
select is(pgq._tick_channel('orders'), 'pgq.orders', 'tick channel');
select is(octet_length(pgq._tick_channel(repeat('é', 40))), 62, 'cut to 63 bytes on a character boundary');
select is(pgq._tick_channel(null), null, 'strict');


-- one queue's failure does not stop the others' ticks
select is(pgq.create_queue('qt_ok'), 1, 'a healthy queue');
select is(pgq.set_queue_config('qt_ok', 'ticker_max_lag', '0'), 1, 'that ticks on every call');
select is(pgq.set_queue_config('qt_ok', 'ticker_idle_period', '0'), 1, 'even when idle');
select is(pgq.insert_event('qt_ok', 't', 'd'), 1::bigint, 'an event');
-- qt's newest tick says the txid counter went backwards (PQ010 above)
set client_min_messages = error;
select ok(pgq.ticker() >= 1, 'ticker() still ticks the healthy queue');
reset client_min_messages;
select ok((select count(*) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = 'qt_ok') >= 2,
          'qt_ok got its tick');


-- on-demand ticking (4.1): due as soon as there are new events and the
-- newest tick is ticker_on_demand old; PgQ's rule alone when it is NULL
select is(pgq.create_queue('qod'), 1, 'on-demand queue');
select is(pgq.set_queue_config('qod', 'ticker_on_demand', '0'), 1, 'set_queue_config ticker_on_demand');
select is((select queue_ticker_on_demand from pgq.queue where queue_name = 'qod'), interval '0', '... stored');
select is(pgq.ticker('qod') is not null, true, 'on-demand: the first tick');
select is(pgq.ticker('qod'), null::bigint, 'on-demand, no new events: PgQ''s idle rule (skip)');
-- the queue's first event leaves the sequence's last value at 1 (PgQ does
-- not count it); on demand it is due once committed, and only once
select is(pgq.insert_event('qod', 't', 'first'), 1::bigint, 'the first event');
select is(pgq.ticker('qod') is not null, true, 'on-demand, the first event: tick at once');
select is(pgq.ticker('qod'), null::bigint, '... and not again');
select is((select count(pgq.insert_event('qod', 't', 'd'))::int from generate_series(1, 3)), 3, 'more events');
select is(pgq.ticker('qod') is not null, true, 'on-demand, new events: tick at once (max_count and max_lag not reached)');
select is(pgq.set_queue_config('qod', 'ticker_on_demand', '1 hour'), 1, 'on-demand interval 1 hour');
select is((select count(pgq.insert_event('qod', 't', 'd'))::int from generate_series(1, 2)), 2, 'more events');
select is(pgq.ticker('qod'), null::bigint, 'on-demand, newest tick younger than the interval: skip');
update pgq.tick set tick_time = tick_time - interval '2 hours'
 where tick_queue = (select queue_id from pgq.queue where queue_name = 'qod');
select is(pgq.ticker('qod') is not null, true, 'on-demand, newest tick older than the interval: tick');
select is(pgq.set_queue_config('qod', 'ticker_on_demand', 'off'), 1, 'ticker_on_demand off');
select is((select queue_ticker_on_demand from pgq.queue where queue_name = 'qod'), null, '... stored as NULL');
select is((select count(pgq.insert_event('qod', 't', 'd'))::int from generate_series(1, 2)), 2, 'more events');
select is(pgq.ticker('qod'), null::bigint, 'off: PgQ''s rule again (skip below max_count and max_lag)');
select throws_ok($$select pgq.set_queue_config('qod', 'ticker_on_demand', '-1 s')$$, '22023',
                 'invalid value for parameter "ticker_on_demand": -1 s', 'a negative interval is refused');
select is(pgq.set_queue_config('qod', 'queue_ticker_on_demand', ''), 1, '... the prefixed name, and the empty string for off');

-- The rule once more, step by step, through pgq.ticker(queue) and through
-- pgq.ticker() (4.1: one statement for all queues): both must decide alike
create function pg_temp.rule_steps(q text, via_all boolean) returns boolean[] language plpgsql as $f$
declare
    qid int4 := (select queue_id from pgq.queue where queue_name = q);
    r boolean[] := '{}';
begin
    -- only this queue is ticked by ticker()
    update pgq.queue set queue_ticker_paused = (queue_name <> q) where via_all;
    for step in 1 .. 11 loop
        case step
            when 1 then delete from pgq.tick where tick_queue = qid;             -- no tick yet: tick
            when 2 then null;                                                     -- single tick: tick
            when 3 then null;                                                     -- younger than max_lag/2: skip
            when 4 then perform pg_temp.age_q(qid, 2, 10);                        -- lag < 2*gap: skip
            when 5 then perform pg_temp.age_q(qid, 5, 6);                         -- lag >= 2*gap: tick
            when 6 then perform pg_temp.age_q(qid, 61, 1000);                     -- lag >= idle_period: tick
            when 7 then perform pg_temp.age_q(qid, 1.4, 100);                     -- lag < max_lag/2: skip
            when 8 then perform pgq.insert_event(q, 't', 'd') from generate_series(1, 11);
                        perform pg_temp.age_q(qid, 1, 100);                       -- new < max_count, lag < max_lag: skip
            when 9 then perform pg_temp.age_q(qid, 3, 100);                       -- lag >= max_lag: tick
            when 10 then perform pgq.set_queue_config(q, 'ticker_max_count', '10');
                         perform pgq.insert_event(q, 't', 'd') from generate_series(1, 9);   -- 9 < 10: skip
            when 11 then perform pgq.insert_event(q, 't', 'd');                   -- max_count reached: tick
        end case;
        if via_all then
            r := r || (pgq.ticker() = 1);
        else
            r := r || (pgq.ticker(q) is not null);
        end if;
    end loop;
    update pgq.queue set queue_ticker_paused = false where via_all;
    return r;
end;
$f$;
create function pg_temp.age_q(qid int4, newest float8, older float8) returns void language sql as $f$
    update pgq.tick t set tick_time = now() - make_interval(secs => case when t.tick_id = m.top then newest else older end)
      from (select max(tick_id) top from pgq.tick where tick_queue = qid) m
     where t.tick_queue = qid and t.tick_id >= m.top - 1;
$f$;
select pgq.create_queue('qra'), pgq.create_queue('qrb');
select is(pg_temp.rule_steps('qra', false), array[true, true, false, false, true, true, false, false, true, false, true],
          'the rule step by step: ticker(queue)');
select is(pg_temp.rule_steps('qrb', true), array[true, true, false, false, true, true, false, false, true, false, true],
          'the same steps: ticker()');
select is((select array_agg(tick_event_seq order by tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
            where q.queue_name = 'qrb'),
          (select array_agg(tick_event_seq order by tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
            where q.queue_name = 'qra'),
          'and store the same event positions');
-- ticker() takes an on-demand queue, and one whose tick is ahead of the
-- txid counter, through ticker(queue) (which reports it and goes on)
update pgq.queue set queue_ticker_paused = (queue_name not in ('qra', 'qrb'));
select is(pgq.set_queue_config('qra', 'ticker_on_demand', '0'), 1, 'qra on demand');
select is(pgq.insert_event('qra', 't', 'od'), 22::bigint, 'an event for it');
update pgq.tick set tick_snapshot = '9000000000:9000000001:'
 where tick_queue = (select queue_id from pgq.queue where queue_name = 'qrb');
set client_min_messages = error;
select is(pgq.ticker(), 1::bigint, 'ticker(): the on-demand queue ticks, the broken one is skipped');
reset client_min_messages;
update pgq.queue set queue_ticker_paused = false;

select * from finish();
