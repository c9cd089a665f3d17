create or replace function pgq.get_batch_events(
    in x_batch_id bigint,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_batch_events(x_batch_id): all events of an open batch, by
    -- ev_id.  Runs with the caller's rights (it needs SELECT on the event
    -- tables).  For big batches use pgq.get_batch_cursor.
    -- Errors: as pgq.batch_event_sql.
    -- Tables: the queue's event tables (read).
begin
    return query execute pgq.batch_event_sql(x_batch_id);
end;
$$;
