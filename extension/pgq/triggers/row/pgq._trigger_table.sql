create or replace function pgq._trigger_table(
    in i_relid oid,
    out schema_name text, out table_name text, out names text[], out types oid[], out keys text[])
returns record
language plpgsql stable
as $$
    -- pgq._trigger_table(i_relid): what a pgq trigger needs to know of its
    -- table: schema and name, its columns in order with their types, and the
    -- primary key's columns in the key's order, by their names today (PgQ's
    -- C triggers read the index's own column names, which a RENAME COLUMN
    -- leaves as they were) ('{}' when there is none).
    -- Tables: catalog (read).
begin
    select n.nspname, c.relname,
           (select pg_catalog.array_agg(a.attname::pg_catalog.text order by a.attnum) from pg_catalog.pg_attribute a
             where a.attrelid operator(pg_catalog.=) c.oid and a.attnum operator(pg_catalog.>) 0 and not a.attisdropped),
           (select pg_catalog.array_agg(a.atttypid order by a.attnum) from pg_catalog.pg_attribute a
             where a.attrelid operator(pg_catalog.=) c.oid and a.attnum operator(pg_catalog.>) 0 and not a.attisdropped),
           coalesce((select pg_catalog.array_agg(a.attname::pg_catalog.text order by k.n)
                       from pg_catalog.pg_index x
                       cross join lateral pg_catalog.unnest(x.indkey::pg_catalog.int2[]) with ordinality k(attnum, n)
                       join pg_catalog.pg_attribute a on a.attrelid operator(pg_catalog.=) x.indrelid and a.attnum operator(pg_catalog.=) k.attnum
                      where x.indrelid operator(pg_catalog.=) c.oid and x.indisprimary), '{}')
      into schema_name, table_name, names, types, keys
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) c.relnamespace
     where c.oid operator(pg_catalog.=) i_relid;
end;
$$;
