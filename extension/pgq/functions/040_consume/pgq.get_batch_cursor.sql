create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    in i_extra_where text,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit,
    --     i_extra_where): open a NO SCROLL cursor named i_cursor_name over the
    -- batch's events and return its first i_quick_limit rows.  The caller
    -- goes on with FETCH n FROM <cursor> and CLOSE <cursor>, in the same
    -- transaction (the cursor is not WITH HOLD).
    -- Parameters: i_extra_where, an SQL condition on the event columns
    --   (NULL = none), e.g. ev_extra1 in ('public.t1').
    -- Returns: up to i_quick_limit events; none when the batch, cursor name
    --   or limit is NULL, or the limit is 0 or less.
    -- Errors: as pgq.batch_event_sql.
    -- Tables: the queue's event tables (read).
declare
    v_sql   text;
    v_cur   refcursor;
    v_left  int4;
begin
    if i_batch_id is null or i_cursor_name is null or i_quick_limit is null then
        return;
    end if;

    v_sql := pgq.batch_event_sql(i_batch_id);
    if i_extra_where is not null then
        v_sql := 'select * from (' || v_sql || ') _evs where ' || i_extra_where || ' order by 1';
    end if;

    v_cur := i_cursor_name;
    open v_cur no scroll for execute v_sql;

    v_left := i_quick_limit;
    while v_left > 0 loop
        fetch v_cur into ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,
                         ev_extra1, ev_extra2, ev_extra3, ev_extra4;
        exit when not found;
        return next;
        v_left := v_left - 1;
    end loop;
    return;
end;
$$;

create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language sql strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit): the
    -- 4-argument form without a filter.
    select * from pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit, null);
$$;
