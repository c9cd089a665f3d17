create or replace function pgq_ext.version()
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.version(): the version of this pgq_ext, as a constant filled
    -- in from pgq_ext.control by the build.
    select '@EXTVERSION@'::text;
$$;
