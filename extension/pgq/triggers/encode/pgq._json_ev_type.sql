create or replace function pgq._json_ev_type(i_op text, i_schema text, i_table text, i_keys text[])
returns text
language plpgsql immutable
as $$
    -- pgq._json_ev_type(i_op, i_schema, i_table, i_keys): jsontriga's
    -- ev_type: {"op":"<OP>","table":["<schema>","<table>"],"pkey":[<keys>]}.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select '{"op":' operator(pg_catalog.||) pg_catalog.to_json(i_op)::pg_catalog.text
               operator(pg_catalog.||) ',"table":[' operator(pg_catalog.||) pg_catalog.to_json(i_schema)::pg_catalog.text operator(pg_catalog.||) ',' operator(pg_catalog.||) pg_catalog.to_json(i_table)::pg_catalog.text
               operator(pg_catalog.||) '],"pkey":[' operator(pg_catalog.||) coalesce((select pg_catalog.string_agg(pg_catalog.to_json(k)::pg_catalog.text, ',' order by o)
                                             from pg_catalog.unnest(i_keys) with ordinality as t(k, o)), '')
               operator(pg_catalog.||) ']}');
end;
$$;
