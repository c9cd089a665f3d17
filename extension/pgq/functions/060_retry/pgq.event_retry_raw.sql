create or replace function pgq.event_retry_raw(
    x_queue text, x_consumer text, x_retry_after timestamptz,
    x_ev_id bigint, x_ev_time timestamptz, x_ev_retry integer,
    x_ev_type text, x_ev_data text,
    x_ev_extra1 text, x_ev_extra2 text, x_ev_extra3 text, x_ev_extra4 text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_retry_raw(x_queue, x_consumer, x_retry_after, x_ev_id,
    --     x_ev_time, x_ev_retry, x_ev_type, x_ev_data, x_ev_extra1 ..
    --     x_ev_extra4): put any event into the retry queue for one consumer,
    -- to be moved into the queue at x_retry_after.
    -- Parameters: x_ev_id NULL = a new id from the queue's sequence.
    -- Returns: the event id.
    -- Errors: PQ002 'consumer not registered'.
    -- Tables: pgq.queue, pgq.consumer, pgq.subscription (read),
    --   pgq.retry_queue.
declare
    v_sub   record;
    v_id    bigint;
begin
    select s.sub_id, s.sub_queue, q.queue_event_seq into v_sub
      from pgq.queue q, pgq.consumer c, pgq.subscription s
     where q.queue_name = x_queue
       and c.co_name = x_consumer
       and s.sub_queue = q.queue_id
       and s.sub_consumer = c.co_id;
    if not found then
        raise exception 'consumer not registered' using errcode = 'PQ002';
    end if;

    v_id := coalesce(x_ev_id, nextval(v_sub.queue_event_seq));
    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner,
                                 ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    values (x_retry_after, v_sub.sub_queue, v_id, x_ev_time, null, v_sub.sub_id,
            x_ev_retry, x_ev_type, x_ev_data, x_ev_extra1, x_ev_extra2, x_ev_extra3, x_ev_extra4);
    return v_id;
end;
$$;
