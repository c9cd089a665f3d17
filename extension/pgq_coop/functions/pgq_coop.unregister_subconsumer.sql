create or replace function pgq_coop.unregister_subconsumer(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_batch_handling integer)
returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_coop.unregister_subconsumer(i_queue_name, i_consumer_name,
    --     i_subconsumer_name, i_batch_handling): leave a cooperative
    -- consumer.  The main consumer and the other subconsumers stay.
    -- i_batch_handling says what happens to a batch the subconsumer holds:
    --   0 - refuse (error below), the batch stays with the subconsumer;
    --   1 - drop it: the batch is closed and its events are not handed to
    --       anyone again (the main consumer's position is past them).
    -- Returns: 1 when the subconsumer was registered and is removed; 0 when
    --   it was not registered (or was taken over as dead already).
    -- Errors: PQ012 'subconsumer has active batch' (i_batch_handling other
    --   than 1, NULL included, while it holds a batch).
    -- Tables: pgq.queue, pgq.consumer, pgq.subscription.
declare
    v_sub   record;
begin
    select s.sub_queue, s.sub_consumer, s.sub_batch
      into v_sub
      from pgq.queue q
      join pgq.subscription s on s.sub_queue = q.queue_id
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name
       and c.co_name = i_consumer_name || '.' || i_subconsumer_name
       for update of s;
    if not found then
        return 0;
    end if;

    if v_sub.sub_batch is not null and i_batch_handling is distinct from 1 then
        raise exception 'subconsumer has active batch' using errcode = 'PQ012';
    end if;

    delete from pgq.subscription
     where sub_queue = v_sub.sub_queue and sub_consumer = v_sub.sub_consumer;
    -- the consumer name row goes when nothing uses it any more (as
    -- pgq.unregister_consumer does)
    delete from pgq.consumer c
     where c.co_id = v_sub.sub_consumer
       and not exists (select 1 from pgq.subscription s where s.sub_consumer = c.co_id);
    return 1;
end;
$$;
