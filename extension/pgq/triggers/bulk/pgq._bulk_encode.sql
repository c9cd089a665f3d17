create or replace function pgq._bulk_encode(i_how text, i_alias text, i_names text[], i_types oid[], i_skip text[])
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._bulk_encode(i_how, i_alias, i_names, i_types, i_skip): an SQL
    -- expression that encodes the row i_alias as logutriga ('url') or
    -- jsontriga ('json') do, for the statement-level triggers.  Values are
    -- the types' text output (pgq._bulk_text), as in the row triggers;
    -- NULL is told by pgq._bulk_null_sql.
declare
    v_parts text[] := '{}';
    v_val   text;
    i       int4;
begin
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        continue when i_names[i] = any (i_skip);
        v_val := pgq._bulk_text(i_alias, i_names[i], i_types[i]);
        if i_how = 'url' then
            v_parts := v_parts || format('%L operator(pg_catalog.||) case when %s then '''''
                                         ' else ''='' operator(pg_catalog.||) pgq._urlencode(%s) end',
                                         pgq._urlencode(i_names[i]), pgq._bulk_null_sql(i_alias, i_names[i], i_types[i]), v_val);
        else
            v_parts := v_parts || format('%L operator(pg_catalog.||) case when %s then ''null'' else %s end',
                                         pg_catalog.to_json(i_names[i])::text || ':', pgq._bulk_null_sql(i_alias, i_names[i], i_types[i]),
                                         case when i_types[i] = 16 then format('case when %s.%I then ''true'' else ''false'' end', i_alias, i_names[i])
                                              when i_types[i] in (20, 21, 23) then v_val
                                              when i_types[i] in (1184, 1114, 1082) then format('pg_catalog.to_json(%s.%I)::pg_catalog.text', i_alias, i_names[i])
                                              else format('pg_catalog.to_json(%s)::pg_catalog.text', v_val) end);
        end if;
    end loop;
    if i_how = 'url' then
        return case when v_parts = '{}' then '''''' else pg_catalog.array_to_string(v_parts, ' operator(pg_catalog.||) ''&'' operator(pg_catalog.||) ') end;
    end if;
    return '''{'' operator(pg_catalog.||) '
           || case when v_parts = '{}' then '''''' else pg_catalog.array_to_string(v_parts, ' operator(pg_catalog.||) '','' operator(pg_catalog.||) ') end
           || ' operator(pg_catalog.||) ''}''';
end;
$$;
