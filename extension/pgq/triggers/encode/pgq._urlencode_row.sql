create or replace function pgq._urlencode_row(i_names text[], i_values text[], i_skip text[])
returns text
language plpgsql immutable
as $$
    -- pgq._urlencode_row(i_names, i_values, i_skip): a row as logutriga
    -- writes it: its columns (pgq._urlencode_field) joined by &, columns of
    -- i_skip left out.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select coalesce(pg_catalog.string_agg(pgq._urlencode_field(n, v), '&' order by o), '')
          from rows from (pg_catalog.unnest(i_names), pg_catalog.unnest(i_values)) with ordinality as t(n, v, o)
         where not (n operator(pg_catalog.=) any (i_skip)));
end;
$$;
