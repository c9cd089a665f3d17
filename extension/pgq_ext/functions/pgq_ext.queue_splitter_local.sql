create or replace function pgq_ext.queue_splitter_local(i_queue text, i_consumer text, i_queue_field text,
                                                        i_skip_bad boolean)
returns bigint
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.queue_splitter_local(i_queue, i_consumer, i_queue_field,
    --     i_skip_bad): queue_splitter when source and target are the same
    -- database: takes the consumer's next batch of i_queue, moves its events
    -- (read from the batch's tables, grouped by target, one insert per
    -- target queue: pgq_ext._queue_splitter_move, the rules of
    -- pgq_ext.queue_splitter_apply) and finishes the batch, all in the
    -- caller's one transaction, so the whole move is SQL.
    -- Parameters: i_queue_field, the routing field: type, data or
    --   extra1 .. extra4 (with or without ev_).
    -- Returns: events moved; NULL when there was no batch.
    -- Errors: as pgq.next_batch and pgq_ext.queue_splitter_apply; 22023 for
    --   an unknown field.
    -- Tables: as those functions.
declare
    v_b     record;
    v_f     text := pg_catalog.regexp_replace(i_queue_field, '^ev_', '');
    v_moved bigint;
begin
    if v_f is null or v_f not in ('type', 'data', 'extra1', 'extra2', 'extra3', 'extra4') then
        raise exception 'queue_splitter: bad queue_field "%"', i_queue_field using errcode = '22023';
    end if;
    select * into v_b from pgq.next_batch_info(i_queue, i_consumer);
    if v_b.batch_id is null then
        return null;
    end if;
    v_moved := pgq_ext._queue_splitter_move(i_consumer, v_b.prev_tick_id, v_b.cur_tick_id, i_skip_bad, v_f,
                                            v_b.batch_id, null, null, null, null, null, null, null, null, null, null);
    perform pgq.finish_batch(v_b.batch_id);
    return greatest(v_moved, 0);
end;
$$;
