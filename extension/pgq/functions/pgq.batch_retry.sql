create or replace function pgq.batch_retry(i_batch_id bigint, i_retry_seconds integer)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.batch_retry(i_batch_id, i_retry_seconds): put every event of the
    -- open batch aside for retry in i_retry_seconds (see pgq.event_retry),
    -- except those already waiting.
    -- Returns: how many events were put aside.
    -- Errors: PQ003 'batch_retry: batch <id> not found'.
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue.
declare
    v_sub   record;
    v_count int4;
begin
    select sub_id, sub_queue into v_sub from pgq.subscription where sub_batch = i_batch_id;
    if not found then
        raise exception 'batch_retry: batch % not found', i_batch_id using errcode = 'PQ003';
    end if;

    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner,
                                 ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    select now() + make_interval(secs => i_retry_seconds), v_sub.sub_queue, ev.ev_id, ev.ev_time,
           null, v_sub.sub_id, coalesce(ev.ev_retry, 0) + 1, ev.ev_type, ev.ev_data,
           ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4
      from pgq.get_batch_events(i_batch_id) ev
    on conflict (ev_owner, ev_id) do nothing;
    get diagnostics v_count = row_count;
    return v_count;
end;
$$;
