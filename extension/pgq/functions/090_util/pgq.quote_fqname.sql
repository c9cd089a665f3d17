create or replace function pgq.quote_fqname(i_name text)
returns text
language plpgsql immutable strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.quote_fqname(i_name): quote a possibly schema-qualified name.
    -- Splits on the first dot; a name without a dot is taken to be in
    -- schema public.  Both parts go through quote_ident.
    -- Returns: 'schema.name' with each part quoted as needed.
    -- (PL/pgSQL, not SQL: the ticker calls it for every queue, and a SQL
    -- function that cannot be inlined is planned anew on each call.)
    -- Tables: none.
declare
    v_pos int4 := pg_catalog.strpos(i_name, '.');
begin
    if v_pos = 0 then
        return 'public.' || pg_catalog.quote_ident(i_name);
    end if;
    return pg_catalog.quote_ident(pg_catalog.substr(i_name, 1, v_pos - 1)) || '.'
           || pg_catalog.quote_ident(pg_catalog.substr(i_name, v_pos + 1));
end;
$$;
