create or replace function pgq._trigger_error(i_what text, i_args text[] default null)
returns bool
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trigger_error(i_what, i_args): raises the trigger error named by
    -- i_what, with its text and SQLSTATE.  Every error of the six trigger
    -- functions (row and statement forms) comes from here, so both forms
    -- raise the same text: the row path with PERFORM, the statement-level
    -- form from inside its generated queries (hence the bool result).
    -- The texts are PgQ's C triggers'.
    -- Parameters: i_args fill the text's %s, in order (deny: schema,
    --   table, queue, operation; magic: the column; bulk_tables: kind,
    --   trigger, table, what it declares).
    -- Errors: always; XX000 for an unknown i_what.
declare
    v_text text;
    v_code text;
begin
    select e.t, e.c into v_text, v_code
      from (values
        ('no_queue',       'pgq trigger must have destination queue as argument', '22023'),
        ('bad_param',      'bad param to pgq trigger', '22023'),
        ('truncate_level', 'pgq tRuncate trigger must be fired FOR EACH STATEMENT', '22023'),
        ('row_level',      'pgq Ins/Upd/Del trigger must be fired FOR EACH ROW', '22023'),
        ('bulk_level',     'pgq bulk trigger must be AFTER INSERT, UPDATE or DELETE ... FOR EACH STATEMENT', '22023'),
        ('bulk_tables',    'pgq.%s_bulk needs REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS'
                           ' pgq_old (update, delete): trigger %s on %s has %s', '22023'),
        ('skip_after',     'SKIP does not work in AFTER trigger.', '22023'),
        ('deny',           'Table ''%s.%s'' to queue ''%s'': change not allowed (%s)', 'P0001'),
        ('magic',          'Unknown magic column: %s', '22023'),
        ('no_pkey',        'Update/Delete on table without pkey', '22023'),
        ('key_update',     'primary key update not allowed', '22023'),
        ('when_null',      'when= should not be NULL', '22004'),
        ('null_key',       'logtriga: Unexpected NULL key value', '23502')
      ) e(w, t, c)
     where e.w = i_what;
    if v_text is null then
        raise exception 'pgq internal error: unknown trigger error %', i_what using errcode = 'XX000';
    end if;
    raise exception using message = format(v_text, variadic coalesce(i_args, '{}')), errcode = v_code;
end;
$$;
