create or replace function pgq._retry_batch_events(i_batch_id bigint, i_event_id bigint, i_retry_after timestamptz,
                                                   i_reason text, i_dead boolean)
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._retry_batch_events(i_batch_id, i_event_id, i_retry_after,
    -- i_reason, i_dead): copy events of an open batch into pgq.retry_queue for the
    -- batch's subscription, with ev_retry counted up and no txid; events
    -- already waiting are left as they are.  Where the queue has
    -- queue_max_retries (4.1, not in PgQ) and an event has been retried that
    -- often already, it goes to pgq.dead_letter instead, with i_reason; with
    -- i_dead every event does (pgq.event_dead).
    -- Parameters: i_event_id, one event; NULL, every event of the batch.
    -- Returns: how many were added (to either); NULL when no open batch has
    --   this id.
    -- Tables: pgq.subscription, pgq.queue, pgq.consumer (read), the batch's
    --   event tables (read), pgq.retry_queue, pgq.dead_letter.
declare
    v_sub   record;
    v_count int4;
    v_dead  int4;
begin
    select s.sub_id, s.sub_queue, q.queue_max_retries
      into v_sub
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
     where s.sub_batch = i_batch_id;
    if not found then
        return null;
    end if;

    with ev as (
        select e.*, coalesce(i_dead or coalesce(e.ev_retry, 0) >= v_sub.queue_max_retries, false) as dead
          from pgq.get_batch_events(i_batch_id) e
         where i_event_id is null or e.ev_id = i_event_id
    ), retried as (
        insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner,
                                     ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
        select i_retry_after, v_sub.sub_queue, ev.ev_id, ev.ev_time, null, v_sub.sub_id,
               coalesce(ev.ev_retry, 0) + 1, ev.ev_type, ev.ev_data,
               ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4
          from ev
         where not ev.dead
        on conflict (ev_owner, ev_id) do nothing
        returning 1
    ), died as (
        insert into pgq.dead_letter (dl_queue, dl_consumer, dl_retry_count, dl_reason, ev_id, ev_time, ev_txid,
                                     ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
        select v_sub.sub_queue,
               -- the consumer: for cooperative subconsumers, their main
               -- consumer (the shortest name of the group sharing sub_id)
               (select c.co_name from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
                 where s.sub_queue = v_sub.sub_queue and s.sub_id = v_sub.sub_id
                 order by length(c.co_name), c.co_name limit 1),
               coalesce(ev.ev_retry, 0), i_reason, ev.ev_id, ev.ev_time, ev.ev_txid,
               ev.ev_type, ev.ev_data, ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4
          from ev
         where ev.dead
           -- an event that waits for retry already stays there
           and not exists (select 1 from pgq.retry_queue r
                            where r.ev_owner = v_sub.sub_id and r.ev_id = ev.ev_id)
        on conflict (dl_queue, dl_consumer, ev_id) do nothing
        returning 1
    )
    select (select count(*) from retried), (select count(*) from died) into v_count, v_dead;
    return v_count + v_dead;
end;
$$;
