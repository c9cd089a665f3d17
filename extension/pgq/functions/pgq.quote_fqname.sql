create or replace function pgq.quote_fqname(i_name text)
returns text
language sql immutable strict
as $$
    -- pgq.quote_fqname(i_name): quote a possibly schema-qualified name.
    -- Splits on the first dot; a name without a dot is taken to be in
    -- schema public.  Both parts go through quote_ident.
    -- Returns: 'schema.name' with each part quoted as needed.
    -- Tables: none.
    select case
        when pg_catalog.strpos(i_name, '.') = 0
            then 'public.' || pg_catalog.quote_ident(i_name)
        else pg_catalog.quote_ident(pg_catalog.split_part(i_name, '.', 1))
             || '.'
             || pg_catalog.quote_ident(pg_catalog.substr(i_name, pg_catalog.strpos(i_name, '.') + 1))
    end;
$$;
