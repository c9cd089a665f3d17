create or replace function pgq.jsontriga()
returns trigger
language plpgsql
as $$
    -- pgq.jsontriga(queue [, args]): queue an event for each row change (or
    -- TRUNCATE) of the table; see pgq._trigger_event for the arguments and
    -- README for the event format.  A BEFORE (or INSTEAD OF) trigger with SKIP queues the
    -- event and skips the row operation.  The common case goes through
    -- pgq._trigger_fast; whatever it leaves (2) pgq._trigger_event does.
declare
    v_done pg_catalog.int4 := 2;
begin
    -- no operator and no unqualified name here: this function runs under
    -- the search_path of whoever changes the table
    if TG_LEVEL operator(pg_catalog.=) 'ROW' then
        v_done := pgq._trigger_fast('jsontriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV,
                                    TG_TABLE_SCHEMA, TG_TABLE_NAME, NEW, OLD);
    end if;
    if v_done operator(pg_catalog.=) 2 then
        v_done := case when pgq._trigger_event('jsontriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV,
                                                NEW::pg_catalog.text, OLD::pg_catalog.text,
                                                case when TG_LEVEL operator(pg_catalog.=) 'ROW' then pgq._trigger_dates_json(TG_RELID, NEW) end,
                                                case when TG_LEVEL operator(pg_catalog.=) 'ROW' then pgq._trigger_dates_json(TG_RELID, OLD) end,
                                                pg_catalog.current_setting('search_path'), NEW, OLD)
                       then 1 else 0 end;
    end if;
    if v_done operator(pg_catalog.=) 1 then
        return coalesce(NEW, OLD);
    end if;
    return null;
end;
$$;
