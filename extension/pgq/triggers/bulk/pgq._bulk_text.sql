create or replace function pgq._bulk_text(i_alias text, i_column text, i_type oid)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_text(i_alias, i_column, i_type): an SQL expression for a
    -- column's value (of type i_type) as its type's text output, NULL
    -- staying NULL (pgq._bulk_null_sql; format('%s') alone would give ''),
    -- under the C collation: a column's own collation would reach the
    -- encoders, whose regular expressions a nondeterministic one refuses
    -- (and text is compared byte for byte, as PgQ's C triggers compare it).
begin
    return format('case when %s then null else pg_catalog.format(''%%s'', %s.%I) collate pg_catalog."C" end',
                  pgq._bulk_null_sql(i_alias, i_column, i_type), i_alias, i_column);
end;
$$;
