create or replace function pgq.insert_event(
    queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1 .. ev_extra4):
    -- produce one event, timed now(), for every consumer of the queue.
    -- Triggers call this function by its qualified name.
    -- Returns: the event id.
    -- Errors: as pgq.insert_event_raw.
    -- Tables: pgq.queue (read), the queue's current event table.
    --
    -- This is the hottest path of pgq.  Two ways in, same row:
    --
    -- * A session's first inserts go into the queue's own table
    --   pgq.event_<id> (partitioned by table number only), one EXECUTE of
    --   the same text each.  The first statement of a session that
    --   inserts through pgq.event_template has to build that table's
    --   partition descriptor, which reads the catalog row of every queue's
    --   partition (about 10-35 us per queue: 10 to 80 ms with 1000 queues);
    --   a connection that inserts a few events and goes must not pay that.
    -- * After as many such inserts as there are queues (the setting
    --   pgq.insert_route says 'first', then counts down, then says
    --   'template'), the
    --   session has paid about what the descriptor costs, and from then on
    --   one static, plan-cached statement does it all: it reads the queue
    --   row, takes the next id and inserts through pgq.event_template,
    --   which routes the row to pgq.event_<id>_<cur>.  The EXECUTE costs
    --   about 10 us per event more than this.
    -- pgq.insert_route is an ordinary session setting: setting it (or
    -- RESET ALL) changes only which way a row takes.
    -- When no row qualifies, pgq.insert_event_raw does the checks and
    -- raises the right error.  An on-demand queue (4.1) also signals the
    -- ticker (pgq._signal_events).
declare
    v_id    bigint;
    v_route text := current_setting('pgq.insert_route', true);
    v_q     record;
    v_left  int4;
begin
    if v_route = 'template' then
        -- every column, in table order: the planner then drops the
        -- subquery scan it would otherwise put between the lookup and the
        -- insert
        insert into pgq.event_template as e
        select nextval(q.queue_event_seq), now(), txid_current(), null::int4, null::int4,
               insert_event.ev_type, insert_event.ev_data,
               insert_event.ev_extra1, insert_event.ev_extra2,
               insert_event.ev_extra3, insert_event.ev_extra4,
               q.queue_id, q.queue_cur_table
          from pgq.queue q
         where q.queue_name = insert_event.queue_name
           and not q.queue_disable_insert
           and q.queue_per_tx_limit is null
           and q.queue_ticker_on_demand is null
        returning e.ev_id into v_id;
        if v_id is not null then
            return v_id;
        end if;
        -- an on-demand queue (4.1): the same insert, and the signal
        insert into pgq.event_template as e
        select nextval(q.queue_event_seq), now(), txid_current(), null::int4, null::int4,
               insert_event.ev_type, insert_event.ev_data,
               insert_event.ev_extra1, insert_event.ev_extra2,
               insert_event.ev_extra3, insert_event.ev_extra4,
               q.queue_id, q.queue_cur_table
          from pgq.queue q
         where q.queue_name = insert_event.queue_name
           and not q.queue_disable_insert
           and q.queue_per_tx_limit is null
           and q.queue_ticker_on_demand is not null
        returning e.ev_id into v_id;
        if v_id is not null then
            perform pgq._signal_events(insert_event.queue_name);
            return v_id;
        end if;
    else
        select q.queue_id, q.queue_cur_table, q.queue_event_seq, q.queue_ticker_on_demand
          into v_q
          from pgq.queue q
         where q.queue_name = insert_event.queue_name
           and not q.queue_disable_insert
           and q.queue_per_tx_limit is null;
        if found then
            -- inserts left before the session goes through the template:
            -- as many as queues were made (the queue id sequence: no scan,
            -- and never fewer than there are), read at the session's
            -- second insert (opening the sequence costs a new session
            -- about as much as the insert, and many sessions insert once)
            if v_route ~ '^[0-9]{1,9}$' then
                v_left := v_route::int4 - 1;
            elsif v_route = 'first' then
                v_left := least(coalesce(pg_sequence_last_value('pgq.queue_queue_id_seq'), 1), 100000000) - 2;
            else
                v_left := null;
            end if;
            perform set_config('pgq.insert_route',
                               case when v_left is null then 'first'
                                    when v_left > 0 then v_left::text
                                    else 'template' end, false);
            v_id := nextval(v_q.queue_event_seq);
            execute format('insert into pgq.%I (ev_id, ev_time, ev_txid, ev_owner, ev_retry, ev_type,'
                           ' ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4, ev_queue, ev_table)'
                           ' values ($1, now(), txid_current(), null, null, $2, $3, $4, $5, $6, $7, $8, $9)',
                           'event_' || v_q.queue_id)
                using v_id, insert_event.ev_type, insert_event.ev_data,
                      insert_event.ev_extra1, insert_event.ev_extra2,
                      insert_event.ev_extra3, insert_event.ev_extra4,
                      v_q.queue_id, v_q.queue_cur_table;
            if v_q.queue_ticker_on_demand is not null then
                perform pgq._signal_events(insert_event.queue_name);
            end if;
            return v_id;
        end if;
    end if;
    -- a disabled queue, one with a per-transaction limit, or none:
    -- insert_event_raw checks (and signals an on-demand queue)
    return pgq.insert_event_raw(queue_name, null, now(), null, null,
                                ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4);
end;
$$;

create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text)
returns bigint
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_event(queue_name, ev_type, ev_data): the 7-argument form
    -- with NULL extras.  A plain SQL function, so the planner inlines it.
    select pgq.insert_event(queue_name, ev_type, ev_data, null, null, null, null);
$$;
