create or replace function pgq._null_key()
returns text
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._null_key(): raises sqltriga's error for a NULL key value.
    select pgq._bulk_error('logtriga: Unexpected NULL key value', '23502')::text;
$$;
