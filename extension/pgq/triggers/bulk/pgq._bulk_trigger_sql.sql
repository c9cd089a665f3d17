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
    -- Errors: as the row triggers (raised by the statements when there are
    --   rows); 22023 when the trigger is not AFTER ... FOR EACH STATEMENT, or
    --   does not declare REFERENCING NEW TABLE AS pgq_new (insert, update) and
    --   OLD TABLE AS pgq_old (update, delete).
    -- Tables: catalog (read).
declare
    v_queue     text;
    v_skip      bool;
    v_backup    bool := false;
    v_deny      bool := false;
    v_ignore    text[] := '{}';
    v_pkey      text[];
    v_when      text;
    v_expr      text[] := array[null, null, null, null, null, null]::text[];
    v_fields    text[] := array['ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4'];
    v_schema    text;
    v_table     text;
    v_names     text[];
    v_types     oid[];
    v_keys      text[];
    v_omit      text[];
    v_ev        text[] := array[null, null, null, null, null, null]::text[];
    v_src       text;
    v_row       text;   -- alias of the row the event describes (n or o)
    v_cond      text := 'true';
    v_sql       text;
    v_tt        text;   -- the transition table the event rows come from
    v_out       text[] := '{}';
    v_newtab    name;
    v_oldtab    name;
    v_bad       text;
    k           int4;
    i           int4;
begin
    select a.queue, a.skip, a.backup, a.deny, a.ignore, a.pkey, a.when_expr, a.exprs
      into v_queue, v_skip, v_backup, v_deny, v_ignore, v_pkey, v_when, v_expr
      from pgq._trigger_args(i_argv) a;
    if v_skip then
        raise exception 'SKIP does not work in AFTER trigger.' using errcode = '22023';
    end if;
    if i_level <> 'STATEMENT' or i_when <> 'AFTER' or i_op = 'TRUNCATE' then
        raise exception 'pgq bulk trigger must be AFTER INSERT, UPDATE or DELETE ... FOR EACH STATEMENT'
            using errcode = '22023';
    end if;
    select g.tgnewtable, g.tgoldtable into v_newtab, v_oldtab
      from pg_catalog.pg_trigger g
     where g.tgrelid = i_relid and g.tgname = i_tgname;
    if (i_op in ('INSERT', 'UPDATE') and v_newtab is distinct from 'pgq_new')
       or (i_op in ('UPDATE', 'DELETE') and v_oldtab is distinct from 'pgq_old') then
        raise exception 'pgq.%_bulk needs REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS pgq_old (update, delete): trigger % on % has %',
            i_kind, i_tgname, i_relid::regclass,
            coalesce('NEW TABLE AS ' || v_newtab, '') || case when v_newtab is not null and v_oldtab is not null then ' ' else '' end
            || coalesce('OLD TABLE AS ' || v_oldtab, '') || case when v_newtab is null and v_oldtab is null then 'none' else '' end
            using errcode = '22023';
    end if;
    if pg_catalog.current_setting('session_replication_role') = 'local' then
        return v_out;
    end if;

    select t.schema_name, t.table_name, t.names, t.types, t.keys
      into v_schema, v_table, v_names, v_types, v_keys
      from pgq._trigger_table(i_relid) t;
    v_keys := coalesce(v_pkey, v_keys);

    -- the rows, numbered in the order the statement produced them
    v_tt := case when i_op = 'DELETE' then 'pgq_old' else 'pgq_new' end;
    if i_op = 'INSERT' then
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_new t) n';
        v_row := 'n';
    elsif i_op = 'DELETE' then
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_old t) o';
        v_row := 'o';
    else
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_new t) n'
                 || ' join pgq_old o on ' || coalesce((select pg_catalog.string_agg(
                        format('not %s', pgq._bulk_differ(pgq._bulk_text('o', kc), pgq._bulk_text('n', kc))), ' and ')
                        from pg_catalog.unnest(v_keys) kc), 'false');
        v_row := 'n';
    end if;
    -- errors the row triggers raise at the first row
    if v_deny then
        v_out := v_out || format('select pgq._bulk_error(%L, %L) from %s limit 1',
                                 format('Table ''%s.%s'' to queue ''%s'': change not allowed (%s)',
                                        v_schema, v_table, v_queue, i_op), 'P0001', v_tt);
        return v_out;
    end if;
    -- an unknown magic column (the first in column order), as the row
    -- triggers raise it: after deny, before the key checks
    select n into v_bad
      from pg_catalog.unnest(v_names) with ordinality u(n, o)
     where n like '\_pgq\_ev\_%' and pg_catalog.substr(n, 6) <> all (v_fields)
     order by o limit 1;
    if v_bad is not null then
        v_out := v_out || format('select pgq._bulk_error(%L, %L) from %s limit 1',
                                 'Unknown magic column: ' || v_bad, '22023', v_tt);
        return v_out;
    end if;
    if i_op in ('UPDATE', 'DELETE') and v_keys = '{}' then
        v_out := v_out || format('select pgq._bulk_error(%L, %L) from %s limit 1',
                                 'Update/Delete on table without pkey', '22023', v_tt);
        return v_out;
    end if;
    if i_op = 'UPDATE' then
        v_out := v_out || format('select pgq._bulk_error(%L, %L) where (select pg_catalog.count(*) from pgq_new)'
                                 ' operator(pg_catalog.<>) (select pg_catalog.count(*) from %s)',
                                 'primary key update not allowed', '22023', v_src);
    end if;

    select coalesce(pg_catalog.array_agg(x), '{}') into v_omit
      from (select pg_catalog.unnest(v_ignore) x
            union all select n from pg_catalog.unnest(v_names) n where n like '\_pgq\_ev\_%') s;

    -- which updates make an event: as the row triggers, comparing text forms
    if i_op = 'UPDATE' then
        v_cond := pgq._bulk_changed(v_names, v_ignore, i_kind, 'changed')
                  || ' or not (' || pgq._bulk_changed(v_names, v_ignore, i_kind, 'ignored') || ')';
    end if;
    -- when= is judged only for rows that pass the checks above (CASE keeps
    -- that order), and NULL is the row triggers' error, not a skipped row
    if v_when is not null then
        v_cond := 'case when ' || v_cond || ' then coalesce((select (' || v_when || ')::pg_catalog.bool from (select '
                  || v_row || '.*) _pgq_row), pgq._bulk_error(''when= should not be NULL'', ''22004'')) else false end';
    end if;

    v_ev[3] := pg_catalog.quote_literal(v_schema || '.' || v_table);
    if i_kind = 'logutriga' then
        v_ev[1] := pg_catalog.quote_literal(pg_catalog.substr(i_op, 1, 1) || ':' || pg_catalog.array_to_string(v_keys, ','));
        v_ev[2] := pgq._bulk_encode('url', v_row, v_names, v_types, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('url', 'o', v_names, v_types, v_omit);
        end if;
    elsif i_kind = 'sqltriga' then
        v_ev[1] := pg_catalog.quote_literal(pg_catalog.substr(i_op, 1, 1));
        v_ev[2] := pgq._bulk_sql_fragment(i_op, v_names, v_keys, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('url', 'o', v_names, v_types, v_omit);
        end if;
    else
        v_ev[1] := pg_catalog.quote_literal(pgq._json_ev_type(i_op, v_schema, v_table, v_keys));
        v_ev[2] := pgq._bulk_encode('json', v_row, v_names, v_types, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('json', 'o', v_names, v_types, v_omit);
        end if;
    end if;
    for k in 1 .. 6 loop
        i := pg_catalog.array_position(v_names, '_pgq_' || v_fields[k]);
        if i is not null then
            v_ev[k] := pgq._bulk_text(v_row, v_names[i]);
        end if;
        if v_expr[k] is not null then
            v_ev[k] := '(select (' || v_expr[k] || ')::pg_catalog.text from (select ' || v_row || '.*) _pgq_row)';
        end if;
    end loop;

    v_sql := format('select pgq._insert_events(%L, pg_catalog.array_agg(e1 order by rn), pg_catalog.array_agg(e2 order by rn),'
                    ' pg_catalog.array_agg(e3 order by rn), pg_catalog.array_agg(e4 order by rn),'
                    ' pg_catalog.array_agg(e5 order by rn), pg_catalog.array_agg(e6 order by rn))'
                    ' from (select n.pgq_rn as rn, %s as e1, %s as e2, %s as e3, %s as e4, %s as e5, %s as e6'
                    ' from %s where %s) ev',
                    v_queue, coalesce(v_ev[1], 'null'), coalesce(v_ev[2], 'null'), coalesce(v_ev[3], 'null'),
                    coalesce(v_ev[4], 'null'), coalesce(v_ev[5], 'null'), coalesce(v_ev[6], 'null'),
                    v_src, v_cond);
    if i_op = 'DELETE' then
        v_sql := pg_catalog.replace(v_sql, 'select n.pgq_rn as rn', 'select o.pgq_rn as rn');
    end if;
    return v_out || v_sql;
end;
$$;
