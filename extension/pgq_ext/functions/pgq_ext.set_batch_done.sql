create or replace function pgq_ext.set_batch_done(a_consumer text, a_subconsumer text, a_batch_id bigint)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_batch_done(a_consumer, a_subconsumer, a_batch_id): record
    -- the batch as applied, in the transaction that applied it.
    -- Returns: false when it was recorded already (the caller skips the
    --   batch); true otherwise.  Batch id 0 or less is not stored.
    -- Tables: pgq_ext.completed_batch.
begin
    if pgq_ext.is_batch_done(a_consumer, a_subconsumer, a_batch_id) then
        return false;
    end if;
    if a_batch_id > 0 then
        insert into pgq_ext.completed_batch (consumer_id, subconsumer_id, last_batch_id)
        values (a_consumer, a_subconsumer, a_batch_id)
        on conflict (consumer_id, subconsumer_id)
        do update set last_batch_id = excluded.last_batch_id,
                      owner_role = coalesce(completed_batch.owner_role, current_user);
    end if;
    return true;
end;
$$;

create or replace function pgq_ext.set_batch_done(a_consumer text, a_batch_id bigint)
returns boolean
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_batch_done(a_consumer, a_batch_id): without sub-consumer.
    select pgq_ext.set_batch_done(a_consumer, '', a_batch_id);
$$;
