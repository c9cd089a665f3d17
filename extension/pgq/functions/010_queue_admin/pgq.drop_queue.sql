create or replace function pgq.drop_queue(x_queue_name text, x_force bool)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.drop_queue(x_queue_name, x_force): drop a queue and its data.
    -- With x_force, every consumer is unregistered first; without it, a queue
    -- that still has consumers is kept and an error raised.
    -- The queue is gone at once (pgq.queue, ticks, retry events) and its
    -- events with it: its own tables are emptied with TRUNCATE, which locks
    -- only them.  Removing the tables themselves needs an ACCESS EXCLUSIVE
    -- lock on pgq.event_template, which would make every producer of every
    -- queue wait behind any open producer transaction; that is left to
    -- maintenance: pgq.maint_operations() lists pgq.maint_drop_storage for
    -- the emptied tables, which drops them (and the queue's sequences) when
    -- it gets the lock within a few milliseconds, and tries again next round
    -- otherwise.
    -- Returns: 1.
    -- Errors: 22004 'Invalid NULL value'; PQ001 'No such event queue';
    --         PQ008 'cannot drop queue, consumers still attached'.
    -- Tables: pgq.queue, pgq.tick, pgq.subscription, pgq.consumer,
    --         pgq.retry_queue, pgq.dead_letter; empties pgq.event_<id>*.
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

    execute format('truncate pgq.%I', 'event_' || v_queue.queue_id);

    delete from pgq.tick where tick_queue = v_queue.queue_id;
    delete from pgq.retry_queue where ev_queue = v_queue.queue_id;
    delete from pgq.dead_letter where dl_queue = v_queue.queue_id;
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
