create or replace function pgq.get_queue_info(
    in i_queue_name text,
    out queue_name text,
    out queue_ntables integer,
    out queue_cur_table integer,
    out queue_rotation_period interval,
    out queue_switch_time timestamptz,
    out queue_external_ticker boolean,
    out queue_ticker_paused boolean,
    out queue_ticker_max_count integer,
    out queue_ticker_max_lag interval,
    out queue_ticker_idle_period interval,
    out ticker_lag interval,
    out ev_per_sec float8,
    out ev_new bigint,
    out last_tick_id bigint)
returns setof record
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_queue_info(i_queue_name): settings and state of one queue, or
    -- of all queues (ordered by name) when i_queue_name is NULL.
    -- Returns, besides the settings:
    --   ticker_lag    now() - time of the newest tick;
    --   ev_per_sec    events per second between the newest tick and the
    --                 oldest of the last 20 tick ids (NULL if no time passed);
    --   ev_new        events produced since the newest tick;
    --   last_tick_id  id of the newest tick.
    -- Tables: pgq.queue, pgq.tick (read).
declare
    v_q     record;
    v_last  record;
    v_old   record;
begin
    for v_q in
        select q.queue_id, q.queue_name, q.queue_ntables, q.queue_cur_table,
               q.queue_rotation_period, q.queue_switch_time, q.queue_external_ticker,
               q.queue_ticker_paused, q.queue_ticker_max_count, q.queue_ticker_max_lag,
               q.queue_ticker_idle_period, q.queue_event_seq
          from pgq.queue q
         where i_queue_name is null or q.queue_name = i_queue_name
         order by q.queue_name
    loop
        queue_name := v_q.queue_name;
        queue_ntables := v_q.queue_ntables;
        queue_cur_table := v_q.queue_cur_table;
        queue_rotation_period := v_q.queue_rotation_period;
        queue_switch_time := v_q.queue_switch_time;
        queue_external_ticker := v_q.queue_external_ticker;
        queue_ticker_paused := v_q.queue_ticker_paused;
        queue_ticker_max_count := v_q.queue_ticker_max_count;
        queue_ticker_max_lag := v_q.queue_ticker_max_lag;
        queue_ticker_idle_period := v_q.queue_ticker_idle_period;

        select t.tick_id, t.tick_time, t.tick_event_seq into v_last
          from pgq.tick t
         where t.tick_queue = v_q.queue_id
         order by t.tick_queue desc, t.tick_id desc
         limit 1;
        if found then
            select t.tick_time, t.tick_event_seq into v_old
              from pgq.tick t
             where t.tick_queue = v_q.queue_id
               and t.tick_id >= v_last.tick_id - 20
             order by t.tick_queue, t.tick_id
             limit 1;
            last_tick_id := v_last.tick_id;
            ticker_lag := now() - v_last.tick_time;
            ev_new := pgq.seq_getval(v_q.queue_event_seq) - v_last.tick_event_seq;
            if v_last.tick_time > v_old.tick_time then
                ev_per_sec := (v_last.tick_event_seq - v_old.tick_event_seq)::float8
                              / extract(epoch from v_last.tick_time - v_old.tick_time)::float8;
            else
                ev_per_sec := null;
            end if;
        else
            last_tick_id := null;
            ticker_lag := null;
            ev_new := null;
            ev_per_sec := null;
        end if;
        return next;
    end loop;
    return;
end;
$$;

create or replace function pgq.get_queue_info(
    out queue_name text,
    out queue_ntables integer,
    out queue_cur_table integer,
    out queue_rotation_period interval,
    out queue_switch_time timestamptz,
    out queue_external_ticker boolean,
    out queue_ticker_paused boolean,
    out queue_ticker_max_count integer,
    out queue_ticker_max_lag interval,
    out queue_ticker_idle_period interval,
    out ticker_lag interval,
    out ev_per_sec float8,
    out ev_new bigint,
    out last_tick_id bigint)
returns setof record
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_queue_info(): get_queue_info(NULL), every queue by name.
    select * from pgq.get_queue_info(null::text);
$$;
