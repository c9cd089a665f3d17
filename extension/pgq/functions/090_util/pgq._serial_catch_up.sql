create or replace function pgq._serial_catch_up(i_seq text, i_max bigint)
returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._serial_catch_up(i_seq, i_max): make sure the next value of a
    -- serial's sequence is above i_max, the highest id in use.
    -- pg_dump saves the contents of pgq's tables but not these sequences
    -- (they are extension members, and PgQ marks only seven objects for
    -- dump), so after a restore they start again at 1; this keeps new
    -- queues, consumers and subscriptions from colliding with restored ones.
    -- Tables: the sequence.
begin
    if i_max is not null and pgq.seq_getval(i_seq) <= i_max then
        perform setval(i_seq::regclass, i_max);
    end if;
end;
$$;
