create or replace function pgq.insert_event_raw(
    queue_name text, ev_id bigint, ev_time timestamptz,
    ev_owner integer, ev_retry integer, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_event_raw(queue_name, ev_id, ev_time, ev_owner, ev_retry,
    --     ev_type, ev_data, ev_extra1 .. ev_extra4): insert one event with
    -- every field given.  The queue's event sequence is always advanced
    -- first, also when ev_id is given and also when the insert is then
    -- refused: that is how the ticker notices re-inserted events.
    -- Parameters: ev_id NULL = next id from the queue's sequence; ev_time
    --   NULL = now(); ev_owner/ev_retry NULL for a fresh event.
    -- Returns: the event id.
    -- Errors: 22004 'Queue name must not be NULL'; PQ001 'No such queue';
    --   PQ005 'Insert into queue disallowed' (queue_disable_insert, unless
    --   session_replication_role is replica); PQ006 'Queue ''<q>'' allows
    --   max <n> events from one TX' (queue_per_tx_limit).
    -- Tables: pgq.queue (read), the queue's current event table.
    --
    -- pgq.insert_event(7) has a one-statement fast path for the common case
    -- and comes here for everything else.
declare
    v_id    bigint;
    v_q     record;
    v_count int4;
begin
    if insert_event_raw.queue_name is null then
        raise exception 'Queue name must not be NULL' using errcode = '22004';
    end if;

    select x.queue_id, x.queue_cur_table, x.queue_event_seq,
           x.queue_disable_insert, x.queue_per_tx_limit, x.queue_ticker_on_demand
      into v_q
      from pgq.queue x
     where x.queue_name = insert_event_raw.queue_name;
    if not found then
        raise exception 'No such queue' using errcode = 'PQ001';
    end if;

    v_id := nextval(v_q.queue_event_seq);

    if v_q.queue_disable_insert
       and current_setting('session_replication_role') <> 'replica' then
        raise exception 'Insert into queue disallowed' using errcode = 'PQ005';
    end if;

    if v_q.queue_per_tx_limit is not null then
        -- the count is the events themselves: this transaction's rows in
        -- the queue (by the ev_txid index), never a setting the caller
        -- could write; rolled back with a savepoint like the events
        execute format('select count(*) from (select 1 from pgq.%I e'
                       ' where e.ev_txid = txid_current() limit $1) x',
                       'event_' || v_q.queue_id)
           into v_count
          using greatest(v_q.queue_per_tx_limit, 0);
        if v_count >= v_q.queue_per_tx_limit then
            raise exception 'Queue ''%'' allows max % events from one TX',
                insert_event_raw.queue_name, v_q.queue_per_tx_limit
                using errcode = 'PQ006';
        end if;
    end if;

    v_id := coalesce(insert_event_raw.ev_id, v_id);
    -- into the queue's own table, not through pgq.event_template: that
    -- would make this session build the template's partition descriptor,
    -- which reads every queue's catalog row (see pgq.insert_event)
    execute format('insert into pgq.%I (ev_queue, ev_table, ev_id, ev_time, ev_owner, ev_retry,'
                   ' ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
                   ' values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
                   'event_' || v_q.queue_id)
        using v_q.queue_id, v_q.queue_cur_table, v_id,
              coalesce(insert_event_raw.ev_time, now()),
              insert_event_raw.ev_owner, insert_event_raw.ev_retry,
              insert_event_raw.ev_type, insert_event_raw.ev_data,
              insert_event_raw.ev_extra1, insert_event_raw.ev_extra2,
              insert_event_raw.ev_extra3, insert_event_raw.ev_extra4;
    if v_q.queue_ticker_on_demand is not null then
        perform pgq._signal_events(insert_event_raw.queue_name);
    end if;
    return v_id;
end;
$$;
