create or replace function pgq_coop.register_subconsumer(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text)
returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_coop.register_subconsumer(i_queue_name, i_consumer_name,
    --     i_subconsumer_name): join a cooperative consumer.  The main
    -- consumer is registered on the queue when it is not yet (at the newest
    -- tick); the subconsumer becomes the pgq consumer
    -- '<consumer>.<subconsumer>' whose subscription shares the main one's
    -- sub_id and holds no ticks until it takes a batch.
    -- Returns: 1 for a new subconsumer, 0 when it was registered already.
    -- Errors: PQ001 'Event queue not created yet'; PQ004 'No ticks for this
    --   queue.  Please run ticker on database.' (a new main consumer);
    --   22004 'Invalid NULL value' for a NULL consumer or subconsumer name;
    --   PQ002 'main consumer not found' when the main consumer disappeared
    --   meanwhile.
    -- Tables: pgq.queue, pgq.consumer, pgq.subscription (through
    --   pgq.register_consumer, then sub_id and ticks of the new row).
declare
    v_name      text := i_consumer_name || '.' || i_subconsumer_name;
    v_main      record;
    v_new       integer;
begin
    perform pgq.register_consumer(i_queue_name, i_consumer_name);
    v_new := pgq.register_consumer(i_queue_name, v_name);
    if v_new <> 1 then
        return 0;
    end if;

    select s.sub_queue, s.sub_id
      into v_main
      from pgq.queue q
      join pgq.subscription s on s.sub_queue = q.queue_id
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name
       and c.co_name = i_consumer_name;
    if not found then
        raise exception 'main consumer not found' using errcode = 'PQ002';
    end if;

    -- the new row joins the main consumer's group: same sub_id (its retry
    -- events and its events' ev_owner are the main consumer's), no ticks
    update pgq.subscription s
       set sub_id = v_main.sub_id,
           sub_last_tick = null,
           sub_next_tick = null
      from pgq.consumer c
     where s.sub_queue = v_main.sub_queue
       and s.sub_consumer = c.co_id
       and c.co_name = v_name;
    return 1;
end;
$$;
