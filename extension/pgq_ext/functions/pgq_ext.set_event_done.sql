create or replace function pgq_ext.set_event_done(a_consumer text, a_subconsumer text,
                                                  a_batch_id bigint, a_event_id bigint)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_event_done(a_consumer, a_subconsumer, a_batch_id,
    --     a_event_id): record one event as applied.  Only the batch in
    -- progress is kept: the first event of a new batch forgets the events
    -- of the previous one.  (Event tracking is only safe without the retry
    -- queue: a retried event comes back in another batch.)
    -- Returns: false when it was recorded already; true otherwise.
    -- Tables: pgq_ext.partial_batch, pgq_ext.completed_event.
declare
    v_cur bigint;
begin
    if pgq_ext.is_event_done(a_consumer, a_subconsumer, a_batch_id, a_event_id) then
        return false;
    end if;

    select cur_batch_id into v_cur
      from pgq_ext.partial_batch
     where consumer_id = a_consumer and subconsumer_id = a_subconsumer
       for update;
    if not found then
        insert into pgq_ext.partial_batch (consumer_id, subconsumer_id, cur_batch_id)
        values (a_consumer, a_subconsumer, a_batch_id);
    elsif v_cur <> a_batch_id then
        delete from pgq_ext.completed_event
         where consumer_id = a_consumer and subconsumer_id = a_subconsumer
           and batch_id = v_cur;
        update pgq_ext.partial_batch set cur_batch_id = a_batch_id,
                                         owner_role = coalesce(owner_role, current_user)
         where consumer_id = a_consumer and subconsumer_id = a_subconsumer;
    end if;

    insert into pgq_ext.completed_event (consumer_id, subconsumer_id, batch_id, event_id)
    values (a_consumer, a_subconsumer, a_batch_id, a_event_id);
    return true;
end;
$$;

create or replace function pgq_ext.set_event_done(a_consumer text, a_batch_id bigint, a_event_id bigint)
returns boolean
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_event_done(a_consumer, a_batch_id, a_event_id): without
    -- sub-consumer.
    select pgq_ext.set_event_done(a_consumer, '', a_batch_id, a_event_id);
$$;
