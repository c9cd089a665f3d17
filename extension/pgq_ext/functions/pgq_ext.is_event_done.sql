create or replace function pgq_ext.is_event_done(a_consumer text, a_subconsumer text,
                                                 a_batch_id bigint, a_event_id bigint)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.is_event_done(a_consumer, a_subconsumer, a_batch_id,
    --     a_event_id): was this event of this batch recorded as applied?
    -- Only the current role's own rows count (pgq_ext._mine).
    -- Tables: pgq_ext.completed_event (read).
begin
    perform 1 from pgq_ext.completed_event
     where consumer_id = a_consumer and subconsumer_id = a_subconsumer
       and batch_id = a_batch_id and event_id = a_event_id
       and pgq_ext._mine(owner_role);
    return found;
end;
$$;

create or replace function pgq_ext.is_event_done(a_consumer text, a_batch_id bigint, a_event_id bigint)
returns boolean
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.is_event_done(a_consumer, a_batch_id, a_event_id): without
    -- sub-consumer.
    select pgq_ext.is_event_done(a_consumer, '', a_batch_id, a_event_id);
$$;
