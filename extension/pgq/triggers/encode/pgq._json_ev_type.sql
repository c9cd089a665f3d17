create or replace function pgq._json_ev_type(i_op text, i_schema text, i_table text, i_keys text[])
returns text
language sql stable
as $$
    -- pgq._json_ev_type(i_op, i_schema, i_table, i_keys): jsontriga's
    -- ev_type: {"op":"<OP>","table":["<schema>","<table>"],"pkey":[<keys>]}.
    -- One expression (to_json of a text array is that JSON array), so the
    -- planner inlines it: a trigger calls it for every row.  Stable, as
    -- to_json is.
    select '{"op":' operator(pg_catalog.||) pg_catalog.to_json(i_op)::pg_catalog.text
           operator(pg_catalog.||) ',"table":' operator(pg_catalog.||) pg_catalog.to_json(array[i_schema, i_table])::pg_catalog.text
           operator(pg_catalog.||) ',"pkey":' operator(pg_catalog.||) pg_catalog.to_json(coalesce(i_keys, '{}'::pg_catalog.text[]))::pg_catalog.text
           operator(pg_catalog.||) '}';
$$;
