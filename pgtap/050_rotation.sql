-- Table rotation: maint_rotate_tables_step1 / step2.
select * from no_plan();

select is(pgq.create_queue('qr'), 1, 'queue');
select is(pgq.set_queue_config('qr', p, '0'), 1, p || ' = 0')
  from unnest(array['ticker_max_lag', 'ticker_idle_period']) p;
select is(pgq.register_consumer('qr', 'c1'), 1, 'consumer');
create function pg_temp.state() returns table (cur int, step2_set bool) language sql as $f$
    select queue_cur_table, queue_switch_step2 is not null from pgq.queue where queue_name = 'qr';
$f$;
create function pg_temp.consume() returns int language plpgsql as $f$
declare b bigint; n int;
begin
    b := pgq.next_batch('qr', 'c1');
    if b is null then return null; end if;
    select count(*) into n from pgq.get_batch_events(b);
    perform pgq.finish_batch(b);
    return n;
end $f$;

-- not due yet
select is(pgq.maint_rotate_tables_step1('qr'), 0, 'step1 returns 0');
select row_eq($$select * from pg_temp.state()$$, row(0, true), 'rotation_period not over: nothing happens');
select is(pgq.set_queue_config('qr', 'rotation_period', '0'), 1, 'rotation_period 0: always due');
select is(pgq.maint_rotate_tables_step1('nope'), 0, 'unknown queue: 0, nothing to do');

-- the consumer still sits on the first tick, from before the last switch
select is(pgq.insert_event('qr', 't', 'in table 0'), 1::bigint, 'event in table 0');
select is(pgq.maint_rotate_tables_step1('qr'), 0, 'step1 with a consumer behind ...');
select row_eq($$select * from pg_temp.state()$$, row(0, true), '... does not rotate');

select is(pgq.ticker('qr'), 2::bigint, 'tick 2');
select is(pg_temp.consume(), 1, 'consumer reads the event and moves to tick 2');
select is(pgq.maint_rotate_tables_step1('qr'), 0, 'step1 now ...');
select row_eq($$select * from pg_temp.state()$$, row(1, false), '... switches to table 1, step2 pending');
select ok((select queue_switch_step1 < txid_current() and queue_switch_time <= now()
             from pgq.queue where queue_name = 'qr'), 'step1 txid and switch time recorded');
select is(pgq.current_event_table('qr'), 'pgq.event_1_1', 'inserts go to table 1');
select is(pgq.maint_rotate_tables_step1('qr'), 0, 'step1 again before step2 ...');
select row_eq($$select * from pg_temp.state()$$, row(1, false), '... does nothing');
select is(pgq.maint_rotate_tables_step2(), 0, 'step2 returns 0');
select row_eq($$select * from pg_temp.state()$$, row(1, true), 'step2 recorded');
select ok((select queue_switch_step2 > queue_switch_step1 from pgq.queue where queue_name = 'qr'),
          'step2 txid is after step1');
select is(pgq.maint_rotate_tables_step2(), 0, 'step2 with nothing pending');

-- events on both sides of the switch
select is(pgq.insert_event('qr', 't', 'in table 1'), 2::bigint, 'event in table 1');
select is((select count(*)::int from pgq.event_1_1), 1, 'stored in table 1');
select is(pgq.ticker('qr'), 3::bigint, 'tick 3');
select is(pg_temp.consume(), 1, 'the consumer gets it once');

-- the next rotation truncates table 2 (empty); the one after, table 0
select is(pgq.ticker('qr'), 4::bigint, 'tick 4');
select is(pg_temp.consume(), 0, 'consumer moves on (empty batch)');
select is(pgq.maint_rotate_tables_step1('qr'), 0, 'rotation 2 step1');
select is(pgq.maint_rotate_tables_step2(), 0, 'rotation 2 step2');
select row_eq($$select * from pg_temp.state()$$, row(2, true), 'current table 2');
select is((select count(*)::int from pgq.event_1_0), 1, 'table 0 still holds its event');
select is(pgq.ticker('qr'), 5::bigint, 'tick 5');
select is(pg_temp.consume(), 0, 'consumer moves on');
select is(pgq.maint_rotate_tables_step1('qr'), 0, 'rotation 3 step1');
select row_eq($$select * from pg_temp.state()$$, row(0, false), 'back to table 0 ...');
select is((select count(*)::int from pgq.event_1_0), 0, '... which was emptied by TRUNCATE');
select is(pgq.maint_rotate_tables_step2(), 0, 'rotation 3 step2');

-- old ticks go
select ok((select min(tick_id) > 1 from pgq.tick where tick_queue = 1), 'ticks from before the switches are deleted');
select ok((select count(*) > 0 from pgq.tick t, pgq.subscription s
            where t.tick_queue = 1 and t.tick_id = s.sub_last_tick), 'the consumer''s tick is kept');

-- without consumers nothing holds rotation back
select is(pgq.unregister_consumer('qr', 'c1'), 1, 'unregister');
select is(pgq.maint_rotate_tables_step1('qr'), 0, 'rotate without consumers');
select row_eq($$select * from pg_temp.state()$$, row(1, false), 'rotated');
select is(pgq.maint_rotate_tables_step2(), 0, 'step2');

-- sanity errors
select is(pgq.register_consumer('qr', 'c1'), 1, 'consumer again');
update pgq.subscription set sub_last_tick = 999 where sub_queue = 1;
select throws_ok($$select pgq.maint_rotate_tables_step1('qr')$$, 'PQ010', 'queue qr maint failure: tick 999 not found');
update pgq.queue set queue_switch_step1 = 9000000000 where queue_name = 'qr';
select throws_ok($$select pgq.maint_rotate_tables_step1('qr')$$, 'PQ010', null,
                 'a txid counter behind the last rotation stops rotation');
select throws_like($$select pgq.maint_rotate_tables_step1('qr')$$,
                   'queue qr maint failure: step1=9000000000, current=%');

select * from finish();
