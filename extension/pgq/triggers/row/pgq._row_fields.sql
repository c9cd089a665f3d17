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
        select pg_catalog.array_agg(case when m[1] is not null
                                         then pg_catalog.replace(pg_catalog.replace(m[1], '""', '"'), E'\\\\', E'\\')
                                         when m[2] operator(pg_catalog.=) '' then null
                                         else m[2] end
                                    order by n)
          from pg_catalog.regexp_matches(pg_catalog.concat(pg_catalog.substr(i_row, 2, pg_catalog.length(i_row) operator(pg_catalog.-) 2), ','),
                                         E'(?:"((?:[^"\\\\]|""|\\\\.)*)"|([^,]*)),', 'g') with ordinality as x(m, n));
end;
$$;
