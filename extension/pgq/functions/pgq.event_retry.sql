create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_retry(x_batch_id, x_event_id, x_retry_time): put an event of
    -- the open batch aside, to come back to this consumer alone at
    -- x_retry_time (pgq.maint_retry_events moves it back into the queue,
    -- with ev_retry counted up).
    -- Returns: 1; 0 when the event is waiting for retry already.
    -- Errors: PQ009 'event not found' when the batch has no such event, or
    --   there is no such open batch (PgQ's text for both).
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue.
declare
    v_added int4;
begin
    v_added := pgq._retry_batch_events(x_batch_id, x_event_id, x_retry_time);
    if v_added = 1 then
        return 1;
    end if;
    if v_added = 0 then
        perform 1 from pgq.retry_queue r, pgq.subscription s
         where s.sub_batch = x_batch_id and r.ev_owner = s.sub_id and r.ev_id = x_event_id;
        if found then
            return 0;
        end if;
    end if;
    raise exception 'event not found' using errcode = 'PQ009';
end;
$$;

create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_seconds integer)
returns int4
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_retry(x_batch_id, x_event_id, x_retry_seconds): retry the
    -- event x_retry_seconds from now.
    select pgq.event_retry(x_batch_id, x_event_id, now() + make_interval(secs => x_retry_seconds));
$$;
