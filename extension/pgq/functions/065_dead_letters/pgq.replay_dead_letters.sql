create or replace function pgq.replay_dead_letters(i_queue_name text, i_consumer_name text, i_dl_id bigint)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.replay_dead_letters(i_queue_name, i_consumer_name, i_dl_id) (not
    -- in PgQ, 4.1): put dead letters back into their queue, for their
    -- consumer alone (as retried events come back), with their id, time and
    -- data and the retry count reset, so they get the queue's max_retries
    -- anew; they reach the consumer in its next batch after the next tick.
    -- Parameters: i_dl_id, one dead letter; NULL, all of the consumer's in
    --   that queue.
    -- Returns: how many were put back (they leave pgq.dead_letter).
    -- Errors: PQ001 'No such queue'; 22004 'Invalid NULL value' for a NULL
    --   consumer; PQ002 'Not subscriber to queue: <q>/<c>' when the consumer
    --   is not registered (any more).
    -- Tables: pgq.dead_letter, pgq.queue, pgq.consumer, pgq.subscription
    --   (read), the queue's event tables (through pgq.insert_event_raw).
declare
    v_sub   int4;
    v_dl    record;
    v_count int4 := 0;
begin
    perform pgq._dead_letter_queue(i_queue_name);
    if i_consumer_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;
    select s.sub_id into v_sub
      from pgq.queue q
      join pgq.subscription s on s.sub_queue = q.queue_id
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name and c.co_name = i_consumer_name;
    if not found then
        raise exception 'Not subscriber to queue: %/%', i_queue_name, i_consumer_name
            using errcode = 'PQ002';
    end if;
    for v_dl in
        delete from pgq.dead_letter d
         using pgq.queue q
         where q.queue_name = i_queue_name and d.dl_queue = q.queue_id
           and d.dl_consumer = i_consumer_name
           and (i_dl_id is null or d.dl_id = i_dl_id)
        returning d.*
    loop
        perform pgq.insert_event_raw(i_queue_name, v_dl.ev_id, v_dl.ev_time, v_sub, null,
                                     v_dl.ev_type, v_dl.ev_data,
                                     v_dl.ev_extra1, v_dl.ev_extra2, v_dl.ev_extra3, v_dl.ev_extra4);
        v_count := v_count + 1;
    end loop;
    return v_count;
end;
$$;
