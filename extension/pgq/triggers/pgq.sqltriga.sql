create or replace function pgq.sqltriga()
returns trigger
language plpgsql
as $$
    -- pgq.sqltriga(queue [, args]): queue an event for each row change (or
    -- TRUNCATE) of the table; see pgq._trigger_event for the arguments and
    -- README for the event format.  A BEFORE trigger with SKIP queues the
    -- event and skips the row operation.
begin
    -- no operator and no unqualified name here: this function runs under
    -- the search_path of whoever changes the table
    if pgq._trigger_event('sqltriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV,
                          NEW::pg_catalog.text, OLD::pg_catalog.text, pg_catalog.current_setting('search_path')) then
        return coalesce(NEW, OLD);
    end if;
    return null;
end;
$$;
