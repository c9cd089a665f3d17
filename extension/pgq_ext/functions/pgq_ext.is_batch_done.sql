create or replace function pgq_ext.is_batch_done(a_consumer text, a_subconsumer text, a_batch_id bigint)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.is_batch_done(a_consumer, a_subconsumer, a_batch_id): was this
    -- batch the last one recorded as applied?
    -- Returns: true when the stored last batch is a_batch_id; false
    --   otherwise, also when nothing is stored.
    -- Only the current role's own rows count (pgq_ext._mine).
    -- Tables: pgq_ext.completed_batch (read).
declare
    v_last bigint;
begin
    select last_batch_id into v_last
      from pgq_ext.completed_batch
     where consumer_id = a_consumer and subconsumer_id = a_subconsumer
       and pgq_ext._mine(owner_role);
    return coalesce(v_last = a_batch_id, false);
end;
$$;

create or replace function pgq_ext.is_batch_done(a_consumer text, a_batch_id bigint)
returns boolean
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.is_batch_done(a_consumer, a_batch_id): without sub-consumer.
    select pgq_ext.is_batch_done(a_consumer, '', a_batch_id);
$$;
