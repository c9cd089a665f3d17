create or replace function pgq.logutriga()
returns trigger
language plpgsql
as $$
    -- pgq.logutriga(queue [, args]): queue an event for each row change (or
    -- TRUNCATE) of the table; see pgq._trigger_event for the arguments and
    -- README for the event format.  A BEFORE trigger with SKIP queues the
    -- event and skips the row operation.
begin
    if pgq._trigger_event('logutriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV,
                          case when TG_OP in ('INSERT', 'UPDATE') then NEW::text end,
                          case when TG_OP in ('UPDATE', 'DELETE') then OLD::text end) then
        return null;
    end if;
    if TG_WHEN <> 'BEFORE' or TG_LEVEL <> 'ROW' then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$;
