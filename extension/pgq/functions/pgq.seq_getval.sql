create or replace function pgq.seq_getval(i_seq_name text)
returns bigint
language sql strict
as $$
    -- pgq.seq_getval(i_seq_name): the sequence's last_value, without
    -- advancing it.  Like reading the sequence relation itself, a sequence
    -- that was never used reports its start value.
    -- Parameters: i_seq_name, optionally schema-qualified (default: public).
    -- Errors: 42P01 when the sequence does not exist.
    -- Tables: the named sequence (read).
    select coalesce(
        pg_catalog.pg_sequence_last_value(s.oid),
        (select q.seqstart from pg_catalog.pg_sequence q where q.seqrelid = s.oid))
      from (select pgq.quote_fqname(i_seq_name)::regclass::oid as oid) s;
$$;
