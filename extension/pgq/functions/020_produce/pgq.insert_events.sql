create or replace function pgq.insert_events(
    queue_name text, ev_types text[], ev_datas text[],
    ev_extra1 text[], ev_extra2 text[], ev_extra3 text[], ev_extra4 text[],
    ev_times timestamptz[])
returns setof bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_events(queue_name, ev_types, ev_datas, ev_extra1 ..
    -- ev_extra4, ev_times): many events in one call, in array order,
    -- exactly as that many pgq.insert_event calls would make them (not in
    -- PgQ 3.5).  The arrays are read side by side; a shorter or NULL array
    -- gives NULL fields, ev_times NULLs mean now().  Setting ev_time is
    -- pgq_admin's (as insert_event_raw is in PgQ 3.5): producers call the
    -- form without ev_times below.
    -- Returns: the new event ids, in array order.
    -- Errors: as pgq.insert_event (NULL or unknown queue, also with no
    -- events; inserts disabled; per-transaction limit), for the first
    -- event that hits one.
    -- Tables: pgq.queue (read), the queue's current event table.
    --
    -- One set-based INSERT for an enabled queue without a per-transaction
    -- limit (about four times the events/s of one insert_event call per
    -- event); one pgq.insert_event_raw call per event otherwise, so the
    -- checks and errors are insert_event's.
declare
    v_n int4 := greatest(coalesce(array_length(ev_types, 1), 0), coalesce(array_length(ev_datas, 1), 0),
                         coalesce(array_length(ev_extra1, 1), 0), coalesce(array_length(ev_extra2, 1), 0),
                         coalesce(array_length(ev_extra3, 1), 0), coalesce(array_length(ev_extra4, 1), 0),
                         coalesce(array_length(ev_times, 1), 0));
    v_done bigint;
    v_qid int4;
    v_seq text;
    i int4;
begin
    if v_n = 0 then
        if queue_name is null then
            raise exception 'Queue name must not be NULL' using errcode = '22004';
        end if;
        perform 1 from pgq.queue q where q.queue_name = insert_events.queue_name;
        if not found then
            raise exception 'No such queue' using errcode = 'PQ001';
        end if;
        return;
    end if;
    -- into the queue's own table pgq.event_<id>, not through
    -- pgq.event_template: a session's first statement through the template
    -- reads every queue's catalog row (see pgq.insert_event), and one
    -- EXECUTE per call is nothing beside a call's many rows.
    -- The rows are inserted in array order without a sort: the statement
    -- reads one function scan (unnest) and nothing else; the queue's
    -- current table and whether it takes inserts are read once, by
    -- uncorrelated subqueries, in the INSERT's own snapshot (as a join would
    -- read them); its id and sequence never change.
    select q.queue_id, q.queue_event_seq into v_qid, v_seq from pgq.queue q where q.queue_name = insert_events.queue_name;
    if found then
        return query execute format(
            'insert into pgq.%I as e'
            ' select nextval(%L::regclass), coalesce(a.tm, now()), txid_current(), null::int4, null::int4,'
            '        a.t, a.d, a.x1, a.x2, a.x3, a.x4, %s,'
            '        (select q.queue_cur_table from pgq.queue q where q.queue_id = $8)'
            '   from unnest($1, $2, $3, $4, $5, $6, $7) as a(t, d, x1, x2, x3, x4, tm)'
            '  where (select not q.queue_disable_insert and q.queue_per_tx_limit is null'
            '           from pgq.queue q where q.queue_id = $8)'
            ' returning e.ev_id',
            'event_' || v_qid, v_seq, v_qid)
            using ev_types, ev_datas, ev_extra1, ev_extra2, ev_extra3, ev_extra4, ev_times, v_qid;
        get diagnostics v_done = row_count;
    else
        v_done := 0;
    end if;
    if v_done > 0 then
        -- an on-demand queue (4.1): one signal for the lot
        perform pgq._signal_events(q.queue_name)
           from pgq.queue q
          where q.queue_name = insert_events.queue_name and q.queue_ticker_on_demand is not null;
        return;
    end if;
    for i in 1 .. v_n loop
        return next pgq.insert_event_raw(queue_name, null, coalesce(ev_times[i], now()), null, null,
                                         ev_types[i], ev_datas[i], ev_extra1[i], ev_extra2[i],
                                         ev_extra3[i], ev_extra4[i]);
    end loop;
end;
$$;

create or replace function pgq.insert_events(
    queue_name text, ev_types text[], ev_datas text[],
    ev_extra1 text[] default null, ev_extra2 text[] default null,
    ev_extra3 text[] default null, ev_extra4 text[] default null)
returns setof bigint
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_events(queue_name, ev_types, ev_datas [, ev_extra1 ..
    -- ev_extra4]): the producers' form (pgq_writer): every event's ev_time
    -- is now().
    select pgq.insert_events(queue_name, ev_types, ev_datas, ev_extra1, ev_extra2, ev_extra3, ev_extra4,
                             null::timestamptz[]);
$$;
