create or replace function pgq.purge_dead_letters(i_queue_name text, i_consumer_name text, i_dl_id bigint)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.purge_dead_letters(i_queue_name, i_consumer_name, i_dl_id) (not in
    -- PgQ, 4.1): delete dead letters for good.
    -- Parameters: i_consumer_name NULL, every consumer's; i_dl_id, one dead
    --   letter; NULL, all (of that consumer, or of the queue).
    -- Returns: how many were deleted.
    -- Errors: PQ001 'No such queue'.
    -- Tables: pgq.dead_letter, pgq.queue (read).
declare
    v_count int4;
begin
    perform pgq._dead_letter_queue(i_queue_name);
    delete from pgq.dead_letter d
     using pgq.queue q
     where q.queue_name = i_queue_name and d.dl_queue = q.queue_id
       and (i_consumer_name is null or d.dl_consumer = i_consumer_name)
       and (i_dl_id is null or d.dl_id = i_dl_id);
    get diagnostics v_count = row_count;
    return v_count;
end;
$$;
