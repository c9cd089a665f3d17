create or replace function pgq.seq_getval(i_seq_name text)
returns bigint
language plpgsql strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.seq_getval(i_seq_name): the sequence's last_value, without
    -- advancing it.  Like reading the sequence relation itself, a sequence
    -- that was never used reports its start value.
    -- Parameters: i_seq_name, optionally schema-qualified (default: public).
    -- Errors: 42P01 when the sequence does not exist.
    -- Tables: the named sequence (read).
    -- (PL/pgSQL, not SQL: the ticker calls it for every queue, and a SQL
    -- function that cannot be inlined is planned anew on each call.)
declare
    v_seq regclass := pgq.quote_fqname(i_seq_name)::regclass;
    v_val bigint;
begin
    v_val := pg_catalog.pg_sequence_last_value(v_seq);
    if v_val is null then
        select seqstart into v_val from pg_catalog.pg_sequence where seqrelid = v_seq;
    end if;
    return v_val;
end;
$$;
