create or replace function pgq.maint_operations(out func_name text, out func_arg text)
returns setof record
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_operations(): the maintenance a daemon should run now, in
    -- order.  Each row is a function taking func_arg (NULL = no argument)
    -- and returning an int; non-zero means "call me again now".  The name
    -- 'vacuum' means: run VACUUM on the table in func_arg.
    --   1. pgq.maint_rotate_tables_step1 for each queue due for rotation;
    --   2. pgq.maint_rotate_tables_step2, if step 1 is listed or pending;
    --   3. each function in a queue's queue_extra_maint, with the queue name;
    --   4. vacuum, for each table of pgq.maint_tables_to_vacuum();
    --   5. pgq_node.maint_watermark for each root queue, if pgq_node exists;
    --   6. londiste.root_check_seqs for each queue with local sequences on a
    --      root node, if londiste exists;
    --   7. londiste.periodic_maintenance, if it exists;
    --   8. pgq.maint_drop_storage for the emptied tables of each dropped
    --      queue (not in PgQ, which dropped them at once);
    --   9. pgq.maint_compact for pgq.subscription or pgq.tick when the
    --      statistics show more than 1000 dead row versions and ten times
    --      as many dead as live ones (a held xmin horizon keeps VACUUM from
    --      removing them; not in PgQ).
    -- Moving retried events back (pgq.maint_retry_events) is not listed:
    -- daemons run it on its own period.
    -- Tables: pgq.queue (read), pgq_node.node_info and londiste.seq_info
    --   when present.
declare
    v_q         record;
    v_step1     bool := false;
    v_fn        text;
begin
    for v_q in
        select queue_name from pgq.queue
         where queue_rotation_period is not null
           and queue_switch_step2 is not null
           and queue_switch_time + queue_rotation_period < now()
         order by queue_name
    loop
        func_name := 'pgq.maint_rotate_tables_step1';
        func_arg := v_q.queue_name;
        v_step1 := true;
        return next;
    end loop;

    if v_step1 or exists (select 1 from pgq.queue where queue_switch_step2 is null) then
        func_name := 'pgq.maint_rotate_tables_step2';
        func_arg := null;
        return next;
    end if;

    for v_q in
        select queue_name, queue_extra_maint from pgq.queue
         where queue_extra_maint is not null
         order by queue_name
    loop
        foreach v_fn in array v_q.queue_extra_maint loop
            -- pgq_admin may write any name here; the daemon runs only
            -- functions owned by a trusted role (pgq._maint_function)
            func_name := pgq._maint_function(v_fn, '{}', true);
            func_arg := v_q.queue_name;
            if func_name is not null then
                return next;
            end if;
        end loop;
    end loop;

    for func_name, func_arg in
        select 'vacuum', t from pgq.maint_tables_to_vacuum() t
    loop
        return next;
    end loop;

    v_fn := pgq._maint_function('pgq_node.maint_watermark(text)', '{pgq_node.node_info}', false);
    if v_fn is not null then
        for func_arg in
            execute 'select queue_name from pgq_node.node_info where node_type = ''root'' order by 1'
        loop
            func_name := v_fn;
            return next;
        end loop;
    end if;

    v_fn := pgq._maint_function('londiste.root_check_seqs(text)', '{londiste.seq_info,pgq_node.node_info}', false);
    if v_fn is not null then
        for func_arg in
            execute 'select distinct s.queue_name
                       from londiste.seq_info s, pgq_node.node_info n
                      where s.local and n.node_type = ''root'' and n.queue_name = s.queue_name
                      order by 1'
        loop
            func_name := v_fn;
            return next;
        end loop;
    end if;

    v_fn := pgq._maint_function('londiste.periodic_maintenance()', '{}', false);
    if v_fn is not null then
        func_name := v_fn;
        func_arg := null;
        return next;
    end if;

    -- tables of dropped queues (pgq.drop_queue leaves them, emptied)
    -- (as many tables under the template as queues, the common case:
    -- none left over, and no lookup per queue)
    for func_arg in
        select 'pgq.' || c.relname
          from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'pgq.event_template'::regclass
           -- by oid (syscache lookups of the queues' tables), so that only
           -- the dropped queues' tables are looked up in pg_class: with
           -- 1000 queues a quarter of the time of comparing names
           and i.inhrelid not in (select to_regclass('pgq.event_' || q.queue_id)
                                    from pgq.queue q
                                   where to_regclass('pgq.event_' || q.queue_id) is not null)
           and (select count(*) from pg_inherits x where x.inhparent = 'pgq.event_template'::regclass)
               <> (select count(*) from pgq.queue)
         order by c.oid
    loop
        func_name := 'pgq.maint_drop_storage';
        return next;
    end loop;

    for func_arg in
        select t.name
          from unnest(array['pgq.subscription', 'pgq.tick']) with ordinality as t(name, ord)
         where pg_stat_get_dead_tuples(t.name::regclass) > 1000
           and pg_stat_get_dead_tuples(t.name::regclass) > 10 * pg_stat_get_live_tuples(t.name::regclass)
         order by t.ord
    loop
        func_name := 'pgq.maint_compact';
        return next;
    end loop;
    return;
end;
$$;
