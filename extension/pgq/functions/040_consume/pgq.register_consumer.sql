create or replace function pgq.register_consumer(x_queue_name text, x_consumer_id text)
returns int4
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.register_consumer(x_queue_name, x_consumer_id): subscribe a
    -- consumer at the queue's newest tick; see pgq.register_consumer_at.
    select pgq.register_consumer_at(x_queue_name, x_consumer_id, null);
$$;
