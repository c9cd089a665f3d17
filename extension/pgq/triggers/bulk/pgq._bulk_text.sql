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
