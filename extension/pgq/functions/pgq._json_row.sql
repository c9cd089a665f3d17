create or replace function pgq._json_row(i_names text[], i_types oid[], i_values text[], i_skip text[])
returns text
language plpgsql stable
as $$
    -- pgq._json_row(i_names, i_types, i_values, i_skip): a row as jsontriga
    -- writes it: a JSON object in column order; bool as true/false,
    -- int2/int4/int8 as bare numbers, timestamp, timestamptz and date as
    -- XSD strings, every other type as a JSON string of its text output,
    -- NULL as null; columns of i_skip left out.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select '{' || coalesce(pg_catalog.string_agg(pg_catalog.to_json(n)::text || ':' ||
                   case when v is null then 'null'
                        when t = 16 then case when v = 't' then 'true' else 'false' end
                        when t in (20, 21, 23) then v
                        when t = 1184 then pg_catalog.to_json(v::timestamptz)::text
                        when t = 1114 then pg_catalog.to_json(v::timestamp)::text
                        when t = 1082 then pg_catalog.to_json(v::date)::text
                        else pg_catalog.to_json(v)::text end, ',' order by o), '') || '}'
          from unnest(i_names, i_types, i_values) with ordinality as x(n, t, v, o)
         where not (n = any (i_skip)));
end;
$$;
