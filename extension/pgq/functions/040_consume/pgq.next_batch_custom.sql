create or replace function pgq.next_batch_custom(
    in i_queue_name text,
    in i_consumer_name text,
    in i_min_lag interval,
    in i_min_count int4,
    in i_min_interval interval,
    out batch_id int8,
    out cur_tick_id int8,
    out prev_tick_id int8,
    out cur_tick_time timestamptz,
    out prev_tick_time timestamptz,
    out cur_tick_event_seq int8,
    out prev_tick_event_seq int8)
returns record
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.next_batch_custom(i_queue_name, i_consumer_name, i_min_lag,
    --     i_min_count, i_min_interval): open the consumer's next batch.
    -- A batch runs from the consumer's last tick to a later tick.  While a
    -- batch is open the same batch is returned again (a consumer that crashed
    -- gets it back).  Without i_min_count and i_min_interval the batch ends
    -- at the first tick after the last one; with them, at the tick
    -- pgq.find_tick_helper picks.  With i_min_lag, a tick younger than that
    -- does not make a batch yet.  The sequence positions are only a size
    -- hint: a batch may be empty.
    -- Asking for a batch when there is none writes nothing (no row lock, no
    -- xid), so idle consumers can poll cheaply.  Two sessions asking for the
    -- same consumer's batch at once both get the one that is opened first.
    -- Returns: the batch id and both ticks' ids, times and event positions;
    --   all NULL when there is no batch to be had.
    -- Errors: PQ002 'Not subscriber to queue: <q>/<c>'; PQ010 'PgQ
    --   corruption: Consumer <c> on queue <q> does not see tick <id>'.
    -- Tables: pgq.queue, pgq.consumer, pgq.tick (read), pgq.subscription.
declare
    v_sub       record;
    v_cur       record;
begin
    select s.sub_queue, s.sub_consumer, s.sub_last_tick, s.sub_next_tick, s.sub_batch
      into v_sub
      from pgq.queue q, pgq.consumer c, pgq.subscription s
     where q.queue_name = i_queue_name
       and c.co_name = i_consumer_name
       and s.sub_queue = q.queue_id
       and s.sub_consumer = c.co_id;
    if not found then
        raise exception 'Not subscriber to queue: %/%',
            coalesce(i_queue_name, 'NULL'), coalesce(i_consumer_name, 'NULL')
            using errcode = 'PQ002';
    end if;

    select tick_id, tick_time, tick_event_seq
      into prev_tick_id, prev_tick_time, prev_tick_event_seq
      from pgq.tick
     where tick_queue = v_sub.sub_queue and tick_id = v_sub.sub_last_tick;
    if not found then
        raise exception 'PgQ corruption: Consumer % on queue % does not see tick %',
            i_consumer_name, i_queue_name, v_sub.sub_last_tick
            using errcode = 'PQ010';
    end if;

    if v_sub.sub_batch is not null then
        batch_id := v_sub.sub_batch;
        select tick_id, tick_time, tick_event_seq
          into cur_tick_id, cur_tick_time, cur_tick_event_seq
          from pgq.tick
         where tick_queue = v_sub.sub_queue and tick_id = v_sub.sub_next_tick;
        return;
    end if;

    if i_min_count is null and i_min_interval is null then
        select tick_id, tick_time, tick_event_seq
          into v_cur
          from pgq.tick
         where tick_queue = v_sub.sub_queue and tick_id > v_sub.sub_last_tick
         order by tick_queue, tick_id
         limit 1;
    else
        select h.next_tick_id as tick_id, h.next_tick_time as tick_time,
               h.next_tick_seq as tick_event_seq
          into v_cur
          from pgq.find_tick_helper(v_sub.sub_queue, prev_tick_id, prev_tick_time,
                                    prev_tick_event_seq, i_min_count, i_min_interval) h
         where h.next_tick_id is not null;
    end if;

    if v_cur.tick_id is null
       or (i_min_lag is not null and now() - v_cur.tick_time < i_min_lag) then
        prev_tick_id := null;
        prev_tick_time := null;
        prev_tick_event_seq := null;
        return;
    end if;

    batch_id := nextval('pgq.batch_id_seq');
    cur_tick_id := v_cur.tick_id;
    cur_tick_time := v_cur.tick_time;
    cur_tick_event_seq := v_cur.tick_event_seq;

    -- only if nobody opened a batch or moved the consumer meanwhile; if the
    -- row is being changed, this waits for that and then finds it changed
    update pgq.subscription
       set sub_batch = batch_id,
           sub_next_tick = cur_tick_id,
           sub_active = now()
     where sub_queue = v_sub.sub_queue
       and sub_consumer = v_sub.sub_consumer
       and sub_batch is null
       and sub_last_tick is not distinct from v_sub.sub_last_tick;
    if not found then
        -- someone else got there first: return what it did
        select * into batch_id, cur_tick_id, prev_tick_id, cur_tick_time, prev_tick_time,
                      cur_tick_event_seq, prev_tick_event_seq
          from pgq.next_batch_custom(i_queue_name, i_consumer_name, i_min_lag, i_min_count, i_min_interval);
    end if;
    return;
end;
$$;
