create or replace function pgq.create_queue(i_queue_name text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.create_queue(i_queue_name): create a queue.
    -- Makes the queue row, its event-id and tick-id sequences, its event
    -- tables pgq.event_<id> (partition of pgq.event_template) and
    -- pgq.event_<id>_0 .. _<ntables-1> (with ev_id defaulting to the event
    -- sequence, so clients can COPY into them), grants, storage settings and
    -- the first tick, so that consumers can register at once.
    -- Returns: 1 when created, 0 when the queue already exists.
    -- Errors: 22004 'Invalid NULL value' for a NULL name; 22023 empty name;
    -- 42622 name over 1024 bytes; 53200 when the server's lock table has
    -- no room for one more queue in this transaction (pgq._lock_room).
    -- Tables: pgq.queue, pgq.tick; creates pgq.event_<id>*, sequences.
declare
    v_id        int4;
    v_pfx       text;
    v_seq       text;
    v_tick_seq  text;
    v_ntables   int4;
    v_tbl       text;
    i           int4;
begin
    if i_queue_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;
    if i_queue_name = '' then
        raise exception 'queue name must not be empty' using errcode = '22023';
    end if;
    -- the ticker's NOTIFY carries the name (payloads stop at 8000 bytes)
    if octet_length(i_queue_name) > 1024 then
        raise exception 'queue name too long: % bytes, at most 1024', octet_length(i_queue_name)
            using errcode = '42622';
    end if;

    perform 1 from pgq.queue where queue_name = i_queue_name;
    if found then
        return 0;
    end if;

    -- a new queue holds about 45 locks (its tables, indexes, sequences,
    -- partition bounds) until the transaction ends: say so before the
    -- server runs out of lock slots with a bare "out of shared memory"
    perform pgq._lock_room(i_queue_name);

    perform pgq._serial_catch_up('pgq.queue_queue_id_seq', (select max(queue_id) from pgq.queue));
    v_id := nextval('pgq.queue_queue_id_seq');
    v_pfx := 'pgq.event_' || v_id;
    v_seq := v_pfx || '_id_seq';
    v_tick_seq := v_pfx || '_tick_seq';

    insert into pgq.queue (queue_id, queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq)
    values (v_id, i_queue_name, v_pfx, v_seq, v_tick_seq)
    returning queue_ntables into v_ntables;

    execute format('create sequence pgq.%I', 'event_' || v_id || '_tick_seq');
    execute format('create sequence pgq.%I', 'event_' || v_id || '_id_seq');

    -- the queue's own parent, built detached and attached last: ATTACH takes
    -- only a SHARE UPDATE EXCLUSIVE lock on pgq.event_template, so producers
    -- of other queues are not blocked while a queue is created
    execute format('create table pgq.%I (like pgq.event_template including defaults) partition by list (ev_table)',
                   'event_' || v_id);
    execute format('alter table pgq.%I alter column ev_queue set default %s, alter column ev_id set default nextval(%L)',
                   'event_' || v_id, v_id, v_seq);
    for i in 0 .. v_ntables - 1 loop
        v_tbl := 'event_' || v_id || '_' || i;
        execute format('create table pgq.%I partition of pgq.%I for values in (%s)',
                       v_tbl, 'event_' || v_id, i);
        execute format('alter table pgq.%I alter column ev_id set default nextval(%L),'
                       ' alter column ev_queue set default %s, alter column ev_table set default %s',
                       v_tbl, v_seq, v_id, i);
        execute format('create index %I on pgq.%I (ev_txid)', v_tbl || '_txid_idx', v_tbl);
    end loop;
    execute format('alter table pgq.event_template attach partition pgq.%I for values in (%s)',
                   'event_' || v_id, v_id);

    perform pgq.grant_perms(i_queue_name);
    perform pgq.ticker(i_queue_name);
    perform pgq.tune_storage(i_queue_name);

    return 1;
end;
$$;
