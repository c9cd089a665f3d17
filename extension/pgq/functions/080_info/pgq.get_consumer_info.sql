create or replace function pgq.get_consumer_info(
    in i_queue_name text,
    in i_consumer_name text,
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_consumer_info(i_queue_name, i_consumer_name): state of the
    -- subscriptions; a NULL argument matches every queue or consumer.
    -- Returns, by queue and consumer name:
    --   lag             now() - time of the consumer's last tick;
    --   last_seen       now() - the consumer's last next_batch/finish_batch;
    --   last_tick, current_batch, next_tick  the position and open batch;
    --   pending_events  events between the last tick and the newest tick.
    -- Cooperative sub-consumers show as '<consumer>.<sub>'.
    -- Tables: pgq.queue, pgq.consumer, pgq.subscription, pgq.tick (read).
    select q.queue_name, c.co_name,
           now() - t_last.tick_time,
           now() - s.sub_active,
           s.sub_last_tick, s.sub_batch, s.sub_next_tick,
           t_top.tick_event_seq - t_last.tick_event_seq
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
      left join pgq.tick t_last
        on t_last.tick_queue = s.sub_queue and t_last.tick_id = s.sub_last_tick
      left join lateral (
            select t.tick_event_seq from pgq.tick t
             where t.tick_queue = s.sub_queue
             order by t.tick_queue desc, t.tick_id desc
             limit 1) t_top on true
     where (i_queue_name is null or q.queue_name = i_queue_name)
       and (i_consumer_name is null or c.co_name = i_consumer_name)
     order by q.queue_name, c.co_name;
$$;

create or replace function pgq.get_consumer_info(
    in i_queue_name text,
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_consumer_info(i_queue_name): every consumer of one queue
    -- (every queue when NULL).
    select * from pgq.get_consumer_info(i_queue_name, null::text);
$$;

create or replace function pgq.get_consumer_info(
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_consumer_info(): every consumer of every queue.
    select * from pgq.get_consumer_info(null::text, null::text);
$$;
