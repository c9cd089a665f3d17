create or replace function pgq._trigger_value_changed(
    i_new text, i_old text, i_name text, i_pos bigint, i_kinds text, i_names text[])
returns bool
language sql stable
as $$
    -- pgq._trigger_value_changed(i_new, i_old, i_name, i_pos, i_kinds,
    --     i_names): whether an UPDATE changed a column, for the fast path
    -- (sqltriga's UPDATE query), from what json_each_text() gives of the
    -- new and old rows' to_json() forms (i_new, i_old: column i_name at
    -- position i_pos), as PgQ's C triggers judge it with the type's
    -- equality: both NULL is no change, one NULL a change; the same text
    -- no change; else the plan's kind (pgq._trigger_kind, element 5 of
    -- pgq._trigger_table_plan) says how to compare: n as numeric, f as
    -- float8 (float4 widens exactly), i as interval (to_json writes them
    -- exactly, intervals under IntervalStyle, which reads them back; floats
    -- so only with extra_float_digits at 1 or more, which the fast path
    -- makes sure of), c without trailing spaces, anything else (t, and b,
    -- d and s, whose text differs where the value does) as text.  Where
    -- the plan does not name this column at this position: a change (the
    -- caller sees the names differ and plans again).  A plain SQL
    -- expression and not STRICT, so the planner inlines it; every operator
    -- and cast is qualified (it runs under the caller's search_path).
    select case when i_new operator(pg_catalog.=) i_old then false
                when i_new is null or i_old is null then i_new is not null or i_old is not null
                when pg_catalog.substr(i_kinds, i_pos::pg_catalog.int4, 1) operator(pg_catalog.=) 't' then true
                when not coalesce(i_names[i_pos::pg_catalog.int4] operator(pg_catalog.=) i_name, false) then true
                when pg_catalog.substr(i_kinds, i_pos::pg_catalog.int4, 1) operator(pg_catalog.=) 'n'
                    then i_new::pg_catalog.numeric operator(pg_catalog.<>) i_old::pg_catalog.numeric
                when pg_catalog.substr(i_kinds, i_pos::pg_catalog.int4, 1) operator(pg_catalog.=) 'f'
                    then i_new::pg_catalog.float8 operator(pg_catalog.<>) i_old::pg_catalog.float8
                when pg_catalog.substr(i_kinds, i_pos::pg_catalog.int4, 1) operator(pg_catalog.=) 'i'
                    then i_new::pg_catalog.interval operator(pg_catalog.<>) i_old::pg_catalog.interval
                when pg_catalog.substr(i_kinds, i_pos::pg_catalog.int4, 1) operator(pg_catalog.=) 'c'
                    then pg_catalog.rtrim(i_new, ' ') operator(pg_catalog.<>) pg_catalog.rtrim(i_old, ' ')
                else true end;
$$;
