create or replace function pgq._trigger_kind(i_type oid)
returns text
language sql immutable
as $$
    -- pgq._trigger_kind(i_type): how the row triggers' fast path reads a
    -- value of this type from the row's to_json(), one letter: t as it is
    -- (to_json writes the type's text output: the numbers, the strings,
    -- bytea, uuid, time, timetz and interval), b boolean, d date,
    -- s timestamp or timestamptz (converted back to text under the
    -- session's DateStyle), x not at all: every other type (arrays, json,
    -- composite types, domains, types that are not built in, whose owner
    -- could make a cast to json that to_json() would run), which a table
    -- then takes the general path for.  The t types are those `make
    -- refcheck` compares with PgQ's C triggers byte for byte.
    -- pgq._trigger_table_plan writes the letters into the plan, and the
    -- fast path checks them against pg_attribute with this same function at
    -- every row (a plain expression: the planner inlines it).
    select case when i_type operator(pg_catalog.=) 16 then 'b'
                when i_type operator(pg_catalog.=) 1082 then 'd'
                when i_type operator(pg_catalog.=) 1114 or i_type operator(pg_catalog.=) 1184 then 's'
                when i_type operator(pg_catalog.=) any ('{20,21,23,25,1043,1042,17,1083,1266,1186,1700,700,701,2950}'::pg_catalog.oid[])
                    then 't'
                else 'x' end
$$;
