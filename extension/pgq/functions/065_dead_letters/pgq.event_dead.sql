create or replace function pgq.event_dead(x_batch_id bigint, x_event_id bigint, x_reason text)
returns int4
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_dead(x_batch_id, x_event_id, x_reason) (not in PgQ, 4.1):
    -- give up on an event of the open batch at once, without retries: it
    -- goes to pgq.dead_letter with x_reason, for this consumer.
    -- Returns: 1; 0 when it is waiting for retry or among the dead letters
    --   already.
    -- Errors: PQ009 'event not found' (see pgq.event_retry).
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.dead_letter.
    select pgq._event_aside(x_batch_id, x_event_id, now(), x_reason, true);
$$;
