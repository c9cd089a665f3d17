create or replace function pgq._bulk_null_sql(i_alias text, i_column text, i_type oid)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_null_sql(i_alias, i_column, i_type): SQL that is true when
    -- column i_column (of type i_type) of the row i_alias is NULL: IS NULL
    -- for a base, enum or range type; for any other (a composite type, or a
    -- domain, which may be over one) num_nulls, as IS NULL is also true of
    -- a composite value whose fields are all NULL.  (num_nulls is a
    -- function call, IS NULL is not: about 1 us a row of a 3-column table.)
begin
    if (select t.typtype from pg_type t where t.oid = i_type) in ('b', 'e', 'r', 'm') then
        return format('%s.%I is null', i_alias, i_column);
    end if;
    return format('pg_catalog.num_nulls(%s.%I) operator(pg_catalog.=) 1', i_alias, i_column);
end;
$$;
