create or replace function pgq._maint_function(i_signature text, i_tables text[], i_must_exist boolean)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._maint_function(i_signature, i_tables): the schema-qualified name
    -- of a maintenance function that pgq.maint_operations() may hand to the
    -- maintenance daemon, which runs it with its own (often superuser)
    -- rights; NULL when it must not.  Trusted is what a superuser or the
    -- owner of schema pgq owns: the function and the tables
    -- maint_operations reads to decide the call (i_tables).  Functions in
    -- temporary schemas never are.  (The schema's owner does not matter: it
    -- can drop the function, but not make one that a trusted role owns.)
    -- A trusted owner is not enough: the argument is the queue's name, which
    -- pgq_admin chooses, and pg_catalog (or a trusted extension a database
    -- owner installs) has superuser-owned functions that run their argument
    -- as SQL (ts_stat, crosstab) or act on files, slots or backends with it.
    -- So a maintenance function must also look like one: outside pg_catalog
    -- and information_schema, returning one integer (as every maintenance
    -- function of PgQ and pgq_node does), or one row of OUT parameters whose
    -- first is an integer (londiste.root_check_seqs: ret_code, ret_note;
    -- daemons call it once, as pgqd's atoi() of the row is 0).
    -- Parameters: i_signature, as to_regprocedure takes it
    --   ('pgq_node.maint_watermark(text)'), or a bare name (as
    --   queue_extra_maint holds them): name(text), else the only function
    --   of that name; i_must_exist: warn when there is no such function.
    -- Returns: 'schema.name', quoted as needed; NULL (with a WARNING when
    --   the function is not trusted, or not a maintenance function) otherwise.
    -- Tables: catalog only.
declare
    v_fn    oid;
    v_name  text;
    v_ok    bool;
    v_fit   bool;
    v_tbl   text;
begin
    -- a bare name (queue_extra_maint) is the one taking the queue name as
    -- text, or else the only function of that name; a name that does not
    -- even parse is reported like a missing one
    begin
        if strpos(i_signature, '(') = 0 then
            v_fn := coalesce(to_regprocedure(i_signature || '(text)')::oid, to_regproc(i_signature)::oid);
        else
            v_fn := to_regprocedure(i_signature);
        end if;
    exception
        when others then
            v_fn := null;
    end;
    if v_fn is null then
        if i_must_exist then
            raise warning 'pgq.maint_operations: skipping %: no such function', i_signature;
        end if;
        return null;
    end if;
    select format('%I.%I', n.nspname, p.proname),
           pgq._trusted_role(p.proowner)
           and n.nspname not like E'pg\\_temp\\_%' and n.nspname not like E'pg\\_toast\\_temp\\_%',
           n.nspname not in ('pg_catalog', 'information_schema')
           and not p.proretset
           and (p.prorettype in ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
                or p.prorettype = 'record'::regtype
                   and coalesce((select a.typ
                                   from rows from (unnest(p.proallargtypes), unnest(p.proargmodes))
                                        with ordinality as a(typ, mode, ord)
                                  where a.mode in ('o', 'b', 't')
                                  order by a.ord
                                  limit 1) in ('int2'::regtype, 'int4'::regtype, 'int8'::regtype), false))
      into v_name, v_ok, v_fit
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where p.oid = v_fn;
    if not v_fit then
        raise warning 'pgq.maint_operations: skipping %: not a maintenance function (one returning an integer, outside pg_catalog)',
            i_signature;
        return null;
    end if;
    foreach v_tbl in array coalesce(i_tables, '{}') loop
        v_ok := v_ok and coalesce((select pgq._trusted_role(c.relowner) from pg_class c
                                    where c.oid = to_regclass(v_tbl)), false);
    end loop;
    if not v_ok then
        raise warning 'pgq.maint_operations: skipping %: not owned by a superuser or the owner of schema pgq', i_signature;
        return null;
    end if;
    return v_name;
end;
$$;
