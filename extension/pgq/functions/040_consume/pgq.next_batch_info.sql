create or replace function pgq.next_batch_info(
    in i_queue_name text,
    in i_consumer_name text,
    out batch_id int8,
    out cur_tick_id int8,
    out prev_tick_id int8,
    out cur_tick_time timestamptz,
    out prev_tick_time timestamptz,
    out cur_tick_event_seq int8,
    out prev_tick_event_seq int8)
returns record
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.next_batch_info(i_queue_name, i_consumer_name): the next batch and
    -- its ticks; pgq.next_batch_custom without limits.
    select * from pgq.next_batch_custom(i_queue_name, i_consumer_name, null, null, null);
$$;
