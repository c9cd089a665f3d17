create or replace function pgq_ext.queue_splitter_apply(
    i_consumer text, i_prev_tick bigint, i_cur_tick bigint, i_skip_bad boolean,
    i_route text[], i_count int4[], i_ev_id bigint[], i_ev_time timestamptz[], i_ev_type text[], i_ev_data text[],
    i_ev_extra1 text[], i_ev_extra2 text[], i_ev_extra3 text[], i_ev_extra4 text[])
returns bigint
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.queue_splitter_apply(i_consumer, i_prev_tick, i_cur_tick,
    --     i_skip_bad, i_route, i_count, i_ev_id, i_ev_time, i_ev_type,
    --     i_ev_data, i_ev_extra1 .. i_ev_extra4): queue_splitter's move of
    -- one source batch, on the target database, in the caller's
    -- transaction (4.1): the batch's events, read side by side from the
    -- arrays, come sorted by target queue, group k being the next
    -- i_count[k] events, for queue i_route[k]; groups in the order of their
    -- first event, each group's events in batch (ev_id) order.  Each event
    -- goes into its queue keeping type, data, extras and time (it gets a
    -- new id), one insert per target queue, and the batch's end tick is
    -- recorded for i_consumer in pgq_ext.completed_tick.  Rules as
    -- pgq_ext._queue_splitter_move: a batch whose end tick is recorded
    -- already is skipped; with i_skip_bad, events with bad routing are left
    -- out with a WARNING each.
    -- Returns: events moved; -1 when the batch was applied already.
    -- Errors: PQ011 'Lost position: batch <prev>..<cur>, dst has <tick>';
    --   PQ001 'queue_splitter: event <id> routes to queue "<q>", which does
    --   not exist'; 22004 'queue_splitter: event <id> has no routing value';
    --   22023 when the counts do not add up to the events.
    -- Tables: pgq_ext.completed_tick, pgq.queue (read), target queues.
    select pgq_ext._queue_splitter_move(i_consumer, i_prev_tick, i_cur_tick, i_skip_bad, null, null,
                                        i_route, i_count, i_ev_id, i_ev_time, i_ev_type, i_ev_data,
                                        i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4);
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
    -- 4.0 against this target: the batch's events in batch order, read side
    -- by side, each event's target queue in i_route; sorted by target here
    -- for the form above, as which it behaves otherwise.
    with e as (
        select u.*, min(u.n) over (partition by u.route) as first
          from unnest(i_ev_id, i_ev_time, i_ev_type, i_ev_data, i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4,
                      i_route) with ordinality as u(id, tm, t, d, x1, x2, x3, x4, route, n)
    ), g as (
        select e.route, e.first, count(*)::int4 as c from e group by e.route, e.first
    )
    select pgq_ext._queue_splitter_move(i_consumer, i_prev_tick, i_cur_tick, i_skip_bad, null, null,
               coalesce((select array_agg(g.route order by g.first) from g), '{}'),
               coalesce((select array_agg(g.c order by g.first) from g), '{}'),
               coalesce((select array_agg(e.id order by e.first, e.n) from e), '{}'),
               coalesce((select array_agg(e.tm order by e.first, e.n) from e), '{}'),
               coalesce((select array_agg(e.t order by e.first, e.n) from e), '{}'),
               coalesce((select array_agg(e.d order by e.first, e.n) from e), '{}'),
               coalesce((select array_agg(e.x1 order by e.first, e.n) from e), '{}'),
               coalesce((select array_agg(e.x2 order by e.first, e.n) from e), '{}'),
               coalesce((select array_agg(e.x3 order by e.first, e.n) from e), '{}'),
               coalesce((select array_agg(e.x4 order by e.first, e.n) from e), '{}'));
$$;
