create or replace function pgq_ext._queue_splitter_move(
    i_consumer text, i_prev_tick bigint, i_cur_tick bigint, i_skip_bad boolean,
    i_field text, i_batch_id bigint,
    i_route text[], i_count int4[], i_ev_id bigint[], i_ev_time timestamptz[], i_ev_type text[], i_ev_data text[],
    i_ev_extra1 text[], i_ev_extra2 text[], i_ev_extra3 text[], i_ev_extra4 text[])
returns bigint
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext._queue_splitter_move(i_consumer, i_prev_tick, i_cur_tick,
    --     i_skip_bad, i_field, i_batch_id, i_route, i_count, i_ev_id ..
    --     i_ev_extra4): the one move of queue_splitter, for both of its
    -- forms, in the caller's transaction.  The events come grouped by
    -- target queue, either
    --   - from the open batch i_batch_id of this database
    --     (queue_splitter_local), routed by its field i_field (type, data,
    --     extra1 .. extra4): read and grouped here, or
    --   - when i_batch_id is NULL, from the arrays sent by the other
    --     database, read side by side, already sorted by target: group k
    --     is the next i_count[k] events, for queue i_route[k] (i_field is
    --     not used).
    -- Batch order is ev_id order (pgq.batch_event_sql); a group's events
    -- are in batch order, groups in the order of their first event.  Each
    -- event goes into the queue its routing value names, keeping type,
    -- data, extras and time (it gets a new id and the target transaction's
    -- txid): one pgq.insert_events call per target queue.
    -- Tick tracking as python's SerialConsumer (pgq_ext.is_tick_done): a
    -- batch whose end tick is recorded already is skipped; a recorded tick
    -- that is neither the batch's start nor its end means the two sides
    -- disagree.  The end tick
    -- is recorded for i_consumer in pgq_ext.completed_tick.
    -- With i_skip_bad, events whose routing value is NULL or names no queue
    -- are left out with a WARNING each (in batch order, once the others
    -- are in) instead of stopping the batch; without it the first such
    -- event raises, before anything is inserted.
    -- Returns: events moved; -1 when the batch was applied already.
    -- Errors: PQ011 'Lost position: batch <prev>..<cur>, dst has <tick>'
    --   (from pgq_ext.is_tick_done);
    --   PQ001 'queue_splitter: event <id> routes to queue "<q>", which does
    --   not exist'; 22004 'queue_splitter: event <id> has no routing value';
    --   22023 when there is not one count of at least 1 per route, or the
    --   counts do not add up to the events; those of
    --   pgq.insert_events.  i_field is checked by the callers.
    -- Tables: pgq_ext.completed_tick, pgq.queue (read), the batch's event
    --   tables (read), the target queues' event tables.
declare
    v_q     record;
    v_moved bigint := 0;
    -- the skipped events: id, route
    v_bad_id bigint[] := '{}';
    v_bad_q  text[] := '{}';
    v_w      record;
begin
    -- applied already, next, or out of step (PQ011): one rule, pgq_ext's
    if pgq_ext.is_tick_done(i_consumer, i_prev_tick, i_cur_tick) then
        return -1;
    end if;
    if i_batch_id is null
       and (coalesce(cardinality(i_route), 0) <> coalesce(cardinality(i_count), 0)
            or exists (select from unnest(i_count) c where c is null or c < 1)) then
        raise exception 'queue_splitter: % routes, % counts (each at least 1)', coalesce(cardinality(i_route), 0),
            coalesce(cardinality(i_count), 0) using errcode = '22023';
    end if;
    if i_batch_id is null
       and coalesce((select sum(c) from unnest(i_count) c), 0) is distinct from coalesce(cardinality(i_ev_id), 0) then
        raise exception 'queue_splitter: % events, but the groups count %', coalesce(cardinality(i_ev_id), 0),
            coalesce((select sum(c) from unnest(i_count) c), 0) using errcode = '22023';
    end if;

    -- one row per target queue: its events' columns as arrays in batch
    -- order; bad targets (no queue, NULL) first, then by first event
    for v_q in
        select g.route, q.queue_name is not null as ok, g.id, g.t, g.d, g.x1, g.x2, g.x3, g.x4, g.tm
          from (-- this database: the batch, grouped here
                select e.route, min(e.id) as first,
                       array_agg(e.id order by e.id) as id, array_agg(e.t order by e.id) as t,
                       array_agg(e.d order by e.id) as d, array_agg(e.x1 order by e.id) as x1,
                       array_agg(e.x2 order by e.id) as x2, array_agg(e.x3 order by e.id) as x3,
                       array_agg(e.x4 order by e.id) as x4, array_agg(e.tm order by e.id) as tm
                  from (select b.ev_id as id, b.ev_time as tm, b.ev_type as t, b.ev_data as d,
                               b.ev_extra1 as x1, b.ev_extra2 as x2, b.ev_extra3 as x3, b.ev_extra4 as x4,
                               case i_field when 'type' then b.ev_type when 'data' then b.ev_data
                                            when 'extra1' then b.ev_extra1 when 'extra2' then b.ev_extra2
                                            when 'extra3' then b.ev_extra3 when 'extra4' then b.ev_extra4 end as route
                          from pgq.get_batch_events(i_batch_id) b
                         where i_batch_id is not null) e
                 group by e.route
                union all
                -- the other database: groups sent sorted, sliced out
                select s.route, s.k, i_ev_id[s.lo:s.hi], i_ev_type[s.lo:s.hi], i_ev_data[s.lo:s.hi],
                       i_ev_extra1[s.lo:s.hi], i_ev_extra2[s.lo:s.hi], i_ev_extra3[s.lo:s.hi],
                       i_ev_extra4[s.lo:s.hi], i_ev_time[s.lo:s.hi]
                  from (select u.route, u.k, (u.hi - u.c + 1)::int4 as lo, u.hi::int4 as hi
                          from (select r.route, r.c, r.k, sum(r.c) over (order by r.k) as hi
                                  from unnest(i_route, i_count) with ordinality as r(route, c, k)
                                 where i_batch_id is null) u) s) g
          left join pgq.queue q on q.queue_name = g.route
         order by q.queue_name is not null, g.first
    loop
        if not v_q.ok then
            if not i_skip_bad then
                if v_q.route is null then
                    raise exception 'queue_splitter: event % has no routing value', v_q.id[1] using errcode = '22004';
                end if;
                raise exception 'queue_splitter: event % routes to queue "%", which does not exist', v_q.id[1], v_q.route
                    using errcode = 'PQ001';
            end if;
            v_bad_id := v_bad_id || v_q.id;
            v_bad_q := v_bad_q || array_fill(v_q.route, array[cardinality(v_q.id)]);
            continue;
        end if;
        v_moved := v_moved + (select count(*)
                                from pgq.insert_events(v_q.route, v_q.t, v_q.d, v_q.x1, v_q.x2, v_q.x3, v_q.x4, v_q.tm));
    end loop;
    -- the skipped events, in batch order
    for v_w in
        select w.id, w.route from unnest(v_bad_id, v_bad_q) as w(id, route) order by w.id
    loop
        raise warning 'queue_splitter: skipped event %: %', v_w.id,
            case when v_w.route is null then 'no routing value'
                 else format('queue "%s" does not exist', v_w.route) end;
    end loop;

    perform pgq_ext.set_last_tick(i_consumer, i_cur_tick);
    return v_moved;
end;
$$;
