create or replace function pgq._trigger_plan(
    in i_form text, in i_kind text, in i_op text, in i_when text, in i_level text,
    in i_relid oid, in i_argv text[], in i_tgname name,
    out queue text, out skip bool, out backup bool, out keys text[], out ignore text[], out omit text[],
    out magic int4[], out when_expr text, out exprs text[],
    out schema_name text, out table_name text, out names text[], out types oid[],
    out local bool, out row_error text, out row_error_args text[])
returns record
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trigger_plan(i_form, i_kind, i_op, i_when, i_level, i_relid,
    --     i_argv, i_tgname): what a pgq trigger will do, from its definition
    -- alone, for the row triggers (i_form 'row': pgq._trigger_event) and
    -- the statement-level ones (i_form 'bulk': pgq._bulk_trigger_sql)
    -- alike.  Parses the arguments (pgq._trigger_args), checks how the
    -- trigger is defined and reads the table.
    -- Returns: the queue, SKIP and backup; keys (pkey= or the primary key,
    --   in that order); ignore= and omit (ignored and magic columns, left
    --   out of the payload); magic, the position among names of each of
    --   _pgq_ev_type, _data, _extra1 .. _extra4 (NULL where absent); when=
    --   and the six ev_*= expressions; the table's schema, name, column
    --   names and types; local: session_replication_role is 'local' (the
    --   trigger does nothing, and nothing after the definition checks is
    --   filled in); row_error and row_error_args: the error the trigger
    --   raises as soon as it has a row (deny, an unknown magic column, an
    --   UPDATE or DELETE without a key), for pgq._trigger_error, or NULL.
    --   Errors that depend on the row's values are the callers'.
    -- Errors: through pgq._trigger_error: no_queue, bad_param,
    --   truncate_level, row_level, bulk_level, skip_after, bulk_tables.
    -- Tables: catalog (read).
declare
    v_deny   bool;
    v_pkey   text[];
    v_fields text[] := array['ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4'];
    v_newtab name;
    v_oldtab name;
    v_bad    text;
begin
    select a.queue, a.skip, a.backup, a.deny, a.ignore, a.pkey, a.when_expr, a.exprs
      into queue, skip, backup, v_deny, ignore, v_pkey, when_expr, exprs
      from pgq._trigger_args(i_argv) a;

    -- how the trigger is defined: its level and timing, then SKIP, then the
    -- statement-level form's transition tables
    if i_form = 'bulk' then
        if i_level <> 'STATEMENT' or i_when <> 'AFTER' or i_op = 'TRUNCATE' then
            perform pgq._trigger_error('bulk_level');
        end if;
    elsif i_op = 'TRUNCATE' then
        if i_level <> 'STATEMENT' then
            perform pgq._trigger_error('truncate_level');
        end if;
        if ignore <> '{}' or v_pkey is not null or backup or when_expr is not null
           or array_to_string(exprs, '') <> '' then
            perform pgq._trigger_error('bad_param');
        end if;
    elsif i_level <> 'ROW' then
        perform pgq._trigger_error('row_level');
    end if;
    if skip and i_when = 'AFTER' then
        perform pgq._trigger_error('skip_after');
    end if;
    if i_form = 'bulk' then
        select g.tgnewtable, g.tgoldtable into v_newtab, v_oldtab
          from pg_trigger g
         where g.tgrelid = i_relid and g.tgname = i_tgname;
        if (i_op in ('INSERT', 'UPDATE') and v_newtab is distinct from 'pgq_new')
           or (i_op in ('UPDATE', 'DELETE') and v_oldtab is distinct from 'pgq_old') then
            perform pgq._trigger_error('bulk_tables', array[i_kind, i_tgname, i_relid::regclass::text,
                coalesce('NEW TABLE AS ' || v_newtab, '')
                || case when v_newtab is not null and v_oldtab is not null then ' ' else '' end
                || coalesce('OLD TABLE AS ' || v_oldtab, '')
                || case when v_newtab is null and v_oldtab is null then 'none' else '' end]);
        end if;
    end if;

    local := current_setting('session_replication_role') = 'local';
    if local then
        return;
    end if;

    select t.schema_name, t.table_name, t.names, t.types, t.keys
      into schema_name, table_name, names, types, keys
      from pgq._trigger_table(i_relid) t;
    -- key columns: pkey='s as listed, or the primary key's in column order
    -- (the order PgQ's C triggers use)
    keys := coalesce(v_pkey, keys);
    magic := array(select array_position(names, '_pgq_' || f)
                     from unnest(v_fields) with ordinality u(f, o) order by o);
    omit := ignore || array(select n from unnest(names) with ordinality u(n, o)
                             where n like E'\\_pgq\\_ev\\_%' order by o);

    -- the first row's errors, in the row triggers' order: deny, an unknown
    -- magic column (the first in column order), a missing key
    select n into v_bad
      from unnest(names) with ordinality u(n, o)
     where n like E'\\_pgq\\_ev\\_%' and substr(n, 6) <> all (v_fields)
     order by o limit 1;
    if v_deny then
        row_error := 'deny';
        row_error_args := array[schema_name, table_name, queue, i_op];
    elsif i_op <> 'TRUNCATE' and v_bad is not null then
        row_error := 'magic';
        row_error_args := array[v_bad];
    elsif i_op in ('UPDATE', 'DELETE') and keys = '{}' then
        row_error := 'no_pkey';
    end if;
end;
$$;
