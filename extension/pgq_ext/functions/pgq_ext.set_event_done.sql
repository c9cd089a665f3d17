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
    -- Errors: 42501 when another role's rows hold this consumer name (see
    --   pgq_ext._mine): they are neither read nor taken over.
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
       and pgq_ext._mine(owner_role)
       for update;
    if not found then
        insert into pgq_ext.partial_batch (consumer_id, subconsumer_id, cur_batch_id)
        values (a_consumer, a_subconsumer, a_batch_id)
        on conflict (consumer_id, subconsumer_id) do nothing;
    elsif v_cur <> a_batch_id then
        delete from pgq_ext.completed_event
         where consumer_id = a_consumer and subconsumer_id = a_subconsumer
           and batch_id = v_cur and pgq_ext._mine(owner_role);
        update pgq_ext.partial_batch set cur_batch_id = a_batch_id,
                                         owner_role = coalesce(owner_role, current_user)
         where consumer_id = a_consumer and subconsumer_id = a_subconsumer;
    end if;
    if found then
        insert into pgq_ext.completed_event (consumer_id, subconsumer_id, batch_id, event_id)
        values (a_consumer, a_subconsumer, a_batch_id, a_event_id)
        on conflict do nothing;
    end if;
    if not found then
        -- a row of this consumer name that is not ours: the partial batch,
        -- or the event itself (is_event_done above saw only ours)
        raise exception 'pgq_ext: consumer "%" (sub-consumer "%") is recorded by another role, not %',
            a_consumer, a_subconsumer, current_user
            using errcode = '42501';
    end if;
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
