create or replace function pgq.force_tick(i_queue_name text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.force_tick(i_queue_name): make the next ticker run tick this
    -- queue, by moving its event sequence ticker_max_count*2 + 1000 ahead
    -- of its next value.
    -- The caller polls until the newest tick id changes.
    -- Returns: the current newest tick id; NULL when the queue does not
    --   exist, is externally ticked or is paused (nothing is changed then).
    -- Tables: pgq.queue, pgq.tick (read); the event sequence.
declare
    v_q         record;
    v_tick_id   bigint;
begin
    select queue_id, queue_event_seq, queue_ticker_max_count into v_q
      from pgq.queue
     where queue_name = i_queue_name
       and not queue_external_ticker
       and not queue_ticker_paused;
    if not found then
        return null;
    end if;

    select tick_id into v_tick_id
      from pgq.tick
     where tick_queue = v_q.queue_id
     order by tick_queue desc, tick_id desc
     limit 1;

    -- from nextval(), as PgQ 3.5 does: the sequence ends where PgQ's would
    perform pg_catalog.setval(pgq.quote_fqname(v_q.queue_event_seq)::regclass,
                              pg_catalog.nextval(pgq.quote_fqname(v_q.queue_event_seq)::regclass)
                              + v_q.queue_ticker_max_count * 2 + 1000);
    return v_tick_id;
end;
$$;
