-- Dead letters (4.1, not in PgQ): a queue's max_retries, events retried past
-- it, event_dead, listing, replay and purge.  Each statement commits on its
-- own, as batches are cut from committed snapshots.
select * from no_plan();

select is(pgq.create_queue('dq'), 1, 'queue');
select is(pgq.set_queue_config('dq', p, '0'), 1, p || ' = 0: every ticker call ticks')
  from unnest(array['ticker_max_lag', 'ticker_idle_period']) p;
select is(pgq.register_consumer('dq', 'c1'), 1, 'consumer c1');
select is(pgq.register_consumer('dq', 'c2'), 1, 'consumer c2');

-- the setting
select is((select queue_max_retries from pgq.queue where queue_name = 'dq'), null::int, 'max_retries: off by default');
select throws_ok($$select pgq.set_queue_config('dq', 'max_retries', '-1')$$, '22023',
                 'invalid value for parameter "max_retries": -1', 'a negative max_retries is refused');
select throws_ok($$select pgq.set_queue_config('dq', 'max_retries', 'x')$$, '22P02', null, 'not a number');
select is(pgq.set_queue_config('dq', 'queue_max_retries', '5'), 1, 'with the queue_ prefix');
select is(pgq.set_queue_config('dq', 'max_retries', null), 1, 'NULL: off again');
select is((select queue_max_retries from pgq.queue where queue_name = 'dq'), null::int, 'off');

-- off: PgQ behaviour, retries without end
select is(pgq.insert_event('dq', 'ev', 'a'), 1::bigint, 'event a');
-- one failing round for a consumer, in its own transaction: tick, take its
-- batches up to that tick, retry event i_ev (where one has it) with
-- i_reason, finish them, put retried events back
-- Returns: event_retry's result; -2 the event was in none of the batches.
create function pg_temp.fail(i_consumer text, i_ev bigint, i_reason text) returns int4 language plpgsql as $$
declare v_batch bigint; v_n int4 := -2;
begin
    perform pgq.ticker('dq');
    loop
        v_batch := pgq.next_batch('dq', i_consumer);
        exit when v_batch is null;
        if exists (select 1 from pgq.get_batch_events(v_batch) where ev_id = i_ev) then
            v_n := pgq.event_retry(v_batch, i_ev, 0, i_reason);
        end if;
        perform pgq.finish_batch(v_batch);
    end loop;
    perform pgq.maint_retry_events();
    return v_n;
end $$;
-- a consumer's batches up to the newest tick, finished
create function pg_temp.drain(i_consumer text) returns int4 language plpgsql as $$
declare v_batch bigint; v_n int4 := 0;
begin
    loop
        v_batch := pgq.next_batch('dq', i_consumer);
        exit when v_batch is null;
        perform pgq.finish_batch(v_batch);
        v_n := v_n + 1;
    end loop;
    return v_n;
end $$;
select is(pg_temp.fail('c1', 1, 'r1'), 1, 'off: retry 1');
select is(pg_temp.fail('c1', 1, 'r2'), 1, 'off: retry 2');
select is(pg_temp.fail('c1', 1, 'r3'), 1, 'off: retry 3');
select is(pg_temp.fail('c1', 1, 'r4'), 1, 'off: retry 4');
select is(pg_temp.fail('c1', 1, 'r5'), 1, 'off: retry 5');
select is((select max(ev_retry) from pgq.event_1 where ev_id = 1), 5, 'the event was retried 5 times');
select is((select count(*)::int from pgq.dead_letter), 0, 'off: no dead letters');
select is(pg_temp.fail('c2', 0, 'x'), -2, 'c2 took event 1 once, not retried');

-- max_retries 2: the third retry is a dead letter
select is(pgq.set_queue_config('dq', 'max_retries', '2'), 1, 'max_retries 2 ...');
select is(pg_temp.fail('c1', 1, 'r6'), 1, '... event 1 has had 5 retries: it goes now');
select is((select count(*)::int from pgq.get_dead_letters('dq', 'c1')), 1, 'c1''s first dead letter');
select is(pg_temp.fail('c1', 1, 'r7'), -2, 'and does not come back');
create temp table ids (name text, id bigint);
insert into ids select 'c', pgq.insert_event('dq', 'ev', 'c');
select is(pg_temp.fail('c1', (select id from ids where name = 'c'), 'first'), 1, 'try 1 fails: retry 1');
select is(pg_temp.fail('c1', (select id from ids where name = 'c'), 'second'), 1, 'try 2 fails: retry 2');
select is((select count(*)::int from pgq.dead_letter where ev_id = (select id from ids where name = 'c')), 0, 'no dead letter yet');
select is(pg_temp.fail('c1', (select id from ids where name = 'c'), 'third'), 1, 'try 3 fails: past max_retries 2 ...');
select is((select count(*)::int from pgq.retry_queue), 0, '... not into the retry queue ...');
select results_eq($$select queue_name, consumer_name, dl_retry_count, dl_reason, ev_id
                           = (select id from ids where name = 'c'), ev_type, ev_data
                      from pgq.get_dead_letters('dq', null) where ev_data = 'c'$$,
                  $$values ('dq', 'c1', 2, 'third', true, 'ev', 'c')$$,
                  '... but into the dead letters, with consumer, retry count, reason and the event');
select ok((select dl_time > now() - interval '1 minute' from pgq.get_dead_letters('dq', 'c1') where ev_data = 'c'), 'dl_time');
select is(pg_temp.fail('c1', (select id from ids where name = 'c'), 'more'), -2, 'it does not come back to c1');
select ok(pg_temp.drain('c2') > 0, 'c2 takes event c, and does not retry it');
select is((select count(*)::int from pgq.get_dead_letters('dq', 'c2')), 0, 'c2 has none');
select is(pgq.purge_dead_letters('dq', 'c1', (select dl_id from pgq.dead_letter where ev_id = 1)), 1, 'purge event 1''s');

-- event_dead: at once, whatever max_retries; the 3-argument event_retry and
-- batch_retry obey max_retries too
select is(pgq.set_queue_config('dq', 'max_retries', '0'), 1, 'max_retries 0: no retries at all');
select ok(pg_temp.drain('c2') >= 0, 'c2 catches up');
insert into ids select 'd' || i, pgq.insert_event('dq', 'ev', 'd' || i) from generate_series(1, 3) i;
select is(pgq.ticker('dq') > 0, true, 'tick');
select is(pgq.next_batch('dq', 'c2') is not null, true, 'c2: a batch of d1, d2, d3');
select is(pgq.event_dead((select sub_batch from pgq.subscription where sub_batch is not null), (select id from ids where name = 'd1'), 'bad'), 1, 'event_dead d1');
select is(pgq.event_dead((select sub_batch from pgq.subscription where sub_batch is not null), (select id from ids where name = 'd1'), 'bad'), 0, 'again: 0');
select is(pgq.event_retry((select sub_batch from pgq.subscription where sub_batch is not null), (select id from ids where name = 'd1'), 0), 0,
          'retrying a dead letter: 0');
select is(pgq.event_retry((select sub_batch from pgq.subscription where sub_batch is not null), (select id from ids where name = 'd2'), now()), 1,
          'event_retry(timestamptz) d2 with max_retries 0: dead');
select is(pgq.batch_retry((select sub_batch from pgq.subscription where sub_batch is not null), 0), 1,
          'batch_retry: the rest (d3) dead too');
select throws_ok($$select pgq.event_dead((select sub_batch from pgq.subscription where sub_batch is not null), 999, 'x')$$,
                 'PQ009', 'event not found', 'event_dead: no such event');
select throws_ok($$select pgq.event_dead(999999, 1, 'x')$$, 'PQ009', 'event not found', 'event_dead: no such batch');
select is(pgq.finish_batch((select sub_batch from pgq.subscription where sub_batch is not null)), 1, 'finish');
select results_eq($$select consumer_name, dl_retry_count, dl_reason, ev_data from pgq.get_dead_letters('dq', 'c2')$$,
                  $$values ('c2', 0, 'bad', 'd1'), ('c2', 0, null, 'd2'), ('c2', 0, null, 'd3')$$, 'c2''s dead letters');
select is((select count(*)::int from pgq.get_dead_letters('dq', null)), 4, 'all of the queue''s');
select throws_ok($$select * from pgq.get_dead_letters('nope', null)$$, 'PQ001', 'No such queue', 'list: no such queue');

-- replay: back into the queue, for that consumer alone, retry count reset
select is(pgq.set_queue_config('dq', 'max_retries', '1'), 1, 'max_retries 1');
select is(pgq.replay_dead_letters('dq', 'c2', (select min(dl_id) from pgq.dead_letter where ev_data = 'd1')), 1, 'replay one');
select is((select count(*)::int from pgq.get_dead_letters('dq', 'c2')), 2, 'it left the dead letters');
select ok(pg_temp.drain('c1') >= 0, 'c1 catches up');
select is(pgq.ticker('dq') > 0, true, 'tick');
select is(pgq.finish_batch(pgq.next_batch('dq', 'c1')), 1, 'c1''s batch ...');
select is((select count(*)::int from pgq.event_1 where ev_data = 'd1'), 2, '(the event is in the queue again)');
select is(pg_temp.drain('c1'), 0, '... had nothing more');
select is(pgq.next_batch('dq', 'c2') is not null, true, 'c2 does');
select results_eq($$select ev_id = (select id from ids where name = 'd1'), ev_retry, ev_type, ev_data from pgq.get_batch_events((select sub_batch from pgq.subscription where sub_batch is not null))$$,
                  $$values (true, null::int, 'ev', 'd1')$$, 'the same event, its retries counted anew');
select is(pgq.event_retry((select sub_batch from pgq.subscription where sub_batch is not null), (select id from ids where name = 'd1'), 0, 'again'), 1,
          'with max_retries 1 it may be retried once more');
select is((select count(*)::int from pgq.retry_queue), 1, 'into the retry queue');
select is(pgq.finish_batch((select sub_batch from pgq.subscription where sub_batch is not null)), 1, 'finish');
select is(pgq.replay_dead_letters('dq', 'c2', null), 2, 'replay all of c2''s');
select is((select count(*)::int from pgq.get_dead_letters('dq', 'c2')), 0, 'none left');
select throws_ok($$select pgq.replay_dead_letters('dq', 'nobody', null)$$, 'PQ002', 'Not subscriber to queue: dq/nobody',
                 'replay for an unregistered consumer');
select throws_ok($$select pgq.replay_dead_letters('dq', null, null)$$, '22004', 'Invalid NULL value', 'replay: NULL consumer');
select throws_ok($$select pgq.replay_dead_letters('nope', 'c1', null)$$, 'PQ001', 'No such queue', 'replay: no such queue');

-- purge
select is(pgq.purge_dead_letters('dq', 'c2', null), 0, 'purge: c2 has none');
select is(pgq.purge_dead_letters('dq', 'c1', 999999), 0, 'purge: no such id');
select is(pgq.purge_dead_letters('dq', null, null), 1, 'purge the queue''s (c1''s one)');
select is((select count(*)::int from pgq.dead_letter), 0, 'empty');
select throws_ok($$select pgq.purge_dead_letters('nope', null, null)$$, 'PQ001', 'No such queue', 'purge: no such queue');

-- drop_queue takes its dead letters along
select is(pgq.create_queue('dq2'), 1, 'queue dq2');
select is(pgq.register_consumer('dq2', 'x'), 1, 'consumer x');
select is(pgq.insert_event('dq2', 'ev', 'y'), 1::bigint, 'event');
select is(pgq.ticker('dq2') > 0, true, 'tick');
select is(pgq.event_dead(pgq.next_batch('dq2', 'x'), 1, 'no'), 1, 'a dead letter in dq2');
select is(pgq.drop_queue('dq2', true), 1, 'drop_queue (forced)');
select is((select count(*)::int from pgq.dead_letter), 0, 'its dead letters are gone');

-- (a cooperative subconsumer's dead letters: pgtap/110_pgq_coop.sql)
select * from finish();
