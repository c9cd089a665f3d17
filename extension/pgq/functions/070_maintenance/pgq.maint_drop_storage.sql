create or replace function pgq.maint_drop_storage(i_table text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set lock_timeout = '20ms'
as $$
    -- pgq.maint_drop_storage(i_table): remove the tables and sequences of a
    -- dropped queue (pgq.drop_queue emptied them and left them behind).
    -- Dropping a partition needs an ACCESS EXCLUSIVE lock on
    -- pgq.event_template; while this waits for it, new producers of every
    -- queue wait behind it, so it waits at most lock_timeout (20 ms) and
    -- leaves the tables for the next maintenance round when an open
    -- transaction holds the table.  pgq.maint_operations() lists it for each
    -- such table.
    -- Parameters: i_table, 'pgq.event_<id>' of a queue that no longer exists.
    -- Returns: 0 (done, or left for the next round).
    -- Errors: 22023 for any other table.
    -- Tables: drops pgq.event_<id>, its partitions and the queue's sequences.
declare
    v_id    int4;
begin
    v_id := substring(i_table from E'^pgq\\.event_([0-9]{1,9})$')::int4;
    if v_id is null
       or to_regclass(i_table) is null
       or exists (select 1 from pgq.queue where queue_id = v_id)
       or not exists (select 1 from pg_inherits
                       where inhrelid = to_regclass(i_table) and inhparent = 'pgq.event_template'::regclass) then
        raise exception 'maint_drop_storage: not the storage of a dropped queue: %', i_table using errcode = '22023';
    end if;
    begin
        execute format('drop table pgq.%I', 'event_' || v_id);
    exception
        when lock_not_available then
            return 0;
    end;
    execute format('drop sequence if exists pgq.%I, pgq.%I', 'event_' || v_id || '_tick_seq', 'event_' || v_id || '_id_seq');
    return 0;
end;
$$;
