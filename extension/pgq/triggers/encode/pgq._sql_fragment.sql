create or replace function pgq._sql_fragment(i_op text, i_names text[], i_new text[], i_old text[],
                                             i_keys text[], i_skip text[], i_changed text[])
returns text
language plpgsql immutable
as $$
    -- pgq._sql_fragment(i_op, i_names, i_new, i_old, i_keys, i_skip,
    --     i_changed): the SQL fragment sqltriga writes as ev_data.
    --   INSERT: (c1,c2) values ('1',null)
    --   UPDATE: c2='x',c3=NULL where k1='1' and k2='a'   (changed columns
    --           not in i_skip; none: the first key column, in column order,
    --           with its old value; no key column either (pkey= naming only
    --           columns the table lacks): 23502, as PgQ's C sqltriga)
    --   DELETE: k1='1' and k2='a'
    -- Identifiers go through quote_ident, values through quote_literal.
    -- Errors: 23502 'logtriga: Unexpected NULL key value'.
declare
    v_cols  pg_catalog.text := '';
    v_vals  pg_catalog.text := '';
    v_set   pg_catalog.text := '';
    v_where pg_catalog.text := '';
    i       pg_catalog.int4;
begin
    -- every operator is pg_catalog's, named: this runs under the caller's
    -- search_path (see CONTRIBUTING.md, "search_path")
    if i_op operator(pg_catalog.=) any ('{UPDATE,DELETE}'::pg_catalog.text[]) then
        for i in 1 .. pg_catalog.array_length(i_names, 1) loop
            if i_names[i] operator(pg_catalog.=) any (i_keys) then
                if i_old[i] is null then
                    perform pgq._trigger_error('null_key');
                end if;
                v_where := pg_catalog.concat(v_where, case when v_where operator(pg_catalog.=) '' then '' else ' and ' end,
                                             pg_catalog.quote_ident(i_names[i]), '=', pg_catalog.quote_literal(i_old[i]));
            end if;
        end loop;
    end if;
    if i_op operator(pg_catalog.=) 'DELETE' then
        return v_where;
    end if;
    if i_op operator(pg_catalog.=) 'INSERT' then
        for i in 1 .. pg_catalog.array_length(i_names, 1) loop
            continue when i_names[i] operator(pg_catalog.=) any (i_skip);
            v_cols := pg_catalog.concat(v_cols, case when v_cols operator(pg_catalog.=) '' then '' else ',' end,
                                        pg_catalog.quote_ident(i_names[i]));
            v_vals := pg_catalog.concat(v_vals, case when v_vals operator(pg_catalog.=) '' then '' else ',' end,
                                        coalesce(pg_catalog.quote_literal(i_new[i]), 'null'));
        end loop;
        return pg_catalog.concat('(', v_cols, ') values (', v_vals, ')');
    end if;
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        continue when not (i_names[i] operator(pg_catalog.=) any (i_changed)) or i_names[i] operator(pg_catalog.=) any (i_skip);
        v_set := pg_catalog.concat(v_set, case when v_set operator(pg_catalog.=) '' then '' else ',' end,
                                   pg_catalog.quote_ident(i_names[i]), '=', coalesce(pg_catalog.quote_literal(i_new[i]), 'NULL'));
    end loop;
    if v_set operator(pg_catalog.=) '' then
        for i in 1 .. pg_catalog.array_length(i_names, 1) loop
            if i_names[i] operator(pg_catalog.=) any (i_keys) then
                v_set := pg_catalog.concat(pg_catalog.quote_ident(i_names[i]), '=', pg_catalog.quote_literal(i_old[i]));
                exit;
            end if;
        end loop;
        if v_set operator(pg_catalog.=) '' then
            perform pgq._trigger_error('null_key');
        end if;
    end if;
    return pg_catalog.concat(v_set, ' where ', v_where);
end;
$$;
