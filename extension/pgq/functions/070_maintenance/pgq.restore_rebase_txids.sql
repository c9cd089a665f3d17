create or replace function pgq.restore_rebase_txids()
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.restore_rebase_txids(): after a pg_dump (of this pgq, or of PgQ
    -- 3.5 through scripts/pgq-restore.sh) is restored into another server,
    -- bring the transaction ids the queues carry (tick snapshots,
    -- ev_txid of the events, queue_switch_step1/2) below this server's
    -- transaction counter, keeping every batch exactly as it was.
    --
    -- Batches are cut by txid snapshots (an event belongs to the first tick
    -- whose snapshot sees its ev_txid), so they need the stored txids to lie
    -- in this server's past.  A new server's counter is usually far behind
    -- the old one's: the ticker would stop with 'Invalid PgQ state'.  For
    -- each queue that has txids at or above txid_current(), with ticks
    -- k = 1 .. n in tick_id order and base = txid_current() - 1 - n:
    --   - tick k gets the snapshot 'base+k:base+k:' (nothing in progress);
    --   - an event seen first by tick k gets ev_txid base+k-1, an event no
    --     tick has seen yet base+n: every tick sees exactly the events it saw
    --     before, and every later transaction comes after all of them;
    --   - queue_switch_step1 becomes base+K+1 and step2 base+J, K and J the
    --     last ticks with xmax < step1 and xmin <= step2: the tests of
    --     batch_event_tables and rotation come out as before.
    -- Queues whose txids all lie below txid_current() are left alone.
    -- Run once, after the events are loaded and before the ticker starts.
    -- Returns: the number of queues rebased.
    -- Errors: PQ011 when this server's counter is below a queue's number of
    --   ticks (the hint says how to advance it).
    -- Tables: pgq.queue, pgq.tick, pgq.event_<id>_<n> (UPDATE).
declare
    v_q     record;
    v_cur   bigint := txid_current();
    v_base  bigint;
    v_n     int4;
    v_max   bigint;
    v_done  int4 := 0;
    i       int4;
begin
    for v_q in
        select q.queue_id, q.queue_name, q.queue_ntables, q.queue_switch_step1, q.queue_switch_step2
          from pgq.queue q
         order by q.queue_id
         for update
    loop
        v_max := greatest(v_q.queue_switch_step1, v_q.queue_switch_step2,
                          (select max(txid_snapshot_xmax(t.tick_snapshot)) from pgq.tick t
                            where t.tick_queue = v_q.queue_id));
        for i in 0 .. v_q.queue_ntables - 1 loop
            execute format('select greatest($1, max(ev_txid)) from pgq.%I', 'event_' || v_q.queue_id || '_' || i)
               into v_max using v_max;
        end loop;
        if v_max is null or v_max < v_cur then
            continue;
        end if;

        create temp table pgq_rebase_tick on commit drop as
            select row_number() over (order by t.tick_id)::int4 as k, t.tick_id,
                   t.tick_snapshot as snap,
                   txid_snapshot_xmin(t.tick_snapshot) as snap_xmin,
                   txid_snapshot_xmax(t.tick_snapshot) as snap_xmax
              from pgq.tick t
             where t.tick_queue = v_q.queue_id;
        create index on pgq_rebase_tick (snap_xmax, k);
        analyze pgq_rebase_tick;
        v_n := (select count(*) from pgq_rebase_tick);
        v_base := v_cur - 1 - v_n;
        if v_base < 3 then
            raise exception 'queue %: % ticks do not fit below this server''s txid %', v_q.queue_name, v_n, v_cur
                using errcode = 'PQ011',
                      hint = format('advance it first, outside a transaction block: '
                                    'do $do$ begin for i in 1..%s loop perform txid_current(); commit; end loop; end $do$',
                                    v_n + 10 - v_cur);
        end if;

        -- every event: the first tick that sees it (ticks see more and more,
        -- and xmax only grows: the first with xmax > t is nearly always it)
        create temp table pgq_rebase_map (t bigint primary key, k int4) on commit drop;
        for i in 0 .. v_q.queue_ntables - 1 loop
            execute format('insert into pgq_rebase_map (t) select distinct ev_txid from pgq.%I'
                           ' on conflict do nothing', 'event_' || v_q.queue_id || '_' || i);
        end loop;
        update pgq_rebase_map m
           set k = coalesce((select r.k from pgq_rebase_tick r
                              where r.snap_xmax > m.t and txid_visible_in_snapshot(m.t, r.snap)
                              order by r.snap_xmax, r.k
                              limit 1), v_n + 1);
        for i in 0 .. v_q.queue_ntables - 1 loop
            execute format('update pgq.%I e set ev_txid = $1 + m.k - 1 from pgq_rebase_map m'
                           ' where e.ev_txid = m.t', 'event_' || v_q.queue_id || '_' || i)
              using v_base;
        end loop;

        update pgq.queue
           set queue_switch_step1 = v_base + 1 + coalesce((select max(r.k) from pgq_rebase_tick r
                                                            where r.snap_xmax < v_q.queue_switch_step1), 0),
               queue_switch_step2 = case when v_q.queue_switch_step2 is not null
                                         then v_base + coalesce((select max(r.k) from pgq_rebase_tick r
                                                                 where r.snap_xmin <= v_q.queue_switch_step2), 0)
                                    end
         where queue_id = v_q.queue_id;
        update pgq.tick t
           set tick_snapshot = ((v_base + r.k) || ':' || (v_base + r.k) || ':')::txid_snapshot
          from pgq_rebase_tick r
         where t.tick_queue = v_q.queue_id and t.tick_id = r.tick_id;

        drop table pgq_rebase_tick, pgq_rebase_map;
        v_done := v_done + 1;
    end loop;
    return v_done;
end;
$$;
