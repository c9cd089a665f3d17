create or replace function pgq._bulk_differ(i_a text, i_b text, i_column text, i_type oid)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_differ(i_a, i_b, i_column, i_type): SQL text that is true
    -- when column i_column (of type i_type) differs between the rows i_a
    -- and i_b, judged as the row triggers judge an UPDATE's changed
    -- columns: with the type's equality (pgq._trigger_eq_sql, which names
    -- it so that the caller's search_path cannot choose another), else on
    -- the text output (pgq._bulk_text); NULL counts as a value (num_nulls:
    -- a composite value whose fields are all NULL IS NULL).
declare
    v_a  text := format('%s.%I', i_a, i_column);
    v_b  text := format('%s.%I', i_b, i_column);
    v_eq text := pgq._trigger_eq_sql(i_type, v_a, v_b);
begin
    if v_eq is null then
        return format('(not coalesce((%1$s) operator(pg_catalog.=) (%2$s), (%1$s) is null and (%2$s) is null))',
                      pgq._bulk_text(i_a, i_column, i_type), pgq._bulk_text(i_b, i_column, i_type));
    end if;
    return format('(not coalesce(%s, pg_catalog.num_nulls(%s, %s) operator(pg_catalog.=) 2))', v_eq, v_a, v_b);
end;
$$;
