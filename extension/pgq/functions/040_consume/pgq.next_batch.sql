create or replace function pgq.next_batch(i_queue_name text, i_consumer_name text)
returns int8
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.next_batch(i_queue_name, i_consumer_name): the next batch's id, or
    -- NULL when there is nothing to do; see pgq.next_batch_custom.
    select batch_id from pgq.next_batch_custom(i_queue_name, i_consumer_name, null, null, null);
$$;
