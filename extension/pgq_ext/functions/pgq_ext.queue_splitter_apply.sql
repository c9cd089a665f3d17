create or replace function pgq_ext.queue_splitter_apply(
    i_consumer text, i_prev_tick bigint, i_cur_tick bigint, i_skip_bad boolean,
    i_route text[], i_ev_id bigint[], i_ev_time timestamptz[], i_ev_type text[], i_ev_data text[],
    i_ev_extra1 text[], i_ev_extra2 text[], i_ev_extra3 text[], i_ev_extra4 text[])
returns bigint
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.queue_splitter_apply(i_consumer, i_prev_tick, i_cur_tick,
    --     i_skip_bad, i_route, i_ev_id, i_ev_time, i_ev_type, i_ev_data,
    --     i_ev_extra1 .. i_ev_extra4): queue_splitter's move of one source
    -- batch, on the target database, in the caller's transaction: each event
    -- goes into the queue its routing value (i_route) names, keeping type,
    -- data, extras and time (it gets a new id), and the batch's end tick is
    -- recorded for i_consumer in pgq_ext.completed_tick.
    -- Tick tracking as python's SerialConsumer (pgq_ext.is_tick_done): a
    -- batch whose end tick is recorded already is skipped; a recorded tick
    -- that is neither the batch's start nor its end means the two sides
    -- disagree.
    -- With i_skip_bad, events whose routing value is NULL or names no queue
    -- are left out with a WARNING each, instead of stopping the batch.
    -- Returns: events moved; -1 when the batch was applied already.
    -- Errors: PQ011 'Lost position: batch <prev>..<cur>, dst has <tick>'
    --   (from pgq_ext.is_tick_done);
    --   PQ001 'queue_splitter: event <id> routes to queue "<q>", which does
    --   not exist'; 22004 'queue_splitter: event <id> has no routing value'.
    -- Tables: pgq_ext.completed_tick, pgq.queue (read), target queues.
declare
    v_bad   record;
    v_q     record;
    v_moved bigint := 0;
begin
    if pgq_ext.is_tick_done(i_consumer, i_prev_tick, i_cur_tick) then
        return -1;
    end if;

    for v_bad in
        select e.id, e.route
          from unnest(i_ev_id, i_route) with ordinality as e(id, route, n)
         where e.route is null or not exists (select 1 from pgq.queue q where q.queue_name = e.route)
         order by e.n
    loop
        if not i_skip_bad then
            if v_bad.route is null then
                raise exception 'queue_splitter: event % has no routing value', v_bad.id using errcode = '22004';
            end if;
            raise exception 'queue_splitter: event % routes to queue "%", which does not exist', v_bad.id, v_bad.route
                using errcode = 'PQ001';
        end if;
        raise warning 'queue_splitter: skipped event %: %', v_bad.id,
            case when v_bad.route is null then 'no routing value'
                 else format('queue "%s" does not exist', v_bad.route) end;
    end loop;

    for v_q in
        select e.route,
               array_agg(e.t order by e.n) as t, array_agg(e.d order by e.n) as d,
               array_agg(e.x1 order by e.n) as x1, array_agg(e.x2 order by e.n) as x2,
               array_agg(e.x3 order by e.n) as x3, array_agg(e.x4 order by e.n) as x4,
               array_agg(e.tm order by e.n) as tm
          from unnest(i_route, i_ev_type, i_ev_data, i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4, i_ev_time)
               with ordinality as e(route, t, d, x1, x2, x3, x4, tm, n)
         where exists (select 1 from pgq.queue q where q.queue_name = e.route)
         group by e.route
         order by min(e.n)
    loop
        v_moved := v_moved + (select count(*)
                                from pgq.insert_events(v_q.route, v_q.t, v_q.d, v_q.x1, v_q.x2, v_q.x3, v_q.x4, v_q.tm));
    end loop;

    perform pgq_ext.set_last_tick(i_consumer, i_cur_tick);
    return v_moved;
end;
$$;
