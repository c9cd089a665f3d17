create or replace function pgq.current_event_table(x_queue_name text)
returns text
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.current_event_table(x_queue_name): name of the table that takes
    -- the queue's inserts now, for clients that COPY events straight into it
    -- (ev_id, ev_txid and the routing columns fill themselves in).  Valid only
    -- until the end of the current transaction: rotation may switch it.
    -- Returns: 'pgq.event_<id>_<n>'.
    -- Errors: PQ001 'Event queue not found'; PQ005 'Writing to queue
    --   disabled' (queue_disable_insert, unless session_replication_role is
    --   replica).
    -- Tables: pgq.queue (read).
declare
    v_q record;
begin
    select queue_data_pfx, queue_cur_table, queue_disable_insert into v_q
      from pgq.queue
     where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not found' using errcode = 'PQ001';
    end if;
    if v_q.queue_disable_insert
       and current_setting('session_replication_role') <> 'replica' then
        raise exception 'Writing to queue disabled' using errcode = 'PQ005';
    end if;
    return v_q.queue_data_pfx || '_' || v_q.queue_cur_table;
end;
$$;
