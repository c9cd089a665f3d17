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
    --   5 one letter per attribute, by attnum: how the column's value is
    --     read from to_json() and compared (pgq._trigger_kind: t, n, f, i,
    --     c, b, d, s or x), '-' for a dropped column
    --   6 whether the fast path may serve the table (no x column and no
    --     magic _pgq_ev_* one): '1' with no column to convert (t, n, f, i
    --     and c only), '2' with some (b, d, s), '0' not
    --   7 the attributes' types, by attnum, 0 for a dropped one (an oid[]
    --     literal), for jsontriga
    --   8 the table's number of attributes, dropped ones included (a
    --     column added later has a higher attnum)
    --   9 'j' when jsontriga's form of every column is to_json()'s (no x
    --     column and no float4, float8 or numeric, which to_json() writes
    --     as numbers and jsontriga as strings), else ''
    --  10 the primary key constraint's oid when pg_get_constraintdef writes
    --     it as PRIMARY KEY (<the columns of 4>), nothing more (no INCLUDE,
    --     no DEFERRABLE), else '0': the fast path checks an event's key
    --     columns through the caches with it
    --  11 that constraint's name ('' without one)
    -- The fast path checks 5, 7 and 8 against pg_attribute at every row
    -- and works 6 and 9 out from them itself (it reads neither: they are
    -- kept for the reader, and pgTAP).
    -- Only what is derived from the table is kept, never anything of a
    -- trigger's arguments: the fast path reads those, and the queue, from
    -- the trigger itself at each row.  Being a setting, the plan can be
    -- changed by the session: the fast path checks what matters for safety
    -- in the catalog (see there).
    -- Returns: the plan.
    -- Tables: catalog (read).
declare
    v_t      record;
    v_con    record;
    v_kinds  text;    -- by attnum, '-' for a dropped column
    v_types  oid[];   -- by attnum, 0 for a dropped column
    v_live   text;    -- the kinds of the columns, in order
    v_plan   text[];
begin
    select t.names, t.keys into v_t from pgq._trigger_table(i_relid) t;
    select coalesce(string_agg(case when a.attisdropped then '-'
                                    else pgq._trigger_kind(a.atttypid, a.attcollation) end, '' order by a.attnum), ''),
           coalesce(array_agg(case when a.attisdropped then 0 else a.atttypid end order by a.attnum), '{}')
      into v_kinds, v_types
      from pg_attribute a
     where a.attrelid = i_relid and a.attnum > 0;
    v_live := replace(v_kinds, '-', '');
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
                    case when v_live !~ '^[tnficbds]+$'
                              or exists (select from unnest(v_t.names) n where n like E'\\_pgq\\_ev\\_%') then '0'
                         when v_live ~ '^[tnfic]+$' then '1'
                         else '2' end,
                    v_types::text,
                    (select c.relnatts::text from pg_class c where c.oid = i_relid),
                    case when v_live ~ '^[tnficbds]+$' and not (v_types && '{700,701,1700}'::oid[]) then 'j' else '' end,
                    coalesce(v_con.oid::text, '0'),
                    coalesce(v_con.conname::text, '')];
    perform set_config('pgq.trigger_table_' || i_relid::text, v_plan::text, false);
    return v_plan;
end;
$$;
