create or replace function pgq._bulk_differ(i_a text, i_b text, i_column text, i_type oid)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_differ(i_a, i_b, i_column, i_type): SQL text that is true
    -- when column i_column (of type i_type) differs between the rows i_a
    -- and i_b, judged as the row triggers judge an UPDATE's changed
    -- columns: with the type's equality (pgq._trigger_eq_operator), named
    -- with its schema (the statement runs under the caller's search_path),
    -- else on the text output (pgq._bulk_text); NULL counts as a value
    -- (num_nulls: a composite value whose fields are all NULL IS NULL).
    select case when x.op is null
                then format('(not coalesce((%1$s) operator(pg_catalog.=) (%2$s), (%1$s) is null and (%2$s) is null))',
                            pgq._bulk_text(i_a, i_column), pgq._bulk_text(i_b, i_column))
                else format('(not coalesce(%1$s.%3$I %4$s %2$s.%3$I, pg_catalog.num_nulls(%1$s.%3$I, %2$s.%3$I) operator(pg_catalog.=) 2))',
                            i_a, i_b, i_column, x.op) end
      from (select pgq._trigger_eq_operator(i_type) as op) x;
$$;
