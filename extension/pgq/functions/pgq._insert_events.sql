create or replace function pgq._insert_events(i_queue_name text, i_types text[], i_datas text[],
                                              i_extra1 text[], i_extra2 text[], i_extra3 text[], i_extra4 text[],
                                              i_times timestamptz[] default null)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._insert_events(i_queue_name, i_types, i_datas, i_extra1 ..
    --     i_extra4 [, i_times]): many events at once, in array order, as
    -- that many pgq.insert_event calls would make them (for the
    -- statement-level triggers and queue_splitter).  i_times, when given,
    -- are the events' times (NULL elements and a NULL array: now()).  One INSERT for an enabled queue without a per-transaction
    -- limit; one pgq.insert_event_raw call per event otherwise, so the
    -- checks and errors are the same.
    -- Returns: how many events were inserted.
    -- Tables: pgq.queue (read), the queue's current event table.
declare
    v_count bigint;
    i       int4;
begin
    insert into pgq.event_template
    select nextval(q.queue_event_seq), coalesce(e.tm, now()), txid_current(), null::int4, null::int4,
           e.t, e.d, e.x1, e.x2, e.x3, e.x4, q.queue_id, q.queue_cur_table
      from pgq.queue q,
           unnest(i_types, i_datas, i_extra1, i_extra2, i_extra3, i_extra4, i_times)
               with ordinality as e(t, d, x1, x2, x3, x4, tm, n)
     where q.queue_name = i_queue_name
       and not q.queue_disable_insert
       and q.queue_per_tx_limit is null
     order by e.n;
    get diagnostics v_count = row_count;
    if v_count > 0 or coalesce(pg_catalog.array_length(i_types, 1), 0) = 0 then
        return v_count;
    end if;
    for i in 1 .. pg_catalog.array_length(i_types, 1) loop
        perform pgq.insert_event_raw(i_queue_name, null, coalesce(i_times[i], now()), null, null, i_types[i], i_datas[i],
                                     i_extra1[i], i_extra2[i], i_extra3[i], i_extra4[i]);
    end loop;
    return pg_catalog.array_length(i_types, 1);
end;
$$;
