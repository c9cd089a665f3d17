create or replace function pgq.maint_rotate_tables_step2()
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_rotate_tables_step2(): second step of table rotation, for
    -- every queue whose step 1 has run: records the txid of this (later)
    -- transaction, so any txid above it is known to have started after the
    -- switch was visible.  Must run in its own transaction after step 1
    -- committed; pgq-runner and pgqd run maintenance in autocommit.
    -- Returns: 0.
    -- Tables: pgq.queue.
begin
    update pgq.queue
       set queue_switch_step2 = txid_current()
     where queue_switch_step2 is null;
    return 0;
end;
$$;
