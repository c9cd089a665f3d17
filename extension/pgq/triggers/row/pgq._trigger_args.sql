create or replace function pgq._trigger_args(
    in i_argv text[],
    out queue text, out skip bool, out backup bool, out deny bool,
    out ignore text[], out pkey text[], out when_expr text, out exprs text[])
returns record
language plpgsql immutable
as $$
    -- pgq._trigger_args(i_argv): the arguments of a pgq trigger (TG_ARGV):
    -- the queue name first, then any of SKIP, backup, deny, ignore=cols,
    -- pkey=cols, when=EXPR, ev_type= / ev_data= / ev_extra1..4=EXPR.
    -- Returns: the parsed arguments; exprs holds the six ev_* expressions
    --   (type, data, extra1 .. extra4), NULL where not given.
    -- Errors: 22023 'pgq trigger must have destination queue as argument',
    --   22023 'bad param to pgq trigger'.
declare
    v_args   pg_catalog.text[] := array(select pg_catalog.unnest(i_argv));  -- TG_ARGV counts from 0
    v_fields pg_catalog.text[] := array['ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4'];
    v_arg    pg_catalog.text;
    k        pg_catalog.int4;
    i        pg_catalog.int4;
begin
    if v_args is null or pg_catalog.array_length(v_args, 1) is null or v_args[1] is null then
        perform pgq._trigger_error('no_queue');
    end if;
    queue := v_args[1];
    skip := false;
    backup := false;
    deny := false;
    ignore := '{}';
    exprs := array[null, null, null, null, null, null]::pg_catalog.text[];
    for i in 2 .. pg_catalog.array_length(v_args, 1) loop
        v_arg := v_args[i];
        if v_arg operator(pg_catalog.=) 'SKIP' then
            skip := true;
        elsif v_arg operator(pg_catalog.=) 'backup' then
            backup := true;
        elsif v_arg operator(pg_catalog.=) 'deny' then
            deny := true;
        elsif v_arg operator(pg_catalog.~~) 'ignore=%' then
            ignore := pg_catalog.string_to_array(pg_catalog.substr(v_arg, 8), ',');
        elsif v_arg operator(pg_catalog.~~) 'pkey=%' then
            pkey := pg_catalog.string_to_array(pg_catalog.substr(v_arg, 6), ',');
        elsif v_arg operator(pg_catalog.~~) 'when=%' then
            when_expr := pg_catalog.substr(v_arg, 6);
        else
            k := pg_catalog.array_position(v_fields, pg_catalog.split_part(v_arg, '=', 1));
            if k is null or pg_catalog.strpos(v_arg, '=') operator(pg_catalog.=) 0 then
                perform pgq._trigger_error('bad_param');
            end if;
            exprs[k] := pg_catalog.substr(v_arg, pg_catalog.strpos(v_arg, '=') operator(pg_catalog.+) 1);
        end if;
    end loop;
end;
$$;
