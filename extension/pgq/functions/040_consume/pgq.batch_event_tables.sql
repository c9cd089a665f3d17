create or replace function pgq.batch_event_tables(x_batch_id bigint)
returns setof text
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.batch_event_tables(x_batch_id): the event tables that may hold the
    -- batch's events.  With cur = the queue's current table and prev the one
    -- before it: a batch that ended before the last rotation started
    -- (xmax of its end tick < queue_switch_step1) is all in prev; any other
    -- batch is read from prev and cur.
    -- PgQ also narrows a batch that began after rotation step 2 to cur
    -- alone.  That can miss an event whose producer read the queue row
    -- before the switch but got its txid after step 2 (a statement or a
    -- REPEATABLE READ transaction that straddled the rotation), so this
    -- version keeps prev in: the cost is one empty index probe.
    -- Returns: 'pgq.event_<id>_<n>' names, prev first.
    -- Errors: PQ003 'Cannot find data for batch <id>'.
    -- Tables: pgq.subscription, pgq.queue, pgq.tick (read).
declare
    v_b     record;
    v_prev  int4;
begin
    select q.queue_data_pfx, q.queue_cur_table, q.queue_ntables, q.queue_switch_step1,
           txid_snapshot_xmax(t_cur.tick_snapshot) as tx_max
      into v_b
      from pgq.subscription s, pgq.queue q, pgq.tick t_cur
     where s.sub_batch = x_batch_id
       and q.queue_id = s.sub_queue
       and t_cur.tick_queue = s.sub_queue
       and t_cur.tick_id = s.sub_next_tick;
    if not found then
        raise exception 'Cannot find data for batch %', x_batch_id using errcode = 'PQ003';
    end if;

    v_prev := (v_b.queue_cur_table + v_b.queue_ntables - 1) % v_b.queue_ntables;
    return next v_b.queue_data_pfx || '_' || v_prev;
    if v_b.tx_max >= v_b.queue_switch_step1 and v_prev <> v_b.queue_cur_table then
        return next v_b.queue_data_pfx || '_' || v_b.queue_cur_table;
    end if;
    return;
end;
$$;
