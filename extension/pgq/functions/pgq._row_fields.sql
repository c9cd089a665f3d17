create or replace function pgq._row_fields(i_row text)
returns text[]
language plpgsql immutable strict
as $$
    -- pgq._row_fields(i_row): the column values of a row, as their types'
    -- text output, from the row's own text form (record output: fields
    -- separated by commas, quoted with "" and \\ escapes when needed, NULL as
    -- an empty unquoted field).  Dropped columns are not in the text form.
    -- Returns: one element per column, NULL for NULL.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select array_agg(case when m[1] is not null
                              then pg_catalog.replace(pg_catalog.replace(m[1], '""', '"'), '\\', '\')
                              else nullif(m[2], '') end
                         order by n)
          from pg_catalog.regexp_matches(pg_catalog.substr(i_row, 2, pg_catalog.length(i_row) - 2) || ',',
                                         '(?:"((?:[^"\\]|""|\\.)*)"|([^,]*)),', 'g') with ordinality as x(m, n));
end;
$$;
