-- Plants, in schema evil, a trap for every name the extension could resolve
-- through the caller's search_path: a copy of each pg_catalog function and
-- aggregate whose name appears in the extension's scripts (the names come
-- from the caller, generated from the built SQL), and of every pg_catalog
-- operator, each with the same argument types.  Every trap raises a WARNING
-- (seen by the client even when the error is caught) and then an error.
-- With search_path = evil, pg_catalog, evil comes before pg_catalog, so an
-- unqualified name in our code finds the trap even where the signature is
-- exactly pg_catalog's: a stronger position than any real attacker has.
--   select hostile_plant(names text[]) returns the number of traps.
create schema evil;
grant usage on schema evil to public;

create function public.hostile_plant(i_names text[]) returns int
language plpgsql as $plant$
declare
    r       record;
    v_args  text;
    v_n     int := 0;
    v_body  text;
    v_bad   text := '(internal|cstring|language_handler|fdw_handler|index_am_handler|tsm_handler|table_am_handler|event_trigger|\mtrigger\M|anyrange|anymultirange|anycompatiblerange|anycompatiblemultirange|pg_ddl_command|"char"\[\])';
begin
    -- functions
    for r in
        select p.oid, p.proname, pg_catalog.pg_get_function_arguments(p.oid) args,
               pg_catalog.pg_get_function_result(p.oid) res, p.proretset
          from pg_catalog.pg_proc p
         where p.pronamespace = 'pg_catalog'::regnamespace
           and p.prokind = 'f'
           and p.proname = any (i_names)
    loop
        v_args := pg_catalog.replace(r.args, 'VARIADIC "any"', 'VARIADIC text[]');
        v_args := pg_catalog.replace(v_args, '"any"', 'text');
        if v_args ~ v_bad or r.res ~ v_bad then
            continue;
        end if;
        v_body := pg_catalog.format($b$begin raise warning 'PLANTED evil.%s called'; raise exception 'planted evil.%s called' using errcode = 'XX666'; end$b$,
                                    r.proname, r.proname);
        begin
            execute pg_catalog.format('create function evil.%I(%s) returns %s language plpgsql as %L',
                                      r.proname, v_args, r.res, v_body);
            v_n := v_n + 1;
        exception when others then
            null; -- a signature PL/pgSQL cannot take: nothing planted for it
        end;
    end loop;

    -- aggregates: a state function that springs the trap
    for r in
        select p.oid, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) args
          from pg_catalog.pg_proc p
          join pg_catalog.pg_aggregate a on a.aggfnoid = p.oid and a.aggkind = 'n'
         where p.pronamespace = 'pg_catalog'::regnamespace
           and p.proname = any (i_names)
    loop
        if r.args ~ v_bad then
            continue;
        end if;
        v_body := pg_catalog.format($b$begin raise warning 'PLANTED evil.%s called'; raise exception 'planted evil.%s called' using errcode = 'XX666'; end$b$,
                                    r.proname, r.proname);
        begin
            execute pg_catalog.format('create function evil.%I(text%s) returns text language plpgsql as %L',
                                      'agg_' || r.oid, case when r.args = '' then '' else ', ' || r.args end, v_body);
            execute pg_catalog.format('create aggregate evil.%I(%s) (sfunc = evil.%I, stype = text)',
                                      r.proname, case when r.args = '' then '*' else r.args end, 'agg_' || r.oid);
            v_n := v_n + 1;
        exception when others then
            null;
        end;
    end loop;

    -- operators: all of them (names are punctuation, not found by the scan)
    for r in
        select o.oid, o.oprname, o.oprleft, o.oprright, o.oprresult
          from pg_catalog.pg_operator o
         where o.oprnamespace = 'pg_catalog'::regnamespace
    loop
        v_args := pg_catalog.concat_ws(', ', case when r.oprleft <> 0 then r.oprleft::regtype::text end,
                                       case when r.oprright <> 0 then r.oprright::regtype::text end);
        if v_args ~ v_bad or r.oprresult::regtype::text ~ v_bad then
            continue;
        end if;
        v_body := pg_catalog.format($b$begin raise warning 'PLANTED operator evil.%s called'; raise exception 'planted operator evil.%s called' using errcode = 'XX666'; end$b$,
                                    r.oprname, r.oprname);
        begin
            execute pg_catalog.format('create function evil.%I(%s) returns %s language plpgsql as %L',
                                      'op_' || r.oid, v_args, r.oprresult::regtype, v_body);
            execute pg_catalog.format('create operator evil.%s (%s function = evil.%I)', r.oprname,
                                      case when r.oprleft <> 0 then 'leftarg = ' || r.oprleft::regtype || ', ' else '' end
                                      || case when r.oprright <> 0 then 'rightarg = ' || r.oprright::regtype || ', ' else '' end,
                                      'op_' || r.oid);
            v_n := v_n + 1;
        exception when others then
            null;
        end;
    end loop;
    return v_n;
end;
$plant$;
