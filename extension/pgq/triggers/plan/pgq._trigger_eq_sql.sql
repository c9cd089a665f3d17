create or replace function pgq._trigger_eq_sql(i_type oid, i_a text, i_b text)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trigger_eq_sql(i_type, i_a, i_b): SQL that is true when the SQL
    -- expressions i_a and i_b, of type i_type, hold equal values, as PgQ's
    -- C triggers judge whether an UPDATE changed a column: with the
    -- equality operator PostgreSQL's type cache finds for the type, or,
    -- where there is none and for arrays, on the text output (then NULL is
    -- returned: the caller compares the text).  The type cache's operator
    -- is the equality of the type's default btree operator class, else of
    -- its default hash one; the class is found as PostgreSQL finds a
    -- default one: a domain's base type, an exact input type first, else
    -- the one class (or the one for the category's preferred type) whose
    -- input type the type is binary-coercible to, polymorphic input types
    -- (anyenum, anyrange, anymultirange, record) included.  Record equality
    -- counts only when every column of the composite type has an equality
    -- (an array column: its element type).  C calls the operator by its
    -- oid; SQL names it, and PostgreSQL would pick an operator by that name
    -- again from the operands' types, so both operands are cast (a
    -- relabeling: the types are binary-coercible) to the class's input
    -- type, schema-qualified: with its exact signature the name denotes
    -- that one operator, and no other of the same name (one that whoever
    -- may create in that schema could add for a domain, say) can be
    -- chosen.  A polymorphic input type cannot be cast to: then the
    -- operator must be pg_catalog's (where nobody else creates), else the
    -- text is compared.  The operator runs with the operands' collation
    -- (a column's), as in C.
    -- Returns: the SQL, or NULL: compare the text.
    -- Tables: catalog (read).
declare
    v_type oid := i_type;
    t      record;
    v_am   text;
    v_fam  oid;
    v_in   oid;
    v_op   oid;
    v_sql  text;
    v_targets oid[];
begin
    -- a domain's base type (a chain of domains included)
    loop
        select y.typtype, y.typbasetype, y.typelem, y.typlen, y.typcategory, y.typrelid
          into t from pg_type y where y.oid = v_type;
        if not found then
            return null;
        end if;
        exit when t.typtype <> 'd';
        v_type := t.typbasetype;
    end loop;
    -- an array: its text, as the C triggers compare arrays; a pseudo-type
    -- (a composite's anyarray column): no equality
    if (t.typelem <> 0 and t.typlen = -1 and t.typcategory = 'A') or t.typtype = 'p' then
        return null;
    end if;

    foreach v_am in array array['btree', 'hash'] loop
        v_fam := null;
        select c.opcfamily, c.opcintype into v_fam, v_in
          from pg_opclass c join pg_am m on m.oid = c.opcmethod
         where m.amname = v_am and c.opcdefault and c.opcintype = v_type;
        if v_fam is null then
            -- no class for the type itself: one for a type it is binary
            -- coercible to (the polymorphic one of its kind, or one it
            -- casts to as binary and implicitly), the one for the
            -- category's preferred type, else the only one
            v_targets := coalesce(v_targets,
                array[case t.typtype when 'e' then 'pg_catalog.anyenum'::regtype
                                     when 'r' then 'pg_catalog.anyrange'::regtype
                                     when 'm' then to_regtype('pg_catalog.anymultirange')
                                     when 'c' then 'pg_catalog.record'::regtype end]::oid[]
                || array(select k.casttarget from pg_cast k
                          where k.castsource = v_type and k.castmethod = 'b' and k.castcontext = 'i'));
            select (array_agg(s.opcfamily order by s.pref desc))[1], (array_agg(s.opcintype order by s.pref desc))[1]
              into v_fam, v_in
              from (select c.opcfamily, c.opcintype, y.typispreferred and y.typcategory = t.typcategory as pref
                      from pg_opclass c
                      join pg_am m on m.oid = c.opcmethod
                      join pg_type y on y.oid = c.opcintype
                     where m.amname = v_am and c.opcdefault and c.opcintype = any (v_targets)) s
            having count(*) filter (where s.pref) = 1 or (count(*) filter (where s.pref) = 0 and count(*) = 1);
        end if;
        if v_fam is not null then
            select o.amopopr,
                   case when y.typtype <> 'p'
                        then format('(%s)::%I.%I operator(%I.%s) (%s)::%I.%I', i_a, yn.nspname, y.typname,
                                    n.nspname, r.oprname, i_b, yn.nspname, y.typname)
                        when n.nspname = 'pg_catalog'
                        then format('(%s) operator(pg_catalog.%s) (%s)', i_a, r.oprname, i_b) end
              into v_op, v_sql
              from pg_amop o
              join pg_operator r on r.oid = o.amopopr
              join pg_namespace n on n.oid = r.oprnamespace
              join pg_type y on y.oid = v_in
              join pg_namespace yn on yn.oid = y.typnamespace
             where o.amopfamily = v_fam and o.amoplefttype = v_in and o.amoprighttype = v_in
               and o.amopstrategy = case v_am when 'btree' then 3 else 1 end;
            exit when v_op is not null;
        end if;
    end loop;
    -- record equality (operator 2988): only when each column has an
    -- equality itself
    if v_op = 2988
       and exists (select from pg_attribute a
                     join pg_type y on y.oid = a.atttypid
                    where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
                      and pgq._trigger_eq_sql(case when y.typelem <> 0 and y.typlen = -1 and y.typcategory = 'A'
                                                   then y.typelem else y.oid end, 'a', 'b') is null) then
        return null;
    end if;
    return v_sql;
end;
$$;
