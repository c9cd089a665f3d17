create or replace function pgq._dead_letter_queue(i_queue_name text)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._dead_letter_queue(i_queue_name): the queue name, checked.
    -- Returns: i_queue_name.
    -- Errors: PQ001 'No such queue' when there is no such queue.
    -- Tables: pgq.queue (read).
begin
    perform 1 from pgq.queue where queue_name = i_queue_name;
    if not found then
        raise exception 'No such queue' using errcode = 'PQ001';
    end if;
    return i_queue_name;
end;
$$;
