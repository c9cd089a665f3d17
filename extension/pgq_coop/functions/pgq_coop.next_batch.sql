create or replace function pgq_coop.next_batch(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text)
returns bigint
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_coop.next_batch(i_queue_name, i_consumer_name,
    --     i_subconsumer_name): the subconsumer's batch (see
    -- pgq_coop.next_batch_custom), the next tick's worth, without taking
    -- over dead subconsumers' batches.
    -- Returns: the batch id; NULL when there is none.
    select pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name,
                                      null, null, null, null);
$$;

create or replace function pgq_coop.next_batch(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_dead_interval interval)
returns bigint
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_coop.next_batch(i_queue_name, i_consumer_name,
    --     i_subconsumer_name, i_dead_interval): the same, taking over the
    -- batch of a subconsumer not seen for longer than i_dead_interval.
    -- Returns: the batch id; NULL when there is none.
    select pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name,
                                      null, null, null, i_dead_interval);
$$;
