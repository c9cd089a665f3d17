create or replace function pgq.version()
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.version(): the version of this pgq, as a constant.
    -- Returns the same text whether pgq was installed with CREATE EXTENSION
    -- or as a plain script, so that pgqd (which needs a first character of
    -- '3' or above) never skips a database.  The build fills the constant
    -- from pgq.control.
    -- Tables: none.
    select '@EXTVERSION@'::text;
$$;
