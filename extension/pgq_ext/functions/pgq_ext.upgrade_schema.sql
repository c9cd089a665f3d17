create or replace function pgq_ext.upgrade_schema()
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.upgrade_schema(): bring tables made by pgq_ext before 3.1 up
    -- to date: add the subconsumer_id column (default '', not null) and make
    -- it part of the primary key.  Does nothing on current tables.
    -- Also (4.1): adds owner_role and the row-level security policy
    -- owner_rows to each table when missing.
    -- Returns: the number of changes made.
    -- Tables: the four pgq_ext tables (DDL only).
declare
    v_tbl   text;
    v_pkey  text;
    v_cols  text;
    v_count int4 := 0;
begin
    for v_tbl, v_cols in
        select t, c from (values
            ('completed_tick', 'consumer_id, subconsumer_id'),
            ('completed_batch', 'consumer_id, subconsumer_id'),
            ('completed_event', 'consumer_id, subconsumer_id, batch_id, event_id'),
            ('partial_batch', 'consumer_id, subconsumer_id')) v(t, c)
    loop
        perform 1 from pg_catalog.pg_attribute
         where attrelid = ('pgq_ext.' || v_tbl)::regclass
           and attname = 'subconsumer_id' and not attisdropped;
        if found then
            continue;
        end if;
        execute format('alter table pgq_ext.%I add column subconsumer_id text', v_tbl);
        execute format('update pgq_ext.%I set subconsumer_id = %L', v_tbl, '');
        execute format('alter table pgq_ext.%I alter column subconsumer_id set default %L,'
                       ' alter column subconsumer_id set not null', v_tbl, '');
        select conname into v_pkey from pg_catalog.pg_constraint
         where conrelid = ('pgq_ext.' || v_tbl)::regclass and contype = 'p';
        if v_pkey is not null then
            execute format('alter table pgq_ext.%I drop constraint %I', v_tbl, v_pkey);
        end if;
        execute format('alter table pgq_ext.%I add primary key (%s)', v_tbl, v_cols);
        v_count := v_count + 1;
    end loop;

    -- 4.1: rows carry the role that wrote them, and row-level security
    -- keeps each role to its own rows (pgq_admin: all)
    foreach v_tbl in array array['completed_tick', 'completed_batch', 'completed_event', 'partial_batch'] loop
        perform 1 from pg_catalog.pg_attribute
         where attrelid = ('pgq_ext.' || v_tbl)::regclass
           and attname = 'owner_role' and not attisdropped;
        if not found then
            execute format('alter table pgq_ext.%I add column owner_role name default current_user', v_tbl);
            v_count := v_count + 1;
        end if;
        perform 1 from pg_catalog.pg_policy
         where polrelid = ('pgq_ext.' || v_tbl)::regclass and polname = 'owner_rows';
        if not found then
            execute format('alter table pgq_ext.%I enable row level security', v_tbl);
            execute format($p$create policy owner_rows on pgq_ext.%I
                using (owner_role is null or pgq_ext._owns(owner_role))
                with check (owner_role is not null and pgq_ext._owns(owner_role))$p$, v_tbl);
            v_count := v_count + 1;
        end if;
    end loop;
    return v_count;
end;
$$;
