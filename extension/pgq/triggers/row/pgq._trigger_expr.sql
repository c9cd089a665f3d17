create or replace function pgq._trigger_expr(i_expr text, i_relid oid, i_row text, i_type text, i_path text)
returns text
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trigger_expr(i_expr, i_relid, i_row, i_type, i_path): evaluate a
    -- trigger argument's SQL expression (when=, ev_type=, ...) against the
    -- row, whose columns it may name.  The expression is the trigger
    -- author's: it is run under i_path, the search_path of the statement
    -- that fired the trigger, as PgQ's C triggers run it; everything around
    -- it is qualified, and this function's own SET restores the path.
    -- Returns: the value as text (i_type 'text') or as 'true'/'false'
    --   (i_type 'bool': the expression must be boolean).
    -- Errors: the expression's own; 42804 when when= is not boolean.
    -- Tables: none (the row is passed in).
declare
    v_sql   text;
    v_out   text;
begin
    v_sql := format('select (%s)::pg_catalog.%s::pg_catalog.text from (select ($1::%s).*) _pgq_row',
                    i_expr, case when i_type = 'bool' then 'bool' else 'text' end, i_relid::regclass);
    perform pg_catalog.set_config('search_path', i_path, true);
    execute v_sql into v_out using i_row;
    return v_out;
end;
$$;
