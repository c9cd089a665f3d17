create or replace function pgq._trigger_value(i_value text, i_name text, i_pos bigint, i_kinds text, i_names text[])
returns text
language sql stable
as $$
    -- pgq._trigger_value(i_value, i_name, i_pos, i_kinds, i_names): a
    -- column's value as its type's text output under the session's
    -- settings, from what json_each_text() gives of the row's to_json() form
    -- (i_name, i_value at position i_pos) and the plan's kinds and names
    -- (pgq._trigger_table_plan elements 5 and 3).  The kind is the plan's
    -- only when the plan names this column at this position (else t: the
    -- caller sees the names differ and plans again): t, n, f, i and c as
    -- it is, b boolean
    -- (true/false to t/f), d date, s timestamp or timestamptz (told apart by
    -- the UTC offset to_json writes for timestamptz, before any ' BC'),
    -- converted back under DateStyle and TimeZone.  A plain SQL expression
    -- and not STRICT, so the planner inlines it; every operator and cast is
    -- qualified (it runs under the caller's search_path).
    select case when not coalesce(i_names[i_pos::pg_catalog.int4] operator(pg_catalog.=) i_name, false)
                     or pg_catalog.substr(i_kinds, i_pos::pg_catalog.int4, 1) operator(pg_catalog.=) any ('{t,n,f,i,c}'::pg_catalog.text[])
                    then i_value
               when pg_catalog.substr(i_kinds, i_pos::pg_catalog.int4, 1) operator(pg_catalog.=) 'b' then pg_catalog.substr(i_value, 1, 1)
               when pg_catalog.substr(i_kinds, i_pos::pg_catalog.int4, 1) operator(pg_catalog.=) 'd' then i_value::pg_catalog.date::pg_catalog.text
               when i_value operator(pg_catalog.~) '[+-][0-9][0-9](:[0-9][0-9])*( BC)?$'
                    then i_value::pg_catalog.timestamptz::pg_catalog.text
               else i_value::pg_catalog.timestamp::pg_catalog.text
           end;
$$;
