create or replace function pgq._trigger_values(i_row json, i_kinds text, i_names text[])
returns text[]
language plpgsql stable
as $$
    -- pgq._trigger_values(i_row, i_kinds, i_names): the values of a row, in
    -- column order, as their types' text output under the session's
    -- settings (pgq._trigger_value), from the row's to_json() form and the
    -- columns' kinds (pgq._trigger_table_plan element 5).
    -- Returns: NULL when the row's column names are not i_names (the table
    --   changed since its plan was made), or the row is NULL.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls; every
    -- operator is qualified (it runs under the caller's search_path).
begin
    return (select case when pg_catalog.array_agg(j.key) operator(pg_catalog.=) i_names
                        then pg_catalog.array_agg(pgq._trigger_value(j.value, j.key, j.o, i_kinds, i_names)) end
              from pg_catalog.json_each_text(i_row) with ordinality j(key, value, o));
end;
$$;
