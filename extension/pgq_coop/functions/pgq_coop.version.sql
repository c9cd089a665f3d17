create or replace function pgq_coop.version()
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_coop.version(): the version of this pgq_coop, as a constant filled
    -- in from pgq_coop.control by the build.
    select '@EXTVERSION@'::text;
$$;
