create or replace function pgq._bulk_trigger_sql(i_kind text, i_op text, i_when text, i_level text,
                                                 i_relid oid, i_argv text[], i_tgname name)
returns text[]
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- The statements it returns run in the trigger function, under the
    -- search_path of the statement that fired it (user expressions resolve
    -- names through it): in them every call and operator of ours is
    -- pg_catalog's or pgq's, named.
    -- pgq._bulk_trigger_sql(i_kind, i_op, i_when, i_level, i_relid, i_argv,
    --     i_tgname):
    -- the statements pgq.logutriga_bulk, sqltriga_bulk and jsontriga_bulk
    -- run: statement-level triggers that read the statement's transition
    -- tables (REFERENCING NEW TABLE AS pgq_new / OLD TABLE AS pgq_old) and
    -- queue the same events as the row triggers, in row order, in one
    -- set-based pass.  The trigger function itself must run them: only its
    -- own queries see the transition tables.
    -- Arguments as for the row triggers, except SKIP (row triggers only).
    -- The trigger (i_tgname) must name its transition tables pgq_new and
    -- pgq_old as the statements read them: without them, those names would
    -- be looked up in the search_path, where anyone who can create a view
    -- there would have the trigger run the view's functions with the rights
    -- of whoever changes the table.
    -- Returns: the statements, in order; empty when there is nothing to do.
    -- Errors: as the row triggers, from the same plan (pgq._trigger_plan)
    --   and the same texts (pgq._trigger_error), those that need a row
    --   raised by the statements when there are rows; 22023 when the
    --   trigger is not AFTER ... FOR EACH STATEMENT, or does not declare
    --   REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS
    --   pgq_old (update, delete).
    -- Tables: catalog (read).
declare
    p           record;
    v_ev        text[] := array[null, null, null, null, null, null]::text[];
    v_src       text;
    v_row       text;   -- alias of the row the event describes (n or o)
    v_cond      text := 'true';
    v_sql       text;
    v_tt        text;   -- the transition table the event rows come from
    v_out       text[] := '{}';
    v_differ    text[];  -- UPDATE: per column, SQL true when n and o differ
    v_join      text;    -- UPDATE: the key columns' condition pairing o with n
    k           int4;
begin
    -- the trigger's definition, its table and the errors that do not
    -- depend on the row's values: one plan for both forms
    select * into p from pgq._trigger_plan('bulk', i_kind, i_op, i_when, i_level, i_relid, i_argv, i_tgname);
    if p.local then
        return v_out;
    end if;

    -- the errors the row triggers raise at the first row, if there is one
    v_tt := case when i_op = 'DELETE' then 'pgq_old' else 'pgq_new' end;
    if p.row_error is not null then
        v_out := v_out || format('select pgq._trigger_error(%L, %L) from %s limit 1', p.row_error, p.row_error_args, v_tt);
        return v_out;
    end if;

    -- the rows, numbered in the order the statement produced them
    if i_op = 'INSERT' then
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_new t) n';
        v_row := 'n';
    elsif i_op = 'DELETE' then
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_old t) o';
        v_row := 'o';
    else
        -- each column's comparison, worked out once (pgq._bulk_differ reads
        -- the catalog): the key join, the changed columns, sqltriga's SET
        v_differ := array(select pgq._bulk_differ('n', 'o', u.n, u.t)
                            from rows from (pg_catalog.unnest(p.names), pg_catalog.unnest(p.types))
                                 with ordinality u(n, t, o) order by u.o);
        -- an old row is its new row's by the key columns; pkey= may also
        -- name columns the table lacks, which PgQ's C triggers list in
        -- ev_type and never compare: when it names no other, the rows pair
        -- by their order (both transition tables have them in the order
        -- the statement updated them)
        v_join := (select pg_catalog.string_agg(format('not %s', v_differ[x.i]), ' and ')
                    from (select pg_catalog.array_position(p.names, kc) as i from pg_catalog.unnest(p.keys) kc) x
                   where x.i is not null);
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_new t) n join '
                 || case when v_join is not null then 'pgq_old o on ' || v_join
                         else '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_old t) o'
                              ' on o.pgq_rn operator(pg_catalog.=) n.pgq_rn' end;
        v_row := 'n';
    end if;
    if i_op = 'UPDATE' then
        v_out := v_out || format('select pgq._trigger_error(%L) where (select pg_catalog.count(*) from pgq_new)'
                                 ' operator(pg_catalog.<>) (select pg_catalog.count(*) from %s)',
                                 'key_update', v_src);
    end if;

    -- which updates make an event: as the row triggers judge it
    if i_op = 'UPDATE' then
        v_cond := pgq._bulk_changed(p.names, v_differ, p.ignore, i_kind, 'changed')
                  || ' or not (' || pgq._bulk_changed(p.names, v_differ, p.ignore, i_kind, 'ignored') || ')';
    end if;
    -- when= is judged only for rows that pass the checks above (CASE keeps
    -- that order), and NULL is the row triggers' error, not a skipped row
    if p.when_expr is not null then
        v_cond := 'case when ' || v_cond || ' then coalesce((select (' || p.when_expr || ')::pg_catalog.bool from (select '
                  || v_row || '.*) _pgq_row), pgq._trigger_error(''when_null'')) else false end';
    end if;

    v_ev[3] := pg_catalog.quote_literal(p.schema_name || '.' || p.table_name);
    if i_kind = 'logutriga' then
        v_ev[1] := pg_catalog.quote_literal(pg_catalog.substr(i_op, 1, 1) || ':' || pg_catalog.array_to_string(p.keys, ','));
        v_ev[2] := pgq._bulk_encode('url', v_row, p.names, p.types, p.omit);
        if p.backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('url', 'o', p.names, p.types, p.omit);
        end if;
    elsif i_kind = 'sqltriga' then
        v_ev[1] := pg_catalog.quote_literal(pg_catalog.substr(i_op, 1, 1));
        v_ev[2] := pgq._bulk_sql_fragment(i_op, p.names, p.types, p.keys, p.omit, v_differ);
        if p.backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('url', 'o', p.names, p.types, p.omit);
        end if;
    else
        v_ev[1] := pg_catalog.quote_literal(pgq._json_ev_type(i_op, p.schema_name, p.table_name, p.keys));
        v_ev[2] := pgq._bulk_encode('json', v_row, p.names, p.types, p.omit);
        if p.backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('json', 'o', p.names, p.types, p.omit);
        end if;
    end if;
    for k in 1 .. 6 loop
        if p.magic[k] is not null then
            v_ev[k] := pgq._bulk_text(v_row, p.names[p.magic[k]], p.types[p.magic[k]]);
        end if;
        if p.exprs[k] is not null then
            v_ev[k] := '(select (' || p.exprs[k] || ')::pg_catalog.text from (select ' || v_row || '.*) _pgq_row)';
        end if;
    end loop;

    v_sql := format('select pgq._insert_events_count(%L, pg_catalog.array_agg(e1 order by rn), pg_catalog.array_agg(e2 order by rn),'
                    ' pg_catalog.array_agg(e3 order by rn), pg_catalog.array_agg(e4 order by rn),'
                    ' pg_catalog.array_agg(e5 order by rn), pg_catalog.array_agg(e6 order by rn))'
                    ' from (select n.pgq_rn as rn, %s as e1, %s as e2, %s as e3, %s as e4, %s as e5, %s as e6'
                    ' from %s where %s) ev',
                    p.queue, coalesce(v_ev[1], 'null'), coalesce(v_ev[2], 'null'), coalesce(v_ev[3], 'null'),
                    coalesce(v_ev[4], 'null'), coalesce(v_ev[5], 'null'), coalesce(v_ev[6], 'null'),
                    v_src, v_cond);
    if i_op = 'DELETE' then
        v_sql := pg_catalog.replace(v_sql, 'select n.pgq_rn as rn', 'select o.pgq_rn as rn');
    end if;
    return v_out || v_sql;
end;
$$;
