create or replace function pgq.logutriga_bulk()
returns trigger
language plpgsql
as $$
    -- pgq.logutriga_bulk(queue [, args]): the statement-level form of
    -- pgq.logutriga: the same events, in row order, made in one set-based pass
    -- over the statement's transition tables.  One trigger per event:
    --   create trigger t_ins after insert on t referencing new table as pgq_new
    --       for each statement execute function pgq.logutriga_bulk('queue');
    --   ... after update ... referencing old table as pgq_old new table as pgq_new ...
    --   ... after delete ... referencing old table as pgq_old ...
declare
    v_sql pg_catalog.text;
begin
    -- the statements must run here: only this function's queries see the
    -- transition tables (_bulk_trigger_sql checks that the trigger declares
    -- them)
    foreach v_sql in array pgq._bulk_trigger_sql('logutriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV, TG_NAME) loop
        execute v_sql;
    end loop;
    return null;
end;
$$;
