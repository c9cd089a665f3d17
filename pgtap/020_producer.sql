-- Producer: insert_event (3 and 7 arguments), insert_event_raw,
-- current_event_table, and COPY into the current table.
select * from no_plan();

select is(pgq.create_queue('qp'), 1, 'queue');

-- ids count up from 1 per queue
select is(pgq.insert_event('qp', 'type1', 'data1'), 1::bigint, 'first event id');
select is(pgq.insert_event('qp', 'type2', 'data2', 'e1', 'e2', 'e3', 'e4'), 2::bigint, '7-arg form');
select results_eq(
    $$select ev_id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4, ev_owner, ev_retry,
             ev_txid > 0, ev_time <= now()
        from pgq.event_1_0 order by ev_id$$,
    $$values (1::bigint, 'type1', 'data1', null, null, null, null, null::int, null::int, true, true),
             (2::bigint, 'type2', 'data2', 'e1', 'e2', 'e3', 'e4', null::int, null::int, true, true)$$,
    'events stored in the current table with every field');
select is(pgq.insert_event('qp', null, null), 3::bigint, 'NULL type and data are allowed');

-- insert_event_raw
select is(pgq.insert_event_raw('qp', 100, '2001-02-03 04:05:06+00', 7, 2, 't', 'd', 'a', 'b', 'c', 'd'),
          100::bigint, 'raw with explicit id returns it');
select row_eq($$select ev_time, ev_owner, ev_retry, ev_extra4 from pgq.event_1_0 where ev_id = 100$$,
              row('2001-02-03 04:05:06+00'::timestamptz, 7, 2, 'd'::text), 'raw keeps time, owner, retry');
select is(pgq.seq_getval('pgq.event_1_id_seq'), 4::bigint,
          'an explicit id still advances the sequence (the ticker sees it)');
begin;
select is(pgq.insert_event_raw('qp', null, null, null, null, 't', 'd', null, null, null, null),
          5::bigint, 'raw: NULL id and time are filled in');
select ok((select ev_time = now() from pgq.event_1_0 where ev_id = 5), 'NULL time = now()');
commit;
select throws_ok($$select pgq.insert_event_raw(null, null, now(), null, null, 't', 'd', null, null, null, null)$$,
                 '22004', 'Queue name must not be NULL');
select throws_ok($$select pgq.insert_event_raw('nope', null, now(), null, null, 't', 'd', null, null, null, null)$$,
                 'PQ001', 'No such queue');
select throws_ok($$select pgq.insert_event('nope', 't', 'd')$$, 'PQ001', 'No such queue',
                 'insert_event into an unknown queue');

-- disabled queue: refused, but the id is used up
update pgq.queue set queue_disable_insert = true where queue_name = 'qp';
select throws_ok($$select pgq.insert_event('qp', 't', 'd')$$, 'PQ005', 'Insert into queue disallowed');
select is(pgq.seq_getval('pgq.event_1_id_seq'), 6::bigint, 'refused insert consumed an id');
select throws_ok($$select pgq.current_event_table('qp')$$, 'PQ005', 'Writing to queue disabled');
set session_replication_role = replica;
select is(pgq.insert_event('qp', 't', 'replica'), 7::bigint, 'replica role may insert into a disabled queue');
select is(pgq.current_event_table('qp'), 'pgq.event_1_0', 'and get its table');
set session_replication_role = origin;
update pgq.queue set queue_disable_insert = false where queue_name = 'qp';

-- current_event_table and COPY-style inserts
select is(pgq.current_event_table('qp'), 'pgq.event_1_0', 'current_event_table');
select throws_ok($$select pgq.current_event_table('nope')$$, 'PQ001', 'Event queue not found');
select throws_ok($$select pgq.current_event_table(null)$$, 'PQ001', 'Event queue not found');
begin;
copy pgq.event_1_0 (ev_time, ev_type, ev_data) from stdin;
2020-01-01 00:00:00+00	copied	row
\.
select is((select ev_id from pgq.event_1_0 where ev_type = 'copied'), 8::bigint,
          'a row copied into the child table without ev_id gets the next id');
select ok((select ev_txid = txid_current() from pgq.event_1_0 where ev_type = 'copied'),
          'and the copying transaction''s txid');
commit;
select is(pgq.insert_event('qp', 't', 'after copy'), 9::bigint, 'ids stay unique after COPY');

-- a second queue has its own numbering and tables
select is(pgq.create_queue('qp2'), 1, 'second queue');
select is(pgq.insert_event('qp2', 't', 'd'), 1::bigint, 'ids per queue');
select is((select count(*)::int from pgq.event_2_0), 1, 'in its own table');
select is((select count(*)::int from pgq.event_1), 8, 'first queue untouched');

-- rotation state decides the table (simulated: rotation itself is tested elsewhere)
update pgq.queue set queue_cur_table = 2 where queue_name = 'qp2';
select is(pgq.insert_event('qp2', 't', 'd2'), 2::bigint, 'insert after switch');
select is((select count(*)::int from pgq.event_2_2), 1, 'lands in the new current table');
select is(pgq.current_event_table('qp2'), 'pgq.event_2_2', 'current_event_table follows');

-- per-transaction limit (PgQ's PL/pgSQL version never enforced it)
update pgq.queue set queue_per_tx_limit = 3 where queue_name = 'qp2';
create function pg_temp.insert_n(n int) returns int language plpgsql as $f$
begin
    for i in 1 .. n loop
        perform pgq.insert_event('qp2', 't', i::text);
    end loop;
    return n;
end $f$;
select is(pg_temp.insert_n(3), 3, 'three events in one transaction are allowed');
select throws_ok($$select pg_temp.insert_n(4)$$, 'PQ006', 'Queue ''qp2'' allows max 3 events from one TX');
select is(pg_temp.insert_n(3), 3, 'the count starts over in the next transaction');
-- the count is the transaction's own events: no setting moves it
create function pg_temp.forge_then_insert(n int) returns int language plpgsql as $f$
begin
    perform set_config('pgq.tx_event_count_2', '-1000000', true);
    perform set_config('pgq.tx_event_count_qp2', '-1000000', true);
    return pg_temp.insert_n(n);
end $f$;
select throws_ok($$select pg_temp.forge_then_insert(4)$$, 'PQ006', 'Queue ''qp2'' allows max 3 events from one TX',
                 'a forged count setting does not lift the limit');
-- events of a rolled-back savepoint do not count
create function pg_temp.rolled_back_then_insert() returns int language plpgsql as $f$
begin
    begin
        perform pg_temp.insert_n(3);
        raise exception 'roll back' using errcode = 'P0002';
    exception when no_data_found then
        null;
    end;
    return pg_temp.insert_n(3);
end $f$;
select is(pg_temp.rolled_back_then_insert(), 3, 'events of a rolled-back savepoint do not count');
select is(pgq.insert_event('qp', 't', 'x'), 10::bigint, 'other queues are not limited');
update pgq.queue set queue_per_tx_limit = null where queue_name = 'qp2';
select is(pg_temp.insert_n(5), 5, 'limit removed');

-- strictness of the wrappers: NULL queue
select throws_ok($$select pgq.insert_event(null, 't', 'd')$$, '22004', 'Queue name must not be NULL');

-- pgq.insert_events: many events in one call
select pgq.create_queue('qa');
select is(array(select pgq.insert_events('qa', array['a', 'b', 'c'], array['1', '2', '3'],
                                         array['x'], null, null, array[null, null, 'w'])),
          array[1, 2, 3]::bigint[], 'insert_events returns the new ids in array order');
select results_eq($$select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra4 from pgq.event_template e
                     join pgq.queue q on q.queue_id = e.ev_queue where q.queue_name = 'qa' order by ev_id$$,
                  $$values ('a', '1', 'x', null::text, null::text), ('b', '2', null, null, null), ('c', '3', null, null, 'w')$$,
                  'fields side by side; short and NULL arrays give NULLs');
select is(pgq.insert_event('qa', 't', 'after'), 4::bigint, 'insert_event continues the same id sequence');
select pgq.create_queue('qo');
select is((select count(*)::int from pgq.insert_events('qo', array_fill('t'::text, array[20000]),
                                                       array(select g::text from generate_series(1, 20000) g))),
          20000, 'insert_events: 20000 events in one call');
select is((select count(*)::int
             from (select e.ev_data::int as d, row_number() over (order by e.ev_id) as r
                     from pgq.event_template e join pgq.queue q on q.queue_id = e.ev_queue
                    where q.queue_name = 'qo') s
            where s.d <> s.r), 0, 'and their ids follow the array order');
select is((select count(distinct ev_txid)::int from pgq.event_template e join pgq.queue q on q.queue_id = e.ev_queue
            where q.queue_name = 'qa' and ev_id <= 3), 1, 'one call, one transaction');
select pgq.insert_events('qa', array['t'], array['d'], null, null, null, null, array['2001-02-03 04:05:06+00'::timestamptz]);
select is((select ev_time from pgq.event_template e join pgq.queue q on q.queue_id = e.ev_queue
            where q.queue_name = 'qa' order by ev_id desc limit 1),
          '2001-02-03 04:05:06+00'::timestamptz, 'ev_times sets the event time');
select is((select count(*)::int from pgq.insert_events('qa', '{}', '{}')), 0, 'no events: nothing inserted');
select throws_ok($$select pgq.insert_events('nosuch', array['t'], array['d'])$$, 'PQ001', 'No such queue');
select throws_ok($$select pgq.insert_events('nosuch', '{}', '{}')$$, 'PQ001', 'No such queue',
                 'an unknown queue is an error also without events');
select throws_ok($$select pgq.insert_events(null, array['t'], array['d'])$$, '22004', 'Queue name must not be NULL');
update pgq.queue set queue_disable_insert = true where queue_name = 'qa';
select throws_ok($$select pgq.insert_events('qa', array['t'], array['d'])$$, 'PQ005', 'Insert into queue disallowed');
update pgq.queue set queue_disable_insert = false, queue_per_tx_limit = 2 where queue_name = 'qa';
select throws_ok($$select pgq.insert_events('qa', array['t', 't', 't'], array['1', '2', '3'])$$,
                 'PQ006', 'Queue ''qa'' allows max 2 events from one TX', 'the per-transaction limit holds per event');
update pgq.queue set queue_per_tx_limit = null where queue_name = 'qa';
select is(pgq._insert_events_count('qa', array['t', 't'], array['1', '2'], null, null, null, null), 2::bigint,
          '_insert_events_count counts what insert_events made');

-- Two routes into the same tables (4.1): a session's first inserts go into
-- the queue's own pgq.event_<id> (so a short session does not build
-- pgq.event_template's partition descriptor, which reads every queue's
-- catalog row); after as many inserts as queues were made (the queue id
-- sequence), the session counts down to the static statement through
-- pgq.event_template.
-- Both must make the same rows.
select pgq.create_queue('qr');
update pgq.queue set queue_ticker_on_demand = null where queue_name = 'qr';
reset pgq.insert_route;
select is(coalesce(current_setting('pgq.insert_route', true), ''), '', 'a fresh session has no route yet');
select isnt(pgq.insert_event('qr', 'cold', 'c1', 'x1', null, null, 'x4'), null, 'first insert: the queue''s own table');
select is(current_setting('pgq.insert_route', true), 'first', 'the session has made one insert');
select isnt(pgq.insert_event('qr', 'cold', 'c'), null, 'a second insert ...');
select is(current_setting('pgq.insert_route', true),
          ((select last_value from pgq.queue_queue_id_seq) - 2)::text, '... starts the countdown from the number of queues');
select is((select count(pgq.insert_event('qr', 'cold', 'c'))::int
             from generate_series(1, (select last_value::int - 2 from pgq.queue_queue_id_seq))),
          (select last_value::int - 2 from pgq.queue_queue_id_seq),
          'as many inserts as there are queues ...');
select is(current_setting('pgq.insert_route', true), 'template', '... and the session goes through the template');
select isnt(pgq.insert_event('qr', 'hot', 'h1', 'x1', null, null, 'x4'), null, 'an insert through the template');
select results_eq($$select ev_type, ev_extra1, ev_extra4, ev_owner, ev_retry, ev_txid > 0,
                           ev_time > now() - interval '1 hour', ev_queue = q.queue_id, ev_table = q.queue_cur_table
                      from pgq.event_template e join pgq.queue q on q.queue_id = e.ev_queue
                     where q.queue_name = 'qr' and ev_data in ('c1', 'h1') order by ev_id$$,
                  $$values ('cold', 'x1', 'x4', null::int4, null::int4, true, true, true, true),
                           ('hot', 'x1', 'x4', null, null, true, true, true, true)$$,
                  'both routes make the same row');
select is((select array_agg(ev_id order by ev_id) from pgq.event_template e join pgq.queue q on q.queue_id = e.ev_queue
            where q.queue_name = 'qr'),
          (select array_agg(g::bigint) from generate_series(1, (select last_value::int + 1 from pgq.queue_queue_id_seq)) g),
          'one id sequence across both');
-- a setting the caller wrote only picks the route
set pgq.insert_route = 'nonsense';
select isnt(pgq.insert_event('qr', 't', 'd'), null, 'a garbled route: the queue''s own table');
select is(current_setting('pgq.insert_route', true), 'first', '... and a new count');
-- either route refuses the same way and signals an on-demand queue
update pgq.queue set queue_ticker_on_demand = '0' where queue_name = 'qr';
listen pgq_new_events;
select isnt(pgq.insert_event('qr', 't', 'od-cold'), null, 'on-demand queue, own table');
set pgq.insert_route = 'template';
select isnt(pgq.insert_event('qr', 't', 'od-hot'), null, 'on-demand queue, template');
select is((select count(*)::int from pgq.event_template where ev_data like 'od-%'), 2, 'both inserted');
update pgq.queue set queue_ticker_on_demand = null, queue_disable_insert = true where queue_name = 'qr';
select throws_ok($$select pgq.insert_event('qr', 't', 'd')$$, 'PQ005', 'Insert into queue disallowed', 'disabled, template');
reset pgq.insert_route;
select throws_ok($$select pgq.insert_event('qr', 't', 'd')$$, 'PQ005', 'Insert into queue disallowed', 'disabled, own table');
update pgq.queue set queue_disable_insert = false where queue_name = 'qr';
select throws_ok($$select pgq.insert_event('nosuch', 't', 'd')$$, 'PQ001', 'No such queue', 'unknown queue, own-table route');
reset pgq.insert_route;

select * from finish();
