create or replace function pgq.find_tick_helper(
    in i_queue_id int4,
    in i_prev_tick_id int8,
    in i_prev_tick_time timestamptz,
    in i_prev_tick_seq int8,
    in i_min_count int8,
    in i_min_interval interval,
    out next_tick_id int8,
    out next_tick_time timestamptz,
    out next_tick_seq int8)
returns record
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.find_tick_helper(i_queue_id, i_prev_tick_id, i_prev_tick_time,
    --     i_prev_tick_seq, i_min_count, i_min_interval): where a batch that
    -- should hold at least i_min_count events or span i_min_interval ends.
    -- The newest tick after the previous one is taken if it meets either
    -- limit.  If it overshoots a limit more than twice, the first tick that
    -- meets either limit is taken instead, so a consumer that fell behind
    -- catches up in batches of about the asked size.
    -- Returns: that tick, or NULLs when no limit is met yet.
    -- Tables: pgq.tick (read).
declare
    v_t record;
begin
    select tick_id, tick_time, tick_event_seq into v_t
      from pgq.tick
     where tick_queue = i_queue_id and tick_id > i_prev_tick_id
     order by tick_queue desc, tick_id desc
     limit 1;
    if not found then
        return;
    end if;

    if not coalesce(v_t.tick_event_seq - i_prev_tick_seq >= i_min_count, false)
       and not coalesce(v_t.tick_time - i_prev_tick_time >= i_min_interval, false) then
        return;
    end if;

    if coalesce(v_t.tick_event_seq - i_prev_tick_seq > 2 * i_min_count, false)
       or coalesce(v_t.tick_time - i_prev_tick_time > 2 * i_min_interval, false) then
        select tick_id, tick_time, tick_event_seq into v_t
          from pgq.tick
         where tick_queue = i_queue_id
           and tick_id > i_prev_tick_id
           and (coalesce(tick_event_seq - i_prev_tick_seq >= i_min_count, false)
                or coalesce(tick_time - i_prev_tick_time >= i_min_interval, false))
         order by tick_queue, tick_id
         limit 1;
    end if;

    next_tick_id := v_t.tick_id;
    next_tick_time := v_t.tick_time;
    next_tick_seq := v_t.tick_event_seq;
    return;
end;
$$;
