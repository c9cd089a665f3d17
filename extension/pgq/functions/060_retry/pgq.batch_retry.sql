create or replace function pgq.batch_retry(i_batch_id bigint, i_retry_seconds integer)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.batch_retry(i_batch_id, i_retry_seconds): put every event of the
    -- open batch aside for retry in i_retry_seconds (see pgq.event_retry),
    -- except those already waiting (or, past the queue's max_retries, into
    -- pgq.dead_letter: see pgq._retry_batch_events).
    -- Returns: how many events were put aside.
    -- Errors: PQ003 'batch_retry: batch <id> not found'.
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue.
declare
    v_count int4;
begin
    v_count := pgq._retry_batch_events(i_batch_id, null, now() + make_interval(secs => i_retry_seconds), null, false);
    if v_count is null then
        raise exception 'batch_retry: batch % not found', i_batch_id using errcode = 'PQ003';
    end if;
    return v_count;
end;
$$;
