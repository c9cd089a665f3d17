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
    -- Tables: as pgq.insert_event_raw.
begin
    return pgq.insert_event_raw(queue_name, null, now(), null, null,
                                ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4);
end;
$$;

create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text)
returns bigint
language sql
as $$
    -- pgq.insert_event(queue_name, ev_type, ev_data): the 7-argument form
    -- with NULL extras.  A plain SQL function, so the planner inlines it.
    select pgq.insert_event(queue_name, ev_type, ev_data, null, null, null, null);
$$;
