create or replace function pgq._retry_batch_events(i_batch_id bigint, i_event_id bigint, i_retry_after timestamptz)
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._retry_batch_events(i_batch_id, i_event_id, i_retry_after): copy
    -- events of an open batch into pgq.retry_queue for the batch's
    -- subscription, with ev_retry counted up and no txid; events already
    -- waiting are left as they are.
    -- Parameters: i_event_id, one event; NULL, every event of the batch.
    -- Returns: how many were added; NULL when no open batch has this id.
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue.
declare
    v_sub   record;
    v_count int4;
begin
    select sub_id, sub_queue into v_sub from pgq.subscription where sub_batch = i_batch_id;
    if not found then
        return null;
    end if;
    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner,
                                 ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    select i_retry_after, v_sub.sub_queue, ev.ev_id, ev.ev_time, null, v_sub.sub_id,
           coalesce(ev.ev_retry, 0) + 1, ev.ev_type, ev.ev_data,
           ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4
      from pgq.get_batch_events(i_batch_id) ev
     where i_event_id is null or ev.ev_id = i_event_id
    on conflict (ev_owner, ev_id) do nothing;
    get diagnostics v_count = row_count;
    return v_count;
end;
$$;
