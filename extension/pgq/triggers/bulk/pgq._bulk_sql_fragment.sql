create or replace function pgq._bulk_sql_fragment(i_op text, i_names text[], i_types oid[], i_keys text[], i_skip text[],
                                                   i_differ text[])
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_sql_fragment(i_op, i_names, i_types, i_keys, i_skip,
    --     i_differ): an SQL expression building sqltriga's ev_data for the
    -- rows n (new) and o (old) of the statement-level trigger; see
    -- pgq._sql_fragment.  i_differ (UPDATE): each column's
    -- pgq._bulk_differ of n and o.
declare
    v_where text[] := '{}';
    v_cols  text[] := '{}';
    v_vals  text[] := '{}';
    v_set   text[] := '{}';
    v_first text;
    v_key   text;
    v_text  text;
    i       int4;
begin
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        -- the key columns, for an UPDATE's or a DELETE's WHERE
        if i_op <> 'INSERT' and i_names[i] = any (i_keys) then
            v_text := pgq._bulk_text('o', i_names[i], i_types[i]);
            v_where := v_where || format('%L operator(pg_catalog.||) coalesce(pg_catalog.quote_literal(%s), pgq._trigger_error(''null_key'')::pg_catalog.text)',
                                         pg_catalog.quote_ident(i_names[i]) || '=', v_text);
            v_first := coalesce(v_first, format('%L operator(pg_catalog.||) pg_catalog.quote_literal(%s)',
                                                pg_catalog.quote_ident(i_names[i]) || '=', v_text));
        end if;
        continue when i_names[i] = any (i_skip);
        v_text := pgq._bulk_text('n', i_names[i], i_types[i]);
        v_cols := v_cols || pg_catalog.quote_ident(i_names[i]);
        v_vals := v_vals || format('coalesce(pg_catalog.quote_literal(%s), ''null'')', v_text);
        continue when i_op <> 'UPDATE';
        v_set := v_set || format('case when %s then %L operator(pg_catalog.||) coalesce(pg_catalog.quote_literal(%s), ''NULL'') end',
                                 i_differ[i], pg_catalog.quote_ident(i_names[i]) || '=', v_text);
    end loop;
    if i_op = 'INSERT' then
        return format('%L operator(pg_catalog.||) %s operator(pg_catalog.||) '')''',
                      '(' || pg_catalog.array_to_string(v_cols, ',') || ') values (',
                      pg_catalog.array_to_string(v_vals, ' operator(pg_catalog.||) '','' operator(pg_catalog.||) '));
    end if;
    -- the key columns as they were ('' when pkey= names only columns the
    -- table lacks, as PgQ's C sqltriga writes it)
    v_key := coalesce(nullif(pg_catalog.array_to_string(v_where, ' operator(pg_catalog.||) '' and '' operator(pg_catalog.||) '), ''),
                      '''''');
    if i_op = 'DELETE' then
        return v_key;
    end if;
    -- the changed columns, or (none changed) the first key as it was, or
    -- (no key column: pkey= names only columns the table lacks) the row
    -- triggers' error, as PgQ's C sqltriga
    v_first := coalesce(v_first, 'pgq._trigger_error(''null_key'')::pg_catalog.text');
    return format('(select case when s operator(pg_catalog.=) '''' then %s else s end'
                  ' from (select pg_catalog.array_to_string(array[%s]::pg_catalog.text[], '','') s) x)'
                  ' operator(pg_catalog.||) '' where '' operator(pg_catalog.||) %s',
                  v_first, pg_catalog.array_to_string(v_set, ', '), v_key);
end;
$$;
