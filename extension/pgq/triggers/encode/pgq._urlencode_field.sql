create or replace function pgq._urlencode_field(i_name text, i_value text)
returns text
language sql immutable
as $$
    -- pgq._urlencode_field(i_name, i_value): one column as logutriga writes
    -- it: name=value, both urlencoded (pgq._urlencode), a NULL value as the
    -- bare name.  A plain SQL expression, each argument used once, so the
    -- planner inlines it; every operator is pg_catalog's, named, as it runs
    -- under the caller's search_path.
    select pgq._urlencode(i_name) operator(pg_catalog.||) coalesce('=' operator(pg_catalog.||) pgq._urlencode(i_value), '');
$$;
