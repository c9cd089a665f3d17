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
    v_seen      boolean;
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

    -- (pgq.seq_getval inlined: this runs for every queue)
    v_seq := coalesce(pg_sequence_last_value(v_q.queue_event_seq::regclass),
                      (select s.seqstart from pg_sequence s where s.seqrelid = v_q.queue_event_seq::regclass));

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
        -- (in the queue's own tables: through pgq.event_template the
        -- session would read every queue's catalog row, see insert_event)
        if v_new = 0 and v_q.queue_ticker_on_demand is not null then
            execute format('select exists (select 1 from pgq.%I e'
                           ' where e.ev_txid >= $1'
                           ' and not txid_visible_in_snapshot(e.ev_txid, $2)'
                           ' and txid_visible_in_snapshot(e.ev_txid, txid_current_snapshot()))',
                           'event_' || v_q.queue_id)
               into v_seen
              using v_last.xmin, v_last.tick_snapshot;
            if v_seen then
                v_new := 1;
            end if;
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
        perform pg_notify(case when octet_length(i_queue_name) <= 59 then 'pgq.' || i_queue_name
                               else pgq._tick_channel(i_queue_name) end,
                          i_queue_name);
    end if;
    return v_tick_id;
end;
$$;

create or replace function pgq.ticker()
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.ticker(): a tick for every queue that is neither externally
    -- ticked nor paused and is due by pgq.ticker(queue)'s rule, in the
    -- caller's one transaction.  This is what pgq-runner and pgqd call
    -- every period.
    -- Returns: how many ticks were made.
    -- Tables: pgq.queue (read), pgq.tick.
    --
    -- The common case is one statement for all queues: each queue's event
    -- sequence position, newest tick and the time of the one before it,
    -- PgQ's rule (as in pgq.ticker(queue), which pgtap/030_ticker.sql runs
    -- through both), one INSERT of the due ticks, then their NOTIFYs.
    -- A queue that needs more goes through pgq.ticker(queue) one by one:
    -- on-demand queues (4.1, their rule looks at the events), and a queue
    -- whose newest tick is ahead of the txid counter or of its sequence
    -- (pgq.ticker(queue) raises or warns).  When the one statement fails
    -- (a queue's sequence gone), every queue goes that way: one queue's
    -- failure must not stop the others' ticks, it is reported and the loop
    -- goes on.
declare
    v_txid  bigint := txid_snapshot_xmax(txid_current_snapshot());
    v_ids   int4[];
    v_slow  text[];
    v_name  text;
    v_count bigint := 0;
begin
    begin
        with st as (
            select q.queue_id, q.queue_name, q.queue_tick_seq, q.queue_ticker_on_demand,
                   q.queue_ticker_max_count, q.queue_ticker_max_lag, q.queue_ticker_idle_period,
                   -- the sequence's last value; one never used reports its
                   -- start (as reading the sequence relation does)
                   coalesce(pg_sequence_last_value(s.seqrelid), s.seqstart) as seq,
                   t.tick_id, t.tick_time, t.tick_event_seq, t.tick_snapshot, p.prev_time,
                   now() - t.tick_time as lag
              from pgq.queue q
              -- a join, not a lookup per queue: pg_sequence is read once
              left join pg_sequence s on s.seqrelid = q.queue_event_seq::regclass
              -- the newest tick and the time of the one before it: index
              -- probes of tick_pkey, as in pgq.ticker(queue)
              left join lateral (
                    select t.tick_id, t.tick_time, t.tick_event_seq, t.tick_snapshot
                      from pgq.tick t
                     where t.tick_queue = q.queue_id
                     order by t.tick_queue desc, t.tick_id desc
                     limit 1) t on true
              left join lateral (
                    select p.tick_time as prev_time
                      from pgq.tick p
                     where p.tick_queue = q.queue_id and p.tick_id < t.tick_id
                     order by p.tick_queue desc, p.tick_id desc
                     limit 1) p on true
             where not q.queue_external_ticker and not q.queue_ticker_paused
        ), d as (
            select st.queue_id, st.queue_name, st.queue_tick_seq, st.seq,
                   case
                       when st.tick_id is null then 'tick'
                       when st.queue_ticker_on_demand is not null
                            or txid_snapshot_xmin(st.tick_snapshot) > v_txid
                            or txid_snapshot_xmax(st.tick_snapshot) > v_txid
                            or st.seq < st.tick_event_seq then 'one'
                       when st.seq > st.tick_event_seq then
                            case when st.seq - st.tick_event_seq < st.queue_ticker_max_count
                                      and st.lag < st.queue_ticker_max_lag then 'skip'
                                 else 'tick' end
                       else
                            -- idle: back off by the gap between the two newest ticks
                            case when st.prev_time is null then 'tick'
                                 when st.lag < st.queue_ticker_max_lag / 2
                                      or (st.lag < 2 * (st.tick_time - st.prev_time)
                                          and st.lag < st.queue_ticker_idle_period) then 'skip'
                                 else 'tick' end
                   end as what
              from st
        ), ins as (
            insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
            select d.queue_id, nextval(d.queue_tick_seq::regclass), d.seq
              from d
             where d.what = 'tick'
             order by d.queue_name
            returning tick_queue
        )
        select (select array_agg(ins.tick_queue) from ins),
               (select array_agg(d.queue_name order by d.queue_name) from d where d.what = 'one')
          into v_ids, v_slow;
        -- names made before 4.1 had no length limit: too long a name gets
        -- no NOTIFY (its consumers poll), rather than no tick
        if v_ids is not null then
            -- (a short name is its own channel: no call of _tick_channel)
            perform pg_notify(case when octet_length(q.queue_name) <= 59 then 'pgq.' || q.queue_name
                                   else pgq._tick_channel(q.queue_name) end,
                              q.queue_name)
               from pgq.queue q
              where q.queue_id = any (v_ids) and octet_length(q.queue_name) <= 1024
              order by q.queue_name;
        end if;
        v_count := coalesce(cardinality(v_ids), 0);
    exception
        when others then
            v_count := 0;
            select array_agg(q.queue_name order by q.queue_name) into v_slow
              from pgq.queue q
             where not q.queue_external_ticker and not q.queue_ticker_paused;
    end;

    foreach v_name in array coalesce(v_slow, '{}') loop
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
