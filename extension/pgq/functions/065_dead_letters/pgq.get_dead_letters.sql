create or replace function pgq.get_dead_letters(
    in i_queue_name text,
    in i_consumer_name text,
    out dl_id bigint,
    out queue_name text,
    out consumer_name text,
    out dl_time timestamptz,
    out dl_retry_count int4,
    out dl_reason text,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_dead_letters(i_queue_name, i_consumer_name) (not in PgQ,
    -- 4.1): the events given up on in a queue, for one consumer or (NULL)
    -- every one, oldest first.
    -- Returns: one row per dead letter: its id, queue and consumer, when
    --   and why (NULL when the consumer gave no reason) it was given up on,
    --   how often it had been retried, and the event.
    -- Errors: PQ001 'No such queue' (through the check below).
    -- Tables: pgq.dead_letter, pgq.queue (read).
    select d.dl_id, q.queue_name, d.dl_consumer, d.dl_time, d.dl_retry_count, d.dl_reason,
           d.ev_id, d.ev_time, d.ev_txid, d.ev_type, d.ev_data,
           d.ev_extra1, d.ev_extra2, d.ev_extra3, d.ev_extra4
      from pgq.queue q
      join pgq.dead_letter d on d.dl_queue = q.queue_id
     where q.queue_name = pgq._dead_letter_queue(i_queue_name)
       and (i_consumer_name is null or d.dl_consumer = i_consumer_name)
     order by d.dl_id;
$$;
