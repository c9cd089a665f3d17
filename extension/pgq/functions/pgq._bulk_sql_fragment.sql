create or replace function pgq._bulk_sql_fragment(i_op text, i_names text[], i_keys text[], i_skip text[])
returns text
language plpgsql immutable
as $$
    -- pgq._bulk_sql_fragment(i_op, i_names, i_keys, i_skip): an SQL
    -- expression building sqltriga's ev_data for the rows n (new) and o
    -- (old) of the statement-level trigger; see pgq._sql_fragment.
declare
    v_where text[] := '{}';
    v_cols  text[] := '{}';
    v_vals  text[] := '{}';
    v_set   text[] := '{}';
    v_first text;
    i       int4;
begin
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        if i_names[i] = any (i_keys) then
            v_where := v_where || format('%L || coalesce(pg_catalog.quote_literal(%s), pgq._null_key())',
                                         pg_catalog.quote_ident(i_names[i]) || '=', pgq._bulk_text('o', i_names[i]));
            v_first := coalesce(v_first, format('%L || pg_catalog.quote_literal(%s)',
                                                pg_catalog.quote_ident(i_names[i]) || '=', pgq._bulk_text('o', i_names[i])));
        end if;
        continue when i_names[i] = any (i_skip);
        v_cols := v_cols || pg_catalog.quote_ident(i_names[i]);
        v_vals := v_vals || format('coalesce(pg_catalog.quote_literal(%s), ''null'')', pgq._bulk_text('n', i_names[i]));
        v_set := v_set || format('case when %1$s is distinct from %2$s then %3$L || coalesce(pg_catalog.quote_literal(%1$s), ''NULL'') end',
                                 pgq._bulk_text('n', i_names[i]), pgq._bulk_text('o', i_names[i]),
                                 pg_catalog.quote_ident(i_names[i]) || '=');
    end loop;
    if i_op = 'INSERT' then
        return format('%L || %s || '')''', '(' || pg_catalog.array_to_string(v_cols, ',') || ') values (',
                      pg_catalog.array_to_string(v_vals, ' || '','' || '));
    elsif i_op = 'DELETE' then
        return pg_catalog.array_to_string(v_where, ' || '' and '' || ');
    end if;
    return format('coalesce(nullif(pg_catalog.concat_ws('','', %s), ''''), %s) || '' where '' || %s',
                  pg_catalog.array_to_string(v_set, ', '), v_first, pg_catalog.array_to_string(v_where, ' || '' and '' || '));
end;
$$;

create or replace function pgq._null_key()
returns text
language sql
as $$
    -- pgq._null_key(): raises sqltriga's error for a NULL key value.
    select pgq._bulk_error('logtriga: Unexpected NULL key value', '23502')::text;
$$;

create or replace function pgq._bulk_error(i_message text, i_code text)
returns bool
language plpgsql
as $$
    -- pgq._bulk_error(i_message, i_code): raises an error from inside a
    -- statement-level trigger's generated query.
begin
    raise exception '%', i_message using errcode = i_code;
end;
$$;
