create or replace function pgq._bulk_differ(i_a text, i_b text)
returns text
language sql immutable strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_differ(i_a, i_b): SQL text that is true when the two text
    -- expressions differ, NULL counting as a value (IS DISTINCT FROM, but
    -- with pg_catalog's text equality named, as the statement runs under the
    -- caller's search_path).
    select format('(not coalesce((%1$s) operator(pg_catalog.=) (%2$s), (%1$s) is null and (%2$s) is null))',
                  i_a, i_b);
$$;
