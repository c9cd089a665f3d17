create or replace function pgq._trigger_event(
    i_kind text, i_op text, i_when text, i_level text, i_relid oid, i_argv text[],
    i_new text, i_old text, i_new_dates json, i_old_dates json, i_path text,
    i_new_row anyelement, i_old_row anyelement)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trigger_event(i_kind, i_op, i_when, i_level, i_relid, i_argv,
    --     i_new, i_old, i_new_dates, i_old_dates, i_path, i_new_row,
    --     i_old_row): the work of
    -- pgq.logutriga, pgq.sqltriga and pgq.jsontriga (i_kind) that
    -- pgq._trigger_fast leaves, given the trigger's TG_* values, the new
    -- and old rows in their text form, for jsontriga their date and
    -- timestamp columns as JSON (pgq._trigger_dates_json) and the
    -- search_path of the statement
    -- that fired the trigger (when= and ev_*= expressions resolve names
    -- through it, as PgQ's C triggers do; nothing of ours does), and the
    -- rows themselves (NEW and OLD: an UPDATE's changed columns are judged
    -- on the values).  Takes the
    -- trigger's plan (pgq._trigger_plan: arguments, definition checks, the
    -- table), builds the event and inserts it with pgq.insert_event(7
    -- arguments).
    -- Arguments after the queue name: SKIP, backup, deny, ignore=cols,
    --   pkey=cols, when=EXPR, ev_type= / ev_data= / ev_extra1..4=EXPR.
    -- Returns: true when the trigger must return the row (a BEFORE or
    --   INSTEAD OF ROW trigger without SKIP, as PgQ's C triggers); false
    --   when it returns NULL.
    -- Errors: all through pgq._trigger_error (PgQ's C texts): 22023 for a
    --   trigger defined wrongly, P0001 for deny, 22023 for a key update,
    --   22004 for a NULL when=, 23502 for a NULL key value in sqltriga.
    -- Tables: catalog (read), the queue (insert).
declare
    p           record;
    v_new       text[];
    v_old       text[];
    v_row       text[];
    v_ev        text[] := array[null, null, null, null, null, null]::text[];
    v_val       text;
    v_changed   text[] := '{}';
    v_diff      bool[] := '{}';
    v_cmp       text[] := '{}';
    v_at        int4[] := '{}';
    v_res       bool[];
    v_eq        text;
    v_text      text;
    v_ign_chg   bool := false;
    v_opname    text;
    i           int4;
    k           int4;
    v_keep      bool := i_when <> 'AFTER' and i_level = 'ROW';
begin
    -- the trigger's definition, its table and the errors that do not
    -- depend on the row's values: one plan for both forms
    select * into p from pgq._trigger_plan('row', i_kind, i_op, i_when, i_level, i_relid, i_argv, null);
    if p.local then
        return v_keep;
    end if;
    if p.row_error is not null then
        perform pgq._trigger_error(p.row_error, p.row_error_args);
    end if;

    if i_op = 'TRUNCATE' then
        v_ev[1] := case i_kind when 'jsontriga' then pgq._json_ev_type(i_op, p.schema_name, p.table_name, p.keys) else 'R' end;
        v_ev[2] := case i_kind when 'jsontriga' then '{}' else '' end;
        v_ev[3] := p.schema_name || '.' || p.table_name;
        perform pgq.insert_event(p.queue, v_ev[1], v_ev[2], v_ev[3], null, null, null);
        return v_keep;
    end if;

    v_new := pgq._row_fields(i_new);
    v_old := pgq._row_fields(i_old);
    v_row := case when i_op = 'DELETE' then v_old else v_new end;

    if i_op = 'UPDATE' then
        -- which columns changed, judged as PgQ's C triggers do: with the
        -- type's equality where it has one (pgq._trigger_eq_sql: 1.0 and
        -- 1.00 are the same numeric), else on the text.  The text settles
        -- it where it can, the operator elsewhere (one query for the row),
        -- by what the type's text output tells (v_text, a letter a column,
        -- read for the row): b the same text is the same value and another
        -- text another value; e the same text is the same value (numeric,
        -- interval, character, jsonb, floats with extra_float_digits at 1
        -- or more, text under a collation other than the default, C or
        -- POSIX, which may be nondeterministic); d another text is another
        -- value (timestamptz but under DateStyle ISO, where a zone
        -- abbreviation can stand for two offsets); n neither (any other
        -- type: a regproc, a domain, a composite or range of other types).
        select string_agg(
                   case when a.atttypid in (16, 17, 18, 19, 20, 21, 23, 26, 114, 142, 650, 869, 1082, 1083, 1114, 1266, 2950)
                             or (a.atttypid in (25, 1043) and a.attcollation in (100, 950, 951))
                             or (a.atttypid = 1184 and current_setting('DateStyle') like 'ISO%') then 'b'
                        when a.atttypid in (1700, 1186, 1042, 3802, 25, 1043)
                             or (a.atttypid in (700, 701) and current_setting('extra_float_digits')::int4 >= 1) then 'e'
                        when a.atttypid = 1184 then 'd'
                        -- (a subquery of its own: a join to pg_type was
                        -- planned as a scan of it, about 60 us)
                        else (select case when y.typcategory = 'A' or y.typtype = 'e' then 'b' else 'n' end
                                from pg_type y where y.oid = a.atttypid) end, '' order by a.attnum)
          into v_text
          from pg_attribute a
         where a.attrelid = i_relid and a.attnum > 0 and not a.attisdropped;
        for i in 1 .. pg_catalog.array_length(p.names, 1) loop
            v_diff[i] := v_new[i] is distinct from v_old[i];
            if v_new[i] is not null and v_old[i] is not null
               and (case when v_diff[i] then substr(v_text, i, 1) in ('e', 'n')
                         else substr(v_text, i, 1) in ('d', 'n') end) then
                v_eq := pgq._trigger_eq_sql(p.types[i], format('($1).%I', p.names[i]), format('($2).%I', p.names[i]));
                if v_eq is not null then
                    v_cmp := v_cmp || format('not coalesce(%s, false)', v_eq);
                    v_at := v_at || i;
                end if;
            end if;
        end loop;
        if v_cmp <> '{}' then
            execute 'select array[' || pg_catalog.array_to_string(v_cmp, ', ') || ']'
               into v_res using i_new_row, i_old_row;
            for k in 1 .. pg_catalog.array_length(v_at, 1) loop
                v_diff[v_at[k]] := v_res[k];
            end loop;
        end if;
        for i in 1 .. pg_catalog.array_length(p.names, 1) loop
            if v_diff[i] then
                if p.names[i] = any (p.keys) then
                    perform pgq._trigger_error('key_update');
                end if;
                -- sqltriga counts a changed magic column as an ignored one;
                -- the other two count it as a change
                if p.names[i] = any (p.ignore)
                   or (i_kind = 'sqltriga' and p.names[i] like E'\\_pgq\\_ev\\_%') then
                    v_ign_chg := true;
                else
                    v_changed := v_changed || p.names[i];
                end if;
            end if;
        end loop;
        if v_changed = '{}' and v_ign_chg then
            return v_keep and not p.skip;
        end if;
    end if;

    -- when= is judged after the checks above, as in PgQ's C triggers
    if p.when_expr is not null then
        v_val := pgq._trigger_expr(p.when_expr, i_relid, case when i_op = 'DELETE' then i_old else i_new end, 'bool', i_path);
        if v_val is null then
            perform pgq._trigger_error('when_null');
        end if;
        if not v_val::bool then
            return v_keep;
        end if;
    end if;

    v_opname := pg_catalog.substr(i_op, 1, 1);
    if i_kind = 'logutriga' then
        v_ev[1] := v_opname || ':' || pg_catalog.array_to_string(p.keys, ',');
        v_ev[2] := pgq._urlencode_row(p.names, v_row, p.omit);
        if p.backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._urlencode_row(p.names, v_old, p.omit);
        end if;
    elsif i_kind = 'sqltriga' then
        v_ev[1] := v_opname;
        v_ev[2] := pgq._sql_fragment(i_op, p.names, v_new, v_old, p.keys, p.omit, v_changed);
        if p.backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._urlencode_row(p.names, v_old, p.omit);
        end if;
    else
        v_ev[1] := pgq._json_ev_type(i_op, p.schema_name, p.table_name, p.keys);
        v_ev[2] := pgq._json_row(p.names, p.types, v_row, case when i_op = 'DELETE' then i_old_dates else i_new_dates end, p.omit);
        if p.backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._json_row(p.names, p.types, v_old, i_old_dates, p.omit);
        end if;
    end if;
    v_ev[3] := p.schema_name || '.' || p.table_name;

    -- overrides: magic columns (NULL included), then explicit expressions
    for k in 1 .. 6 loop
        if p.magic[k] is not null then
            v_ev[k] := v_row[p.magic[k]];
        end if;
        if p.exprs[k] is not null then
            v_ev[k] := pgq._trigger_expr(p.exprs[k], i_relid, case when i_op = 'DELETE' then i_old else i_new end, 'text', i_path);
        end if;
    end loop;

    perform pgq.insert_event(p.queue, v_ev[1], v_ev[2], v_ev[3], v_ev[4], v_ev[5], v_ev[6]);
    return v_keep and not p.skip;
end;
$$;
