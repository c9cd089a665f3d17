create or replace function pgq.maint_retry_events()
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_retry_events(): move up to 10 retried events whose time has
    -- come back into their queue, earliest first.  They keep their id and
    -- time, get this transaction's txid and stay visible to their owning
    -- consumer only.  One mover at a time: a second caller waits.
    -- Returns: how many were moved; the caller repeats until it gets 0.
    -- Tables: pgq.retry_queue, pgq.queue (read), event tables.
declare
    v_ev    record;
    v_count int4 := 0;
begin
    lock table pgq.retry_queue in share update exclusive mode;
    for v_ev in
        select q.queue_name, r.ev_id, r.ev_time, r.ev_owner, r.ev_retry, r.ev_type, r.ev_data,
               r.ev_extra1, r.ev_extra2, r.ev_extra3, r.ev_extra4
          from pgq.retry_queue r
          join pgq.queue q on q.queue_id = r.ev_queue
         where r.ev_retry_after <= now()
         order by r.ev_retry_after
         limit 10
    loop
        perform pgq.insert_event_raw(v_ev.queue_name, v_ev.ev_id, v_ev.ev_time, v_ev.ev_owner,
                                     v_ev.ev_retry, v_ev.ev_type, v_ev.ev_data,
                                     v_ev.ev_extra1, v_ev.ev_extra2, v_ev.ev_extra3, v_ev.ev_extra4);
        delete from pgq.retry_queue where ev_owner = v_ev.ev_owner and ev_id = v_ev.ev_id;
        v_count := v_count + 1;
    end loop;
    return v_count;
end;
$$;
