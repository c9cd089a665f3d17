create or replace function pgq.unregister_consumer(x_queue_name text, x_consumer_name text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.unregister_consumer(x_queue_name, x_consumer_name): end a
    -- subscription.  Drops the consumer's events waiting in the retry queue,
    -- every subscription row sharing its sub_id (cooperative sub-consumers)
    -- and consumer rows left without any subscription.  A cooperative
    -- sub-consumer (a row sharing its sub_id with others whose last and next
    -- ticks are both NULL or both set) is removed alone.
    -- Returns: 0 when not registered; 1 for a lone sub-consumer; else the
    --   number of subscription rows removed.
    -- Tables: pgq.queue, pgq.consumer, pgq.subscription, pgq.retry_queue.
declare
    v_sub       record;
    v_count     int4;
begin
    select s.sub_id, s.sub_queue, s.sub_consumer, s.sub_last_tick, s.sub_next_tick
      into v_sub
      from pgq.queue q, pgq.consumer c, pgq.subscription s
     where q.queue_name = x_queue_name
       and c.co_name = x_consumer_name
       and s.sub_queue = q.queue_id
       and s.sub_consumer = c.co_id
       for update of s, c;
    if not found then
        return 0;
    end if;

    select count(*) into v_count
      from pgq.subscription
     where sub_queue = v_sub.sub_queue and sub_id = v_sub.sub_id;

    if v_count > 1
       and ((v_sub.sub_last_tick is null and v_sub.sub_next_tick is null)
            or (v_sub.sub_last_tick is not null and v_sub.sub_next_tick is not null)) then
        delete from pgq.subscription
         where sub_queue = v_sub.sub_queue and sub_consumer = v_sub.sub_consumer;
        delete from pgq.consumer c
         where c.co_id = v_sub.sub_consumer
           and not exists (select 1 from pgq.subscription s where s.sub_consumer = c.co_id);
        return 1;
    end if;

    delete from pgq.retry_queue
     where ev_queue = v_sub.sub_queue and ev_owner = v_sub.sub_id;

    with gone as (
        delete from pgq.subscription
         where sub_queue = v_sub.sub_queue and sub_id = v_sub.sub_id
        returning sub_consumer
    )
    delete from pgq.consumer c
     using gone g
     where c.co_id = g.sub_consumer
       and not exists (select 1 from pgq.subscription s
                        where s.sub_consumer = c.co_id
                          and not (s.sub_queue = v_sub.sub_queue and s.sub_id = v_sub.sub_id));
    return v_count;
end;
$$;
