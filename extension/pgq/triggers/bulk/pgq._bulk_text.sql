create or replace function pgq._bulk_text(i_alias text, i_column text)
returns text
language sql immutable strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_text(i_alias, i_column): an SQL expression for a column's
    -- value as its type's text output, NULL staying NULL (format('%s') alone
    -- would give '').
    select format('case when %1$s.%2$I is null then null else pg_catalog.format(''%%s'', %1$s.%2$I) end',
                  i_alias, i_column);
$$;

create or replace function pgq._bulk_differ(i_a text, i_b text)
returns text
language sql immutable strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_differ(i_a, i_b): SQL text that is true when the two text
    -- expressions differ, NULL counting as a value (IS DISTINCT FROM, but
    -- with pg_catalog's text equality named, as the statement runs under the
    -- caller's search_path).
    select format('(not coalesce((%1$s) operator(pg_catalog.=) (%2$s), (%1$s) is null and (%2$s) is null))',
                  i_a, i_b);
$$;
