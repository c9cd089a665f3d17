create or replace function pgq._trigger_event(
    i_kind text, i_op text, i_when text, i_level text, i_relid oid, i_argv text[],
    i_new text, i_old text, i_new_dates json, i_old_dates json, i_path text)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trigger_event(i_kind, i_op, i_when, i_level, i_relid, i_argv,
    --     i_new, i_old, i_new_dates, i_old_dates, i_path): the work of
    -- pgq.logutriga, pgq.sqltriga and pgq.jsontriga (i_kind) that
    -- pgq._trigger_fast leaves, given the trigger's TG_* values, the new
    -- and old rows in their text form, for jsontriga their date and
    -- timestamp columns as JSON (pgq._trigger_dates_json) and the
    -- search_path of the statement
    -- that fired the trigger (when= and ev_*= expressions resolve names
    -- through it, as PgQ's C triggers do; nothing of ours does).  Parses the trigger arguments,
    -- checks how the trigger is defined, builds the event and inserts it
    -- with pgq.insert_event(7 arguments).
    -- Arguments after the queue name: SKIP, backup, deny, ignore=cols,
    --   pkey=cols, when=EXPR, ev_type= / ev_data= / ev_extra1..4=EXPR.
    -- Returns: true when the trigger must return the row (a BEFORE ROW
    --   trigger without SKIP); false when it returns NULL.
    -- Errors: PgQ's C texts, SQLSTATE 22023 for a trigger defined wrongly,
    --   P0001 for deny, 23502 for a NULL key value in sqltriga.
    -- Tables: catalog (read), the queue (insert).
declare
    v_queue     text;
    v_skip      bool := false;
    v_backup    bool := false;
    v_deny      bool := false;
    v_ignore    text[] := '{}';
    v_omit      text[];
    v_pkey      text[];
    v_when_expr text;
    v_expr      text[] := array[null, null, null, null, null, null]::text[]; -- type, data, extra1..4
    v_schema    text;
    v_table     text;
    v_names     text[];
    v_types     oid[];
    v_keys      text[];
    v_new       text[];
    v_old       text[];
    v_row       text[];
    v_ev        text[] := array[null, null, null, null, null, null]::text[];
    v_magic     text[] := array[null, null, null, null, null, null]::text[];
    v_has_magic bool[] := array[false, false, false, false, false, false];
    v_fields    text[] := array['ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4'];
    v_val       text;
    v_changed   text[] := '{}';
    v_ign_chg   bool := false;
    v_parts     text[];
    v_opname    text;
    i           int4;
    k           int4;
    v_keep      bool := i_when = 'BEFORE' and i_level = 'ROW';
begin
    select a.queue, a.skip, a.backup, a.deny, a.ignore, a.pkey, a.when_expr, a.exprs
      into v_queue, v_skip, v_backup, v_deny, v_ignore, v_pkey, v_when_expr, v_expr
      from pgq._trigger_args(i_argv) a;

    -- how the trigger is defined
    if i_op = 'TRUNCATE' then
        if i_level <> 'STATEMENT' then
            raise exception 'pgq tRuncate trigger must be fired FOR EACH STATEMENT' using errcode = '22023';
        end if;
        if v_ignore <> '{}' or v_pkey is not null or v_backup or v_when_expr is not null
           or pg_catalog.array_to_string(v_expr, '') <> '' then
            raise exception 'bad param to pgq trigger' using errcode = '22023';
        end if;
    elsif i_level <> 'ROW' then
        raise exception 'pgq Ins/Upd/Del trigger must be fired FOR EACH ROW' using errcode = '22023';
    end if;
    if v_skip and i_when <> 'BEFORE' then
        raise exception 'SKIP does not work in AFTER trigger.' using errcode = '22023';
    end if;

    if pg_catalog.current_setting('session_replication_role') = 'local' then
        return v_keep;
    end if;

    select t.schema_name, t.table_name, t.names, t.types, t.keys
      into v_schema, v_table, v_names, v_types, v_keys
      from pgq._trigger_table(i_relid) t;

    if v_deny then
        raise exception 'Table ''%.%'' to queue ''%'': change not allowed (%)', v_schema, v_table, v_queue, i_op;
    end if;

    -- key columns: the primary key's in column order, or pkey='s as listed
    -- (that is the order PgQ's C triggers use)
    if v_pkey is not null then
        v_keys := v_pkey;
    end if;

    if i_op = 'TRUNCATE' then
        v_ev[1] := case i_kind when 'jsontriga' then pgq._json_ev_type(i_op, v_schema, v_table, v_keys) else 'R' end;
        v_ev[2] := case i_kind when 'jsontriga' then '{}' else '' end;
        v_ev[3] := v_schema || '.' || v_table;
        perform pgq.insert_event(v_queue, v_ev[1], v_ev[2], v_ev[3], null, null, null);
        return v_keep;
    end if;

    v_new := pgq._row_fields(i_new);
    v_old := pgq._row_fields(i_old);
    v_row := case when i_op = 'DELETE' then v_old else v_new end;

    -- magic columns _pgq_ev_*: their values override the event's fields
    for i in 1 .. pg_catalog.array_length(v_names, 1) loop
        if v_names[i] like '\_pgq\_ev\_%' then
            k := pg_catalog.array_position(v_fields, pg_catalog.substr(v_names[i], 6));
            if k is null then
                raise exception 'Unknown magic column: %', v_names[i] using errcode = '22023';
            end if;
            v_magic[k] := v_row[i];
            v_has_magic[k] := true;
        end if;
    end loop;

    -- left out of the payload: ignored and magic columns (a changed magic
    -- column still counts as a change, as in PgQ)
    select v_ignore || coalesce(pg_catalog.array_agg(n), '{}') into v_omit
      from pg_catalog.unnest(v_names) n where n like '\_pgq\_ev\_%';

    if i_op in ('UPDATE', 'DELETE') and v_keys = '{}' then
        raise exception 'Update/Delete on table without pkey' using errcode = '22023';
    end if;

    if i_op = 'UPDATE' then
        for i in 1 .. pg_catalog.array_length(v_names, 1) loop
            if v_new[i] is distinct from v_old[i] then
                if v_names[i] = any (v_keys) then
                    raise exception 'primary key update not allowed' using errcode = '22023';
                end if;
                -- sqltriga counts a changed magic column as an ignored one;
                -- the other two count it as a change
                if v_names[i] = any (v_ignore)
                   or (i_kind = 'sqltriga' and v_names[i] like '\_pgq\_ev\_%') then
                    v_ign_chg := true;
                else
                    v_changed := v_changed || v_names[i];
                end if;
            end if;
        end loop;
        if v_changed = '{}' and v_ign_chg then
            return v_keep and not v_skip;
        end if;
    end if;

    -- when= is judged after the checks above, as in PgQ's C triggers
    if v_when_expr is not null then
        v_val := pgq._trigger_expr(v_when_expr, i_relid, case when i_op = 'DELETE' then i_old else i_new end, 'bool', i_path);
        if v_val is null then
            raise exception 'when= should not be NULL' using errcode = '22004';
        end if;
        if not v_val::bool then
            return v_keep;
        end if;
    end if;

    v_opname := pg_catalog.substr(i_op, 1, 1);
    if i_kind = 'logutriga' then
        v_ev[1] := v_opname || ':' || pg_catalog.array_to_string(v_keys, ',');
        v_ev[2] := pgq._urlencode_row(v_names, v_row, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._urlencode_row(v_names, v_old, v_omit);
        end if;
    elsif i_kind = 'sqltriga' then
        v_ev[1] := v_opname;
        v_ev[2] := pgq._sql_fragment(i_op, v_names, v_new, v_old, v_keys, v_omit, v_changed);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._urlencode_row(v_names, v_old, v_omit);
        end if;
    else
        v_ev[1] := pgq._json_ev_type(i_op, v_schema, v_table, v_keys);
        v_ev[2] := pgq._json_row(v_names, v_types, v_row, case when i_op = 'DELETE' then i_old_dates else i_new_dates end, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._json_row(v_names, v_types, v_old, i_old_dates, v_omit);
        end if;
    end if;
    v_ev[3] := v_schema || '.' || v_table;

    -- overrides: magic columns (NULL included), then explicit expressions
    for k in 1 .. 6 loop
        if v_has_magic[k] then
            v_ev[k] := v_magic[k];
        end if;
        if v_expr[k] is not null then
            v_ev[k] := pgq._trigger_expr(v_expr[k], i_relid, case when i_op = 'DELETE' then i_old else i_new end, 'text', i_path);
        end if;
    end loop;

    perform pgq.insert_event(v_queue, v_ev[1], v_ev[2], v_ev[3], v_ev[4], v_ev[5], v_ev[6]);
    return v_keep and not v_skip;
end;
$$;
