create or replace function pgq._lock_room(i_queue_name text)
returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._lock_room(i_queue_name): checks that the server's shared lock
    -- table has room for the locks one more queue takes (about 45, held
    -- until the transaction ends).  The table has max_locks_per_transaction
    -- x (max_connections + background processes + prepared transactions)
    -- slots for all sessions; creating a few hundred queues in one
    -- transaction fills it.  Costs one scan of pg_locks.
    -- Errors: 53200 'cannot create queue ...: lock table nearly full', with
    -- what to do.
    -- Tables: pg_locks (read).
declare
    c_per_queue constant int4 := 45;
    v_slots     int8;
    v_used      int8;
    v_mine      int8;
begin
    v_slots := current_setting('max_locks_per_transaction')::int8
             * (current_setting('max_connections')::int8 + current_setting('autovacuum_max_workers')::int8 + 1
                + current_setting('max_worker_processes')::int8 + current_setting('max_wal_senders')::int8
                + current_setting('max_prepared_transactions')::int8);
    -- fast-path locks (a backend's first few weak relation locks) take no slot
    select count(*) filter (where not fastpath),
           count(*) filter (where not fastpath and pid = pg_backend_pid())
      into v_used, v_mine
      from pg_locks;
    if v_used + c_per_queue > v_slots then
        raise exception 'cannot create queue %: the lock table is nearly full (% of about % slots in use, % by this transaction; a queue holds about % until its transaction ends)',
                i_queue_name, v_used, v_slots, v_mine, c_per_queue
            using errcode = '53200',
                  hint = format('Create fewer queues per transaction (pgqadm create takes many names and commits every 100), '
                                || 'or raise max_locks_per_transaction (now %s; needs a restart).',
                                current_setting('max_locks_per_transaction'));
    end if;
end;
$$;
