create or replace function pgq._bulk_text(i_alias text, i_column text)
returns text
language sql immutable strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_text(i_alias, i_column): an SQL expression for a column's
    -- value as its type's text output, NULL staying NULL (num_nulls: IS
    -- NULL would take a composite value whose fields are all NULL for
    -- NULL; format('%s') alone
    -- would give ''), under the C collation: a column's own collation
    -- would reach the encoders, whose regular expressions a
    -- nondeterministic one refuses (and text is compared byte for byte,
    -- as PgQ's C triggers compare it).
    select format('case when pg_catalog.num_nulls(%1$s.%2$I) operator(pg_catalog.=) 1 then null else pg_catalog.format(''%%s'', %1$s.%2$I) collate pg_catalog."C" end',
                  i_alias, i_column);
$$;
