create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_retry(x_batch_id, x_event_id, x_retry_time): put an event of
    -- the open batch aside, to come back to this consumer alone at
    -- x_retry_time (pgq.maint_retry_events moves it back into the queue,
    -- with ev_retry counted up).
    -- Returns: 1; 0 when the event is waiting for retry already.
    -- Errors: PQ009 'event not found' when the batch has no such event, or
    --   there is no such open batch (PgQ's text for both).
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue.
declare
    v_sub record;
begin
    select sub_id, sub_queue into v_sub from pgq.subscription where sub_batch = x_batch_id;
    if not found then
        raise exception 'event not found' using errcode = 'PQ009';
    end if;

    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner,
                                 ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    select x_retry_time, v_sub.sub_queue, ev.ev_id, ev.ev_time, null, v_sub.sub_id,
           coalesce(ev.ev_retry, 0) + 1, ev.ev_type, ev.ev_data,
           ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4
      from pgq.get_batch_events(x_batch_id) ev
     where ev.ev_id = x_event_id
    on conflict (ev_owner, ev_id) do nothing;
    if found then
        return 1;
    end if;

    perform 1 from pgq.retry_queue where ev_owner = v_sub.sub_id and ev_id = x_event_id;
    if found then
        return 0;
    end if;
    raise exception 'event not found' using errcode = 'PQ009';
end;
$$;

create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_seconds integer)
returns int4
language sql
as $$
    -- pgq.event_retry(x_batch_id, x_event_id, x_retry_seconds): retry the
    -- event x_retry_seconds from now.
    select pgq.event_retry(x_batch_id, x_event_id, now() + make_interval(secs => x_retry_seconds));
$$;
