create or replace function pgq._bulk_error(i_message text, i_code text)
returns bool
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_error(i_message, i_code): raises an error from inside a
    -- statement-level trigger's generated query.
begin
    raise exception '%', i_message using errcode = i_code;
end;
$$;
