create or replace function pgq.batch_event_sql(x_batch_id bigint)
returns text
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.batch_event_sql(x_batch_id): the SELECT that returns the batch's
    -- events: ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,
    -- ev_extra1 .. ev_extra4, ordered by ev_id.
    -- An event is in the batch when its transaction is visible in the end
    -- tick's snapshot and not in the start tick's, and it is meant for every
    -- consumer (ev_owner NULL) or for this subscription (a retried event).
    -- Such txids lie in [xmax(start), xmax(end)], an index range, or were in
    -- progress at the start tick; those are listed one by one, except that
    -- one within 100 of the range's low end extends the range instead.
    -- Returns: the SQL text, one SELECT per table (pgq.batch_event_tables)
    --   joined by UNION ALL.
    -- Errors: PQ003 'batch not found'; PQ010 'could not construct sql for
    --   batch <id>' when a tick of the batch is missing.
    -- Tables: pgq.subscription, pgq.tick, pgq.queue (read).
declare
    v_b         record;
    v_lo        bigint;
    v_hi        bigint;
    v_txid      bigint;
    v_list      text := '';
    v_where     text;
    v_tbl       text;
    v_sql       text := '';
begin
    select s.sub_id, t_prev.tick_snapshot as prev_snap, t_cur.tick_snapshot as cur_snap
      into v_b
      from pgq.subscription s
      left join pgq.tick t_prev on t_prev.tick_queue = s.sub_queue and t_prev.tick_id = s.sub_last_tick
      left join pgq.tick t_cur on t_cur.tick_queue = s.sub_queue and t_cur.tick_id = s.sub_next_tick
     where s.sub_batch = x_batch_id;
    if not found then
        raise exception 'batch not found' using errcode = 'PQ003';
    end if;
    if v_b.prev_snap is null or v_b.cur_snap is null then
        raise exception 'could not construct sql for batch %', x_batch_id using errcode = 'PQ010';
    end if;

    v_lo := txid_snapshot_xmax(v_b.prev_snap);
    v_hi := txid_snapshot_xmax(v_b.cur_snap);

    -- transactions running at the start tick that had finished by the end tick
    for v_txid in
        select x.txid
          from txid_snapshot_xip(v_b.prev_snap) as x(txid)
         where txid_visible_in_snapshot(x.txid, v_b.cur_snap)
         order by x.txid desc
    loop
        if v_txid >= v_lo - 100 then
            v_lo := v_txid;
        else
            v_list := v_list || case when v_list = '' then '' else ',' end || v_txid;
        end if;
    end loop;

    v_where := format('ev.ev_txid >= %s and ev.ev_txid <= %s'
                      ' and txid_visible_in_snapshot(ev.ev_txid, %L::txid_snapshot)'
                      ' and not txid_visible_in_snapshot(ev.ev_txid, %L::txid_snapshot)',
                      v_lo, v_hi, v_b.cur_snap, v_b.prev_snap);
    if v_list <> '' then
        v_where := '(' || v_where || ') or ev.ev_txid in (' || v_list || ')';
    end if;

    for v_tbl in select * from pgq.batch_event_tables(x_batch_id) loop
        if v_sql <> '' then
            v_sql := v_sql || ' union all ';
        end if;
        v_sql := v_sql
            || 'select ev.ev_id, ev.ev_time, ev.ev_txid, ev.ev_retry, ev.ev_type, ev.ev_data,'
            || ' ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4 from '
            || pgq.quote_fqname(v_tbl) || ' ev where (ev.ev_owner is null or ev.ev_owner = '
            || v_b.sub_id || ') and (' || v_where || ')';
    end loop;

    return v_sql || ' order by 1';
end;
$$;
