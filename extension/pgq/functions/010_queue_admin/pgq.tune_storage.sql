create or replace function pgq.tune_storage(i_queue_name text)
returns int4
language plpgsql strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.tune_storage(i_queue_name): storage settings for a queue's event
    -- tables.  They are insert-only and emptied by TRUNCATE, so pages are
    -- filled completely and autovacuum is switched off for them.
    -- Returns: 1, or 0 when the queue does not exist.
    -- Tables: pgq.queue (read); ALTER TABLE on pgq.event_<id>_<n>.
declare
    v_q record;
    i   int4;
begin
    select queue_id, queue_ntables into v_q from pgq.queue where queue_name = i_queue_name;
    if not found then
        return 0;
    end if;
    for i in 0 .. v_q.queue_ntables - 1 loop
        execute format('alter table pgq.%I set (fillfactor = 100, autovacuum_enabled = off,'
                       ' toast.autovacuum_enabled = off)',
                       'event_' || v_q.queue_id || '_' || i);
    end loop;
    return 1;
end;
$$;
