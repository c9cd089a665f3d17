create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
returns int4
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_retry(x_batch_id, x_event_id, x_retry_time): put an event of
    -- the open batch aside, to come back to this consumer alone at
    -- x_retry_time (pgq.maint_retry_events moves it back into the queue,
    -- with ev_retry counted up).  Not in PgQ (4.1): where the queue has
    -- max_retries (pgq.set_queue_config) and the event has been retried that
    -- often, it goes to pgq.dead_letter instead.
    -- Returns: 1; 0 when the event is waiting for retry (or among the dead
    --   letters) already.
    -- Errors: PQ009 'event not found' when the batch has no such event, or
    --   there is no such open batch (PgQ's text for both).
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue, pgq.dead_letter.
    select pgq._event_aside(x_batch_id, x_event_id, x_retry_time, null, false);
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

create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_seconds integer,
                                           x_reason text)
returns int4
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_retry(x_batch_id, x_event_id, x_retry_seconds, x_reason)
    -- (not in PgQ, 4.1): the same, with why it failed: kept as the dead
    -- letter's reason should this retry be one too many.
    select pgq._event_aside(x_batch_id, x_event_id, now() + make_interval(secs => x_retry_seconds), x_reason, false);
$$;
