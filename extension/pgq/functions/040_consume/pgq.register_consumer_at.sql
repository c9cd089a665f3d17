create or replace function pgq.register_consumer_at(x_queue_name text, x_consumer_name text, x_tick_pos bigint)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.register_consumer_at(x_queue_name, x_consumer_name, x_tick_pos):
    -- subscribe a consumer to a queue, or move an existing subscription.
    -- A new subscription starts at x_tick_pos, or at the newest tick when it
    -- is NULL, and sees the events committed after that tick.  An existing
    -- one is repositioned to x_tick_pos (its open batch is dropped) or, with
    -- NULL, left alone.
    -- Returns: 1 for a new subscription, 0 when it existed.
    -- Errors: PQ001 'Event queue not created yet'; PQ004 'cannot reposition,
    --   tick not found: <pos>'; PQ004 'No ticks for this queue.  Please run
    --   ticker on database.'
    -- Tables: pgq.queue, pgq.tick (read), pgq.consumer, pgq.subscription.
declare
    v_queue_id  int4;
    v_co_id     int4;
    v_tick      bigint;
begin
    if x_consumer_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;
    select queue_id into v_queue_id from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not created yet' using errcode = 'PQ001';
    end if;

    -- consumer row: create it, or lock it against a concurrent unregister
    select co_id into v_co_id from pgq.consumer where co_name = x_consumer_name for update;
    if not found then
        perform pgq._serial_catch_up('pgq.consumer_co_id_seq', (select max(co_id) from pgq.consumer));
        insert into pgq.consumer (co_name) values (x_consumer_name)
            on conflict (co_name) do nothing;
        select co_id into v_co_id from pgq.consumer where co_name = x_consumer_name for update;
    end if;

    if x_tick_pos is not null then
        perform 1 from pgq.tick where tick_queue = v_queue_id and tick_id = x_tick_pos;
        if not found then
            raise exception 'cannot reposition, tick not found: %', x_tick_pos
                using errcode = 'PQ004';
        end if;
    end if;

    perform 1 from pgq.subscription
     where sub_queue = v_queue_id and sub_consumer = v_co_id
       for update;
    if found then
        if x_tick_pos is not null then
            update pgq.subscription
               set sub_last_tick = x_tick_pos,
                   sub_batch = null,
                   sub_next_tick = null,
                   sub_active = now()
             where sub_queue = v_queue_id and sub_consumer = v_co_id;
        end if;
        return 0;
    end if;

    if x_tick_pos is null then
        select tick_id into v_tick
          from pgq.tick
         where tick_queue = v_queue_id
         order by tick_queue desc, tick_id desc
         limit 1;
        if not found then
            raise exception 'No ticks for this queue.  Please run ticker on database.'
                using errcode = 'PQ004';
        end if;
    else
        v_tick := x_tick_pos;
    end if;

    perform pgq._serial_catch_up('pgq.subscription_sub_id_seq', (select max(sub_id) from pgq.subscription));
    insert into pgq.subscription (sub_queue, sub_consumer, sub_last_tick)
    values (v_queue_id, v_co_id, v_tick);
    return 1;
end;
$$;
