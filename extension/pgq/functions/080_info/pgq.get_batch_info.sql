create or replace function pgq.get_batch_info(
    in x_batch_id bigint,
    out queue_name text,
    out consumer_name text,
    out batch_start timestamptz,
    out batch_end timestamptz,
    out prev_tick_id bigint,
    out tick_id bigint,
    out lag interval,
    out seq_start bigint,
    out seq_end bigint)
returns record
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_batch_info(x_batch_id): what an open batch spans.
    -- Returns: queue and consumer, start and end tick (ids, times, event
    --   positions) and lag = now() - end tick time; all NULL when no open
    --   batch has this id.
    -- Tables: pgq.subscription, pgq.queue, pgq.consumer, pgq.tick (read).
begin
    select q.queue_name, c.co_name, t_prev.tick_time, t_cur.tick_time,
           s.sub_last_tick, s.sub_next_tick, now() - t_cur.tick_time,
           t_prev.tick_event_seq, t_cur.tick_event_seq
      into queue_name, consumer_name, batch_start, batch_end,
           prev_tick_id, tick_id, lag, seq_start, seq_end
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
      left join pgq.tick t_prev on t_prev.tick_queue = s.sub_queue and t_prev.tick_id = s.sub_last_tick
      left join pgq.tick t_cur on t_cur.tick_queue = s.sub_queue and t_cur.tick_id = s.sub_next_tick
     where s.sub_batch = x_batch_id;
    return;
end;
$$;
