create or replace function pgq._json_row(i_names text[], i_types oid[], i_values text[], i_json json, i_skip text[])
returns text
language plpgsql stable
as $$
    -- pgq._json_row(i_names, i_types, i_values, i_json, i_skip): a row as
    -- jsontriga writes it: a JSON object in column order; bool as
    -- true/false, int2/int4/int8 as bare numbers, timestamp, timestamptz
    -- and date as XSD strings (taken from i_json, the row's to_json() form:
    -- their text output under some DateStyle and TimeZone settings cannot
    -- be read back), every other type as a JSON string of its text output
    -- (i_values), NULL as null; columns of i_skip left out.  A value of an
    -- integer type that is not a number (i_types is the caller's word for
    -- it) is written as a string, never pasted in.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select '{' operator(pg_catalog.||) coalesce(pg_catalog.string_agg(pg_catalog.to_json(n)::pg_catalog.text operator(pg_catalog.||) ':' operator(pg_catalog.||)
                   case when v is null then 'null'
                        when t operator(pg_catalog.=) 16 then case when v operator(pg_catalog.=) 't' then 'true' else 'false' end
                        when t operator(pg_catalog.=) any ('{20,21,23}'::pg_catalog.oid[])
                             and v operator(pg_catalog.~) '^-?[0-9]+$' then v
                        when t operator(pg_catalog.=) any ('{1082,1114,1184}'::pg_catalog.oid[])
                            then (i_json operator(pg_catalog.->) n)::pg_catalog.text
                        else pg_catalog.to_json(v)::pg_catalog.text end, ',' order by o), '') operator(pg_catalog.||) '}'
          from rows from (pg_catalog.unnest(i_names), pg_catalog.unnest(i_types), pg_catalog.unnest(i_values))
               with ordinality as x(n, t, v, o)
         where not (n operator(pg_catalog.=) any (i_skip)));
end;
$$;
