create or replace function pgq_ext.queue_splitter_apply(
    i_consumer text, i_prev_tick bigint, i_cur_tick bigint, i_skip_bad boolean,
    i_queue_field text, i_events jsonb)
returns bigint
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.queue_splitter_apply(i_consumer, i_prev_tick, i_cur_tick,
    --     i_skip_bad, i_queue_field, i_events): queue_splitter's move of one
    -- source batch, on the target database, in the caller's transaction
    -- (4.1): i_events is the batch as a JSON array with one array per
    -- event, [ev_id, ev_time, ev_type, ev_data, ev_extra1 .. ev_extra4], in
    -- batch order; each event goes into the queue its field i_queue_field
    -- (type, data or extra1 .. extra4, with or without ev_) names, keeping
    -- type, data, extras and time (it gets a new id), one insert per target
    -- queue, and the batch's end tick is recorded for i_consumer in
    -- pgq_ext.completed_tick.  Rules as pgq_ext._queue_splitter_move: a
    -- batch whose end tick is recorded already is skipped; with i_skip_bad,
    -- events with bad routing are left out with a WARNING each.
    -- Returns: events moved; -1 when the batch was applied already.
    -- Errors: 22023 for an unknown field; PQ011 'Lost position: batch
    --   <prev>..<cur>, dst has <tick>'; PQ001 'queue_splitter: event <id>
    --   routes to queue "<q>", which does not exist'; 22004
    --   'queue_splitter: event <id> has no routing value'.
    -- Tables: pgq_ext.completed_tick, pgq.queue (read), target queues.
declare
    v_f text := pg_catalog.regexp_replace(i_queue_field, '^ev_', '');
begin
    if v_f is null or v_f not in ('type', 'data', 'extra1', 'extra2', 'extra3', 'extra4') then
        raise exception 'queue_splitter: bad queue_field "%"', i_queue_field using errcode = '22023';
    end if;
    return pgq_ext._queue_splitter_move(i_consumer, i_prev_tick, i_cur_tick, i_skip_bad, v_f, null,
                                        coalesce(i_events, '[]'));
end;
$$;

create or replace function pgq_ext.queue_splitter_apply(
    i_consumer text, i_prev_tick bigint, i_cur_tick bigint, i_skip_bad boolean,
    i_route text[], i_ev_id bigint[], i_ev_time timestamptz[], i_ev_type text[], i_ev_data text[],
    i_ev_extra1 text[], i_ev_extra2 text[], i_ev_extra3 text[], i_ev_extra4 text[])
returns bigint
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.queue_splitter_apply(i_consumer, i_prev_tick, i_cur_tick,
    --     i_skip_bad, i_route, i_ev_id, i_ev_time, i_ev_type, i_ev_data,
    --     i_ev_extra1 .. i_ev_extra4): the 4.0 form, for a queue_splitter of
    -- 4.0 against this target: the batch as arrays read side by side, each
    -- event's target queue given in i_route.  As the form above otherwise.
    select pgq_ext._queue_splitter_move(i_consumer, i_prev_tick, i_cur_tick, i_skip_bad, 'route', null,
               (select coalesce(jsonb_agg(jsonb_build_array(e.id, e.tm, e.t, e.d, e.x1, e.x2, e.x3, e.x4, e.route)
                                          order by e.n), '[]')
                  from unnest(i_ev_id, i_ev_time, i_ev_type, i_ev_data, i_ev_extra1, i_ev_extra2, i_ev_extra3,
                              i_ev_extra4, i_route) with ordinality as e(id, tm, t, d, x1, x2, x3, x4, route, n)));
$$;
