create or replace function pgq.drop_queue(x_queue_name text, x_force bool)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.drop_queue(x_queue_name, x_force): drop a queue and its data.
    -- With x_force, every consumer is unregistered first; without it, a queue
    -- that still has consumers is kept and an error raised.
    -- Note: detaching the queue's tables from pgq.event_template needs a
    -- short ACCESS EXCLUSIVE lock on pgq.event_template, so the drop waits
    -- for transactions that are inserting events (into any queue) to end.
    -- Returns: 1.
    -- Errors: 22004 'Invalid NULL value'; PQ001 'No such event queue';
    --         PQ008 'cannot drop queue, consumers still attached'.
    -- Tables: pgq.queue, pgq.tick, pgq.subscription, pgq.consumer,
    --         pgq.retry_queue; drops pgq.event_<id>* and sequences.
declare
    v_queue     record;
    v_consumer  text;
begin
    if x_queue_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;

    select queue_id, queue_data_pfx, queue_event_seq, queue_tick_seq
      into v_queue
      from pgq.queue
     where queue_name = x_queue_name
       for update;
    if not found then
        raise exception 'No such event queue' using errcode = 'PQ001';
    end if;

    if x_force then
        for v_consumer in
            select consumer_name from pgq.get_consumer_info(x_queue_name)
        loop
            perform pgq.unregister_consumer(x_queue_name, v_consumer);
        end loop;
    else
        perform 1 from pgq.subscription where sub_queue = v_queue.queue_id;
        if found then
            raise exception 'cannot drop queue, consumers still attached'
                using errcode = 'PQ008';
        end if;
    end if;

    execute format('drop table pgq.%I', 'event_' || v_queue.queue_id);

    delete from pgq.tick where tick_queue = v_queue.queue_id;
    delete from pgq.retry_queue where ev_queue = v_queue.queue_id;

    execute format('drop sequence pgq.%I', 'event_' || v_queue.queue_id || '_tick_seq');
    execute format('drop sequence pgq.%I', 'event_' || v_queue.queue_id || '_id_seq');

    delete from pgq.queue where queue_id = v_queue.queue_id;

    return 1;
end;
$$;

create or replace function pgq.drop_queue(x_queue_name text)
returns int4
language sql strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.drop_queue(x_queue_name): drop_queue(x_queue_name, false).
    select pgq.drop_queue(x_queue_name, false);
$$;
