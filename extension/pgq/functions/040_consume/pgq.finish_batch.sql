create or replace function pgq.finish_batch(x_batch_id bigint)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.finish_batch(x_batch_id): close a batch: the consumer's position
    -- moves to the batch's end tick.
    -- Returns: 1; 0 with a WARNING 'finish_batch: batch <id> not found'.
    -- Tables: pgq.subscription.
begin
    update pgq.subscription
       set sub_last_tick = sub_next_tick,
           sub_next_tick = null,
           sub_batch = null,
           sub_active = now()
     where sub_batch = x_batch_id;
    if not found then
        raise warning 'finish_batch: batch % not found', x_batch_id;
        return 0;
    end if;
    return 1;
end;
$$;
