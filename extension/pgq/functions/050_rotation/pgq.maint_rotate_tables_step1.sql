create or replace function pgq.maint_rotate_tables_step1(i_queue_name text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_rotate_tables_step1(i_queue_name): first step of table
    -- rotation.  When the queue's rotation is due (rotation_period set, the
    -- previous rotation finished: queue_switch_step2 set, and
    -- switch_time + rotation_period in the past) and no consumer may still
    -- need the oldest table, that table is emptied with TRUNCATE and becomes
    -- the current one.  Ticks that no consumer can need any more go too.
    -- "May still need": the slowest consumer's last tick has a snapshot xmin
    -- at or below queue_switch_step2, i.e. it may still read events written
    -- before the previous switch.  A long transaction holds every new tick's
    -- xmin down, so it blocks rotation too; nothing is lost, events just
    -- stay in the current table until it ends.
    -- A table that another session holds a lock on (a reader, pg_dump) is
    -- skipped, not waited for; the next maintenance run tries again.
    -- Step 2 (pgq.maint_rotate_tables_step2) must run in a later transaction.
    -- Returns: 0 (always; PgQ's convention for "do not call again now").
    -- Errors: PQ010 'queue <q> maint failure: step1=<txid>, current=<txid>'
    --   when the txid counter is behind the last rotation (the database was
    --   restored into another cluster); PQ010 'queue <q> maint failure: tick
    --   <id> not found' when a consumer's tick is missing.
    -- Tables: pgq.queue, pgq.subscription (read), pgq.tick, the queue's
    --   oldest event table (TRUNCATE).
declare
    v_q         record;
    v_min_tick  bigint;
    v_xmin      bigint;
    v_next      int4;
    v_tbl       text;
begin
    select queue_id, queue_rotation_period, queue_switch_time, queue_switch_step1,
           queue_switch_step2, queue_cur_table, queue_ntables
      into v_q
      from pgq.queue
     where queue_name = i_queue_name
       for update;
    if not found
       or v_q.queue_rotation_period is null
       or v_q.queue_switch_step2 is null
       or v_q.queue_switch_time + v_q.queue_rotation_period >= now() then
        return 0;
    end if;

    if txid_current() < v_q.queue_switch_step1 then
        raise exception 'queue % maint failure: step1=%, current=%',
            i_queue_name, v_q.queue_switch_step1, txid_current()
            using errcode = 'PQ010';
    end if;

    select min(sub_last_tick) into v_min_tick
      from pgq.subscription
     where sub_queue = v_q.queue_id;
    if v_min_tick is not null then
        select txid_snapshot_xmin(tick_snapshot) into v_xmin
          from pgq.tick
         where tick_queue = v_q.queue_id and tick_id = v_min_tick;
        if not found then
            raise exception 'queue % maint failure: tick % not found', i_queue_name, v_min_tick
                using errcode = 'PQ010';
        end if;
        if v_xmin <= v_q.queue_switch_step2 then
            return 0;
        end if;
    end if;

    v_next := (v_q.queue_cur_table + 1) % v_q.queue_ntables;
    v_tbl := 'event_' || v_q.queue_id || '_' || v_next;
    begin
        execute format('lock table pgq.%I in access exclusive mode nowait', v_tbl);
        execute format('truncate pgq.%I', v_tbl);
    exception
        when lock_not_available then
            return 0;
    end;

    update pgq.queue
       set queue_cur_table = v_next,
           queue_switch_time = now(),
           queue_switch_step1 = txid_current(),
           queue_switch_step2 = null
     where queue_id = v_q.queue_id;

    -- ticks from before the previous switch: no consumer is that far back,
    -- and keeping one rotation period more lets consumers be moved back.
    -- The newest tick always stays (PgQ may delete it on an idle queue
    -- without consumers, and then nobody can register until the next tick).
    delete from pgq.tick
     where tick_queue = v_q.queue_id
       and txid_snapshot_xmin(tick_snapshot) < v_q.queue_switch_step2
       and tick_id < (select max(t.tick_id) from pgq.tick t where t.tick_queue = v_q.queue_id);

    return 0;
end;
$$;
