create or replace function pgq._trigger_table_plan(i_relid oid)
returns text[]
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trigger_table_plan(i_relid): what the row triggers' fast path
    -- (pgq._trigger_fast) needs to know of a table, read from the catalog
    -- and kept for the rest of the session in the setting
    -- pgq.trigger_table_<relid> (set_config, so a rolled back transaction
    -- takes it back).  Elements:
    --   1 the table's file node ('' when it has none), which changes when
    --     a column's type changes (the table is rewritten)
    --   2 the primary key's index oid, '0' when there is none
    --   3 the column names, in order (an array literal)
    --   4 the primary key's columns, in the key's order (an array literal)
    --   5 one letter per column: how its value is read from to_json():
    --     t as it is (to_json writes the type's text output), b boolean,
    --     d date, s timestamp or timestamptz (converted back to text under
    --     the session's DateStyle), x any other (arrays, json, composite
    --     types, and every type that is not built in, domains too)
    --   6 whether the fast path may serve the table (no x column and no
    --     magic _pgq_ev_* one): '1' with no column to convert (t only),
    --     '2' with some (b, d, s), '0' not
    --   7 the column types (an oid[] literal), for jsontriga
    --   8 the table's number of attributes, dropped ones included (a
    --     column added later has a higher attnum)
    --   9 'j' when jsontriga's form of every column is to_json()'s (no x
    --     column and no float4, float8 or numeric, which to_json() writes
    --     as numbers and jsontriga as strings), else ''
    --  10 the primary key constraint's oid when pg_get_constraintdef writes
    --     it as PRIMARY KEY (<the columns of 4>), nothing more (no INCLUDE,
    --     no DEFERRABLE), else '0': the fast path checks an UPDATE's or
    --     DELETE's key through the caches with it
    --  11 that constraint's name ('' without one)
    -- Only what is derived from the table is kept, never anything of a
    -- trigger's arguments: the fast path reads those, and the queue, from
    -- the trigger itself at each row.  Being a setting, the plan can be
    -- changed by the session: the fast path checks what matters for safety
    -- in the catalog (see there).
    -- Returns: the plan.
    -- Tables: catalog (read).
declare
    v_t     record;
    v_con   record;
    v_kinds text := '';
    v_kind  text;
    v_plan  text[];
    i       int4;
begin
    select t.names, t.types, t.keys into v_t from pgq._trigger_table(i_relid) t;
    for i in 1 .. coalesce(array_length(v_t.names, 1), 0) loop
        select case when b.oid = 16 then 'b'
                    when b.oid = 1082 then 'd'
                    when b.oid in (1114, 1184) then 's'
                    when b.oid >= 16384 or b.oid in (114, 3802) or b.typtype in ('c', 'd') or b.typelem <> 0 then 'x'
                    else 't' end
          into v_kind from pg_type b where b.oid = v_t.types[i];
        v_kinds := v_kinds || coalesce(v_kind, 'x');
    end loop;
    select c.oid, c.conname into v_con
      from pg_constraint c
     where c.conrelid = i_relid and c.contype = 'p'
       and pg_get_constraintdef(c.oid) = 'PRIMARY KEY ('
           || array_to_string(array(select quote_ident(k) from unnest(v_t.keys) with ordinality u(k, n) order by n), ', ') || ')';
    v_plan := array[coalesce(pg_relation_filenode(i_relid)::text, ''),
                    coalesce((select x.indexrelid::text from pg_index x
                               where x.indrelid = i_relid and x.indisprimary), '0'),
                    coalesce(v_t.names, '{}')::text,
                    v_t.keys::text,
                    v_kinds,
                    case when v_kinds !~ '^[tbds]+$'
                              or exists (select from unnest(v_t.names) n where n like '\_pgq\_ev\_%') then '0'
                         when v_kinds ~ '^t+$' then '1'
                         else '2' end,
                    coalesce(v_t.types, '{}')::text,
                    (select c.relnatts::text from pg_class c where c.oid = i_relid),
                    case when v_kinds ~ '^[tbds]+$' and not (v_t.types && '{700,701,1700}'::oid[]) then 'j' else '' end,
                    coalesce(v_con.oid::text, '0'),
                    coalesce(v_con.conname::text, '')];
    perform set_config('pgq.trigger_table_' || i_relid::text, v_plan::text, false);
    return v_plan;
end;
$$;
