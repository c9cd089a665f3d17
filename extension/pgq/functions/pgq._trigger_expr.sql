create or replace function pgq._trigger_expr(i_expr text, i_relid oid, i_row text, i_type text)
returns text
language plpgsql
as $$
    -- pgq._trigger_expr(i_expr, i_relid, i_row, i_type): evaluate a trigger
    -- argument's SQL expression (when=, ev_type=, ...) against the row, whose
    -- columns it may name.
    -- Returns: the value as text (i_type 'text') or as 'true'/'false'
    --   (i_type 'bool': the expression must be boolean).
    -- Errors: the expression's own; 42804 when when= is not boolean.
    -- Tables: none (the row is passed in).
declare
    v_out text;
begin
    if i_type = 'bool' then
        execute format('select (%s)::bool::text from (select ($1::%s).*) _pgq_row', i_expr, i_relid::regclass)
           into v_out using i_row;
    else
        execute format('select (%s)::text from (select ($1::%s).*) _pgq_row', i_expr, i_relid::regclass)
           into v_out using i_row;
    end if;
    return v_out;
end;
$$;
