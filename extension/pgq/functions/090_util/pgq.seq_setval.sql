create or replace function pgq.seq_setval(i_seq_name text, i_new_value int8)
returns bigint
language plpgsql strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.seq_setval(i_seq_name, i_new_value): move a sequence forward.
    -- The sequence is set only when i_new_value is above its current value;
    -- it never goes backwards.
    -- Returns: the sequence's value afterwards.
    -- Errors: 42P01 when the sequence does not exist.
    -- Tables: the named sequence.
declare
    v_cur bigint;
begin
    v_cur := pgq.seq_getval(i_seq_name);
    if i_new_value > v_cur then
        perform pg_catalog.setval(pgq.quote_fqname(i_seq_name)::regclass, i_new_value);
        return i_new_value;
    end if;
    return v_cur;
end;
$$;
