create or replace function pgq._trigger_kind(i_type oid, i_collation oid)
returns text
language sql immutable
as $$
    -- pgq._trigger_kind(i_type, i_collation): how the row triggers' fast
    -- path reads a value of this type (a column's type and collation) from
    -- the row's to_json(), and how it judges whether an UPDATE changed it,
    -- one letter: t as it is, compared as text (to_json writes the type's
    -- text output: the integers, text, varchar, bytea, uuid, time and
    -- timetz); n numeric, f float4 or float8, i interval, c character: as
    -- they are, but compared as values, as PgQ's C triggers compare them
    -- (1.0 and 1.00 are the same numeric, 0 and -0 the same float, '1 day'
    -- and '24 hours' the same interval, 'ab' and 'ab  ' the same
    -- character); b boolean, d date, s timestamp or timestamptz (converted
    -- back to text under the session's DateStyle); x not at all: every
    -- other type (arrays, json, composite types, domains, types that are
    -- not built in, whose owner could make a cast to json that to_json()
    -- would run), and text, varchar and character under a collation other
    -- than the database's default, C or POSIX (which may not be
    -- deterministic: the text would not say whether the value changed),
    -- which a table then takes the general path for.  These types are
    -- those `make refcheck` compares with PgQ's C triggers byte for byte.
    -- pgq._trigger_table_plan writes the letters into the plan, and the
    -- fast path checks them against pg_attribute with this same function at
    -- every row (a plain expression: the planner inlines it).
    select case when i_type operator(pg_catalog.=) 16 then 'b'
                when i_type operator(pg_catalog.=) 1082 then 'd'
                when i_type operator(pg_catalog.=) 1114 or i_type operator(pg_catalog.=) 1184 then 's'
                when i_type operator(pg_catalog.=) any ('{25,1043,1042}'::pg_catalog.oid[])
                     and not i_collation operator(pg_catalog.=) any ('{100,950,951}'::pg_catalog.oid[]) then 'x'
                when i_type operator(pg_catalog.=) 1700 then 'n'
                when i_type operator(pg_catalog.=) 700 or i_type operator(pg_catalog.=) 701 then 'f'
                when i_type operator(pg_catalog.=) 1186 then 'i'
                when i_type operator(pg_catalog.=) 1042 then 'c'
                when i_type operator(pg_catalog.=) any ('{20,21,23,25,1043,17,1083,1266,2950}'::pg_catalog.oid[])
                    then 't'
                else 'x' end
$$;
