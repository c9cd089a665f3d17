create or replace function pgq_ext.upgrade_schema()
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.upgrade_schema(): bring tables made by pgq_ext before 3.1 up
    -- to date: add the subconsumer_id column (default '', not null) and make
    -- it part of the primary key.  Does nothing on current tables.
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
    return v_count;
end;
$$;
