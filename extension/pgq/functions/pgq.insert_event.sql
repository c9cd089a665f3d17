create or replace function pgq.insert_event(
    queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1 .. ev_extra4):
    -- produce one event, timed now(), for every consumer of the queue.
    -- Triggers call this function by its qualified name.
    -- Returns: the event id.
    -- Errors: as pgq.insert_event_raw.
    -- Tables: pgq.queue (read), the queue's current event table.
    --
    -- This is the hottest path of pgq, so the common case (queue enabled, no
    -- per-transaction limit, no on-demand ticking) is one static,
    -- plan-cached statement: it reads the queue row, takes the next id and
    -- inserts through the partitioned pgq.event_template, which routes the
    -- row to pgq.event_<id>_<cur>.
    -- When no row qualifies, pgq.insert_event_raw does the checks and
    -- raises the right error.  An on-demand queue (4.1) takes a second such
    -- statement and signals the ticker (pgq._signal_events).
declare
    v_id bigint;
begin
    -- every column, in table order: the planner then drops the subquery
    -- scan it would otherwise put between the lookup and the insert
    insert into pgq.event_template as e
    select nextval(q.queue_event_seq), now(), txid_current(), null::int4, null::int4,
           insert_event.ev_type, insert_event.ev_data,
           insert_event.ev_extra1, insert_event.ev_extra2,
           insert_event.ev_extra3, insert_event.ev_extra4,
           q.queue_id, q.queue_cur_table
      from pgq.queue q
     where q.queue_name = insert_event.queue_name
       and not q.queue_disable_insert
       and q.queue_per_tx_limit is null
       and q.queue_ticker_on_demand is null
    returning e.ev_id into v_id;
    if v_id is not null then
        return v_id;
    end if;
    -- an on-demand queue (4.1): the same insert, and the signal
    insert into pgq.event_template as e
    select nextval(q.queue_event_seq), now(), txid_current(), null::int4, null::int4,
           insert_event.ev_type, insert_event.ev_data,
           insert_event.ev_extra1, insert_event.ev_extra2,
           insert_event.ev_extra3, insert_event.ev_extra4,
           q.queue_id, q.queue_cur_table
      from pgq.queue q
     where q.queue_name = insert_event.queue_name
       and not q.queue_disable_insert
       and q.queue_per_tx_limit is null
       and q.queue_ticker_on_demand is not null
    returning e.ev_id into v_id;
    if v_id is not null then
        perform pgq._signal_events(insert_event.queue_name);
        return v_id;
    end if;
    -- a disabled queue, one with a per-transaction limit, or none:
    -- insert_event_raw checks (and signals an on-demand queue)
    return pgq.insert_event_raw(queue_name, null, now(), null, null,
                                ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4);
end;
$$;

create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text)
returns bigint
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_event(queue_name, ev_type, ev_data): the 7-argument form
    -- with NULL extras.  A plain SQL function, so the planner inlines it.
    select pgq.insert_event(queue_name, ev_type, ev_data, null, null, null, null);
$$;
