create or replace function pgq._event_aside(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz,
                                            x_reason text, x_dead boolean)
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._event_aside(x_batch_id, x_event_id, x_retry_time, x_reason,
    -- x_dead): what pgq.event_retry and pgq.event_dead share: put one event
    -- of the open batch into the retry queue, or into pgq.dead_letter (with
    -- x_dead, or when it has been retried queue_max_retries times).
    -- Returns: 1; 0 when the event is waiting for retry or among the dead
    --   letters already.
    -- Errors: PQ009 'event not found' when the batch has no such event, or
    --   there is no such open batch (PgQ's text for both).
    -- Tables: see pgq._retry_batch_events.
declare
    v_added int4;
begin
    v_added := pgq._retry_batch_events(x_batch_id, x_event_id, x_retry_time, x_reason, x_dead);
    if v_added = 1 then
        return 1;
    end if;
    if v_added = 0 then
        perform 1 from pgq.retry_queue r, pgq.subscription s
         where s.sub_batch = x_batch_id and r.ev_owner = s.sub_id and r.ev_id = x_event_id;
        if found then
            return 0;
        end if;
        perform 1 from pgq.dead_letter d, pgq.subscription s
         where s.sub_batch = x_batch_id and d.dl_queue = s.sub_queue and d.ev_id = x_event_id;
        if found then
            return 0;
        end if;
    end if;
    raise exception 'event not found' using errcode = 'PQ009';
end;
$$;
