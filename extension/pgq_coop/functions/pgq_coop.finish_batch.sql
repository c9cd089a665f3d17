create or replace function pgq_coop.finish_batch(i_batch_id bigint)
returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_coop.finish_batch(i_batch_id): close a subconsumer's batch.  The
    -- main consumer's position moved past the batch when it was handed out,
    -- so the subconsumer's row simply lets go of it (ticks back to NULL).
    -- A batch held by a consumer that is not a subconsumer (opened with
    -- pgq.next_batch) is finished as pgq.finish_batch does, moving that
    -- consumer's position, so that its place in the queue is never lost.
    -- Returns: 1; 0 with a WARNING 'coop_finish_batch: batch <id> not
    --   found'.
    -- Tables: pgq.consumer, pgq.subscription.
declare
    v_sub   record;
begin
    select s.sub_queue, s.sub_consumer, s.sub_id, c.co_name
      into v_sub
      from pgq.subscription s
      join pgq.consumer c on c.co_id = s.sub_consumer
     where s.sub_batch = i_batch_id
       for update of s;
    if not found then
        raise warning 'coop_finish_batch: batch % not found', i_batch_id;
        return 0;
    end if;

    -- a subconsumer: '<main>.<name>' sharing sub_id with <main>'s row
    perform 1
       from pgq.subscription m
       join pgq.consumer mc on mc.co_id = m.sub_consumer
      where m.sub_queue = v_sub.sub_queue
        and m.sub_id = v_sub.sub_id
        and m.sub_consumer <> v_sub.sub_consumer
        and left(v_sub.co_name, length(mc.co_name) + 1) = mc.co_name || '.';
    if found then
        update pgq.subscription
           set sub_last_tick = null,
               sub_next_tick = null,
               sub_batch = null,
               sub_active = now()
         where sub_queue = v_sub.sub_queue and sub_consumer = v_sub.sub_consumer;
    else
        update pgq.subscription
           set sub_last_tick = sub_next_tick,
               sub_next_tick = null,
               sub_batch = null,
               sub_active = now()
         where sub_queue = v_sub.sub_queue and sub_consumer = v_sub.sub_consumer;
    end if;
    return 1;
end;
$$;
