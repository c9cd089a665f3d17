create or replace function pgq._bulk_changed(i_names text[], i_differ text[], i_ignore text[], i_kind text, i_which text)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_changed(i_names, i_differ, i_ignore, i_kind, i_which): an
    -- SQL condition on the old (o) and new (n) row of an update: whether a
    -- column that counts as a change ('changed') or as an ignored change
    -- ('ignored') differs, as the row triggers judge it (i_differ: each
    -- column's pgq._bulk_differ of n and o).
    -- Magic _pgq_ev_* columns count as changes, except for sqltriga.
declare
    v_parts text[] := '{}';
    v_ign   bool;
    i       int4;
begin
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        v_ign := i_names[i] = any (i_ignore) or (i_kind = 'sqltriga' and i_names[i] like E'\\_pgq\\_ev\\_%');
        continue when (i_which = 'changed') = v_ign;
        v_parts := v_parts || i_differ[i];
    end loop;
    return case when v_parts = '{}' then 'false' else '(' || pg_catalog.array_to_string(v_parts, ' or ') || ')' end;
end;
$$;
