create or replace function pgq.ticker(i_queue_name text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.ticker(i_queue_name): make a tick for the queue if it is due.
    -- Rule (PgQ 3.5), with lag = now() - newest tick's time and new_events =
    -- event sequence - newest tick's event_seq:
    --   no tick yet                                       -> tick;
    --   new_events > 0: skip while new_events < ticker_max_count and
    --                   lag < ticker_max_lag (and, for an on-demand queue,
    --                   lag < ticker_on_demand: 4.1), else tick;
    --   idle: with gap = time between the two newest ticks, skip while
    --         lag < ticker_max_lag/2 or (lag < 2*gap and lag < idle_period),
    --         else tick (idle ticks back off up to ticker_idle_period).
    -- A tick stores now() (the transaction's start) and the snapshot of the
    -- inserting statement, and sends one notification on channel
    -- 'pgq.<queue name>' (cut to 63 bytes) with payload '<queue name>' so
    -- that listening consumers wake up when the ticking transaction commits.
    -- Returns: the new tick id, or NULL when no tick was due.
    -- Errors: PQ001 'no such queue'; PQ007 'This queue has external tick
    --   source.' / 'Ticker has been paused for this queue'; PQ010 'Invalid
    --   PgQ state: old xmin=.., old xmax=.., cur txid=..' when the txid
    --   counter is behind the newest tick (database restored into another
    --   cluster).  Warnings 'Negative new_events?  old=.. cur=..' and
    --   'Dubious PgQ state: old xmax=.., cur txid=..'.
    -- Tables: pgq.queue (read), pgq.tick.
declare
    v_q         record;
    v_last      record;
    v_prev_time timestamptz;
    v_seq       bigint;
    v_new       bigint;
    v_lag       interval;
    v_txid      bigint;
    v_tick_id   bigint;
begin
    select queue_id, queue_event_seq, queue_tick_seq, queue_external_ticker,
           queue_ticker_paused, queue_ticker_max_count, queue_ticker_max_lag,
           queue_ticker_idle_period, queue_ticker_on_demand
      into v_q
      from pgq.queue
     where queue_name = i_queue_name;
    if not found then
        raise exception 'no such queue' using errcode = 'PQ001';
    end if;
    if v_q.queue_external_ticker then
        raise exception 'This queue has external tick source.' using errcode = 'PQ007';
    end if;
    if v_q.queue_ticker_paused then
        raise exception 'Ticker has been paused for this queue' using errcode = 'PQ007';
    end if;

    v_seq := pgq.seq_getval(v_q.queue_event_seq);

    -- the newest tick, and the time of the one before it (for the idle
    -- back-off), in one scan
    select t.tick_id, t.tick_time, t.tick_event_seq, t.tick_snapshot,
           txid_snapshot_xmin(t.tick_snapshot) as xmin,
           txid_snapshot_xmax(t.tick_snapshot) as xmax,
           (select p.tick_time from pgq.tick p
             where p.tick_queue = v_q.queue_id and p.tick_id < t.tick_id
             order by p.tick_queue desc, p.tick_id desc
             limit 1) as prev_time
      into v_last
      from pgq.tick t
     where t.tick_queue = v_q.queue_id
     order by t.tick_queue desc, t.tick_id desc
     limit 1;

    if found then
        -- the next txid to be assigned; unlike txid_current() it does not
        -- give the ticking transaction an xid when no tick is made
        v_txid := txid_snapshot_xmax(txid_current_snapshot());
        if v_last.xmin > v_txid then
            raise exception 'Invalid PgQ state: old xmin=%, old xmax=%, cur txid=%',
                v_last.xmin, v_last.xmax, v_txid
                using errcode = 'PQ010';
        end if;
        if v_last.xmax > v_txid then
            raise warning 'Dubious PgQ state: old xmax=%, cur txid=%', v_last.xmax, v_txid;
        end if;

        v_new := v_seq - v_last.tick_event_seq;
        -- on demand, the signal means committed events: the sequence does
        -- not always show them (an event whose id was taken before the
        -- newest tick but committed after it; the queue's very first
        -- event, which leaves the sequence's last value at 1), so look for
        -- committed events that the newest tick did not see
        if v_new = 0 and v_q.queue_ticker_on_demand is not null
           and exists (select 1 from pgq.event_template e
                        where e.ev_queue = v_q.queue_id
                          and e.ev_txid >= v_last.xmin
                          and not txid_visible_in_snapshot(e.ev_txid, v_last.tick_snapshot)
                          and txid_visible_in_snapshot(e.ev_txid, txid_current_snapshot())) then
            v_new := 1;
        end if;
        if v_new < 0 then
            raise warning 'Negative new_events?  old=% cur=%', v_last.tick_event_seq, v_seq;
        end if;
        v_lag := now() - v_last.tick_time;

        if v_new > 0 then
            -- on-demand queues (4.1) are also due once their last tick is
            -- queue_ticker_on_demand old
            if v_new < v_q.queue_ticker_max_count and v_lag < v_q.queue_ticker_max_lag
               and (v_q.queue_ticker_on_demand is null or v_lag < v_q.queue_ticker_on_demand) then
                return null;
            end if;
        else
            v_prev_time := v_last.prev_time;
            if v_prev_time is not null then
                if v_lag < v_q.queue_ticker_max_lag / 2
                   or (v_lag < 2 * (v_last.tick_time - v_prev_time)
                       and v_lag < v_q.queue_ticker_idle_period) then
                    return null;
                end if;
            end if;
        end if;
    end if;

    insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
    values (v_q.queue_id, nextval(v_q.queue_tick_seq), v_seq)
    returning tick_id into v_tick_id;
    -- names made before 4.1 had no length limit: too long a name gets no
    -- NOTIFY (its consumers poll), rather than no tick
    if octet_length(i_queue_name) <= 1024 then
        perform pg_notify(pgq._tick_channel(i_queue_name), i_queue_name);
    end if;
    return v_tick_id;
end;
$$;

create or replace function pgq.ticker()
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.ticker(): pgq.ticker(queue) for every queue that is neither
    -- externally ticked nor paused, in name order, in the caller's one
    -- transaction.  This is what pgq-runner and pgqd call every period.
    -- Returns: how many ticks were made.
    -- Tables: pgq.queue (read), pgq.tick.
declare
    v_name  text;
    v_count bigint := 0;
begin
    for v_name in
        select queue_name from pgq.queue
         where not queue_external_ticker and not queue_ticker_paused
         order by queue_name
    loop
        -- one queue's failure (a broken sequence, a counter that went
        -- backwards) must not stop the others' ticks: it is reported and
        -- the loop goes on
        begin
            if pgq.ticker(v_name) is not null then
                v_count := v_count + 1;
            end if;
        exception
            when others then
                raise warning 'pgq.ticker: queue %: % (SQLSTATE %)', v_name, sqlerrm, sqlstate;
        end;
    end loop;
    return v_count;
end;
$$;

create or replace function pgq.ticker(i_queue_name text, i_tick_id bigint,
                                      i_orig_timestamp timestamptz, i_event_seq bigint)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.ticker(i_queue_name, i_tick_id, i_orig_timestamp, i_event_seq):
    -- an external tick, for queues whose ticks come from elsewhere
    -- (cascaded branch and leaf nodes).  Stores the given id, time and event
    -- position with the current snapshot, then moves the queue's tick and
    -- event sequences forward to them.
    -- Returns: i_tick_id.
    -- Errors: PQ007 'queue not found or ticker disabled: <q>' unless the
    --   queue exists, is externally ticked and not paused; 23505 when the
    --   tick id exists already.
    -- Tables: pgq.queue (read), pgq.tick.
declare
    v_q record;
begin
    select queue_id, queue_tick_seq, queue_event_seq into v_q
      from pgq.queue
     where queue_name = i_queue_name
       and queue_external_ticker
       and not queue_ticker_paused;
    if not found then
        raise exception 'queue not found or ticker disabled: %', i_queue_name
            using errcode = 'PQ007';
    end if;

    insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)
    values (v_q.queue_id, i_tick_id, i_orig_timestamp, i_event_seq);

    perform pgq.seq_setval(v_q.queue_tick_seq, i_tick_id);
    perform pgq.seq_setval(v_q.queue_event_seq, i_event_seq);

    return i_tick_id;
end;
$$;
