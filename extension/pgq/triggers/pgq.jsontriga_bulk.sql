create or replace function pgq.jsontriga_bulk()
returns trigger
language plpgsql
as $$
    -- pgq.jsontriga_bulk(queue [, args]): the statement-level form of
    -- pgq.jsontriga: the same events, in row order, made in one set-based pass
    -- over the statement's transition tables.  One trigger per event:
    --   create trigger t_ins after insert on t referencing new table as pgq_new
    --       for each statement execute function pgq.jsontriga_bulk('queue');
    --   ... after update ... referencing old table as pgq_old new table as pgq_new ...
    --   ... after delete ... referencing old table as pgq_old ...
declare
    v_sql text;
begin
    -- the statements must run here: only this function's queries see the
    -- transition tables
    foreach v_sql in array pgq._bulk_trigger_sql('jsontriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV) loop
        begin
            execute v_sql;
        exception
            when undefined_table then
                raise exception 'pgq.jsontriga_bulk needs REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS pgq_old (update, delete): %', sqlerrm
                    using errcode = '22023';
        end;
    end loop;
    return null;
end;
$$;
