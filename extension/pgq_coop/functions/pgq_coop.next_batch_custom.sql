create or replace function pgq_coop.next_batch_custom(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_min_lag interval,
    i_min_count int4,
    i_min_interval interval,
    i_dead_interval interval)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_coop.next_batch_custom(i_queue_name, i_consumer_name,
    --     i_subconsumer_name, i_min_lag, i_min_count, i_min_interval,
    --     i_dead_interval): give the subconsumer a batch of its own.
    -- The subconsumer (and the main consumer) are registered first when
    -- they are not.  Then, in this order:
    --   - a batch the subconsumer holds already is returned again (it
    --     crashed and came back; its events are still to be done);
    --   - with i_dead_interval: another subconsumer of the same consumer
    --     not seen for longer than that is dead: it is unregistered, and a
    --     batch it held becomes this subconsumer's and is returned (those
    --     holding a batch are taken first, the longest silent first);
    --   - the main consumer's next batch (pgq.next_batch_custom with
    --     i_min_lag, i_min_count, i_min_interval) is handed to this
    --     subconsumer: the main consumer's position moves past it at once,
    --     so the next caller gets the batch after it.
    -- Callers are serialized on the main consumer's subscription row, so two
    -- subconsumers never get the same batch.  Every call marks the
    -- subconsumer as seen (sub_active), which is what i_dead_interval is
    -- measured against.
    -- Returns: the batch id; NULL when there is no batch to be had.
    -- Errors: those of pgq_coop.register_subconsumer and
    --   pgq.next_batch_custom; PQ012 'main consumer has batch open?' when
    --   the main consumer holds a batch of its own (opened with
    --   pgq.next_batch); PQ002 'main consumer not found' when it went away
    --   meanwhile; PQ002 'subconsumer not found' when
    --   '<consumer>.<subconsumer>' is a consumer of its own, not of this
    --   group.
    -- Tables: pgq.queue, pgq.consumer, pgq.tick (read), pgq.subscription.
declare
    v_name      text := i_consumer_name || '.' || i_subconsumer_name;
    v_main      record;
    v_sub       record;
    v_dead      record;
    v_batch     record;
begin
    for i in 1 .. 2 loop
        select s.sub_queue, s.sub_consumer, s.sub_id, s.sub_batch, s.sub_next_tick
          into v_main
          from pgq.queue q
          join pgq.subscription s on s.sub_queue = q.queue_id
          join pgq.consumer c on c.co_id = s.sub_consumer
         where q.queue_name = i_queue_name
           and c.co_name = i_consumer_name
           for update of s;
        if found then
            select s.sub_consumer, s.sub_id, s.sub_batch
              into v_sub
              from pgq.subscription s
              join pgq.consumer c on c.co_id = s.sub_consumer
             where s.sub_queue = v_main.sub_queue
               and c.co_name = v_name;
            exit when found;
        end if;
        exit when i = 2;
        perform pgq_coop.register_subconsumer(i_queue_name, i_consumer_name, i_subconsumer_name);
    end loop;
    if v_main.sub_queue is null then
        raise exception 'main consumer not found' using errcode = 'PQ002';
    end if;
    if v_sub.sub_consumer is null or v_sub.sub_id <> v_main.sub_id then
        raise exception 'subconsumer not found' using errcode = 'PQ002';
    end if;
    if v_main.sub_batch is not null or v_main.sub_next_tick is not null then
        raise exception 'main consumer has batch open?' using errcode = 'PQ012';
    end if;

    -- seen now (also when this call hands out nothing)
    update pgq.subscription
       set sub_active = now()
     where sub_queue = v_main.sub_queue and sub_consumer = v_sub.sub_consumer;

    if v_sub.sub_batch is not null then
        return v_sub.sub_batch;
    end if;

    if i_dead_interval is not null then
        select s.sub_consumer, s.sub_batch, s.sub_last_tick, s.sub_next_tick
          into v_dead
          from pgq.subscription s
         where s.sub_queue = v_main.sub_queue
           and s.sub_id = v_main.sub_id
           and s.sub_consumer <> v_main.sub_consumer
           and s.sub_consumer <> v_sub.sub_consumer
           and s.sub_active < now() - i_dead_interval
         order by s.sub_batch is null, s.sub_active
         limit 1
           for update of s;
        if found then
            delete from pgq.subscription
             where sub_queue = v_main.sub_queue and sub_consumer = v_dead.sub_consumer;
            delete from pgq.consumer c
             where c.co_id = v_dead.sub_consumer
               and not exists (select 1 from pgq.subscription s where s.sub_consumer = c.co_id);
            if v_dead.sub_batch is not null then
                update pgq.subscription
                   set sub_batch = v_dead.sub_batch,
                       sub_last_tick = v_dead.sub_last_tick,
                       sub_next_tick = v_dead.sub_next_tick,
                       sub_active = now()
                 where sub_queue = v_main.sub_queue and sub_consumer = v_sub.sub_consumer;
                return v_dead.sub_batch;
            end if;
        end if;
    end if;

    select n.batch_id, n.prev_tick_id, n.cur_tick_id
      into v_batch
      from pgq.next_batch_custom(i_queue_name, i_consumer_name, i_min_lag, i_min_count, i_min_interval) n;
    if v_batch.batch_id is null then
        return null;
    end if;

    -- the main consumer is past the batch at once; the subconsumer holds it
    update pgq.subscription
       set sub_last_tick = v_batch.cur_tick_id,
           sub_next_tick = null,
           sub_batch = null,
           sub_active = now()
     where sub_queue = v_main.sub_queue and sub_consumer = v_main.sub_consumer;
    update pgq.subscription
       set sub_batch = v_batch.batch_id,
           sub_last_tick = v_batch.prev_tick_id,
           sub_next_tick = v_batch.cur_tick_id,
           sub_active = now()
     where sub_queue = v_main.sub_queue and sub_consumer = v_sub.sub_consumer;
    return v_batch.batch_id;
end;
$$;

create or replace function pgq_coop.next_batch_custom(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_min_lag interval,
    i_min_count int4,
    i_min_interval interval)
returns bigint
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_coop.next_batch_custom(i_queue_name, i_consumer_name,
    --     i_subconsumer_name, i_min_lag, i_min_count, i_min_interval): the
    -- same without taking over dead subconsumers' batches.
    select pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name,
                                      i_min_lag, i_min_count, i_min_interval, null);
$$;
