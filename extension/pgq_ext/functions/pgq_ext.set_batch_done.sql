create or replace function pgq_ext.set_batch_done(a_consumer text, a_subconsumer text, a_batch_id bigint)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_batch_done(a_consumer, a_subconsumer, a_batch_id): record
    -- the batch as applied, in the transaction that applied it.
    -- Returns: false when it was recorded already (the caller skips the
    --   batch); true otherwise.  Batch id 0 or less is not stored.
    -- Errors: 42501 when another role's row holds this consumer name (see
    --   pgq_ext._mine): it is neither read nor taken over.
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
                      owner_role = coalesce(completed_batch.owner_role, current_user)
         where pgq_ext._mine(completed_batch.owner_role);
        if not found then
            raise exception 'pgq_ext: consumer "%" (sub-consumer "%") is recorded by role %, not %',
                a_consumer, a_subconsumer,
                (select b.owner_role from pgq_ext.completed_batch b
                  where b.consumer_id = a_consumer and b.subconsumer_id = a_subconsumer), current_user
                using errcode = '42501';
        end if;
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
