create or replace function pgq._insert_events_count(i_queue_name text, i_types text[], i_datas text[],
                                              i_extra1 text[], i_extra2 text[], i_extra3 text[], i_extra4 text[])
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._insert_events_count(i_queue_name, i_types, i_datas, i_extra1 ..
    --     i_extra4): pgq.insert_events for callers that want only the count
    -- (the statement-level triggers); ev_time is now().
    -- Returns: how many events were inserted.
    -- Errors: as pgq.insert_events.
    -- Tables: pgq.queue (read), the queue's current event table.
begin
    return (select count(*)
              from pgq.insert_events(i_queue_name, i_types, i_datas, i_extra1, i_extra2, i_extra3, i_extra4));
end;
$$;
