create or replace function pgq_ext.set_last_tick(a_consumer text, a_subconsumer text, a_tick_id bigint)
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_last_tick(a_consumer, a_subconsumer, a_tick_id): record
    -- the batch ending at a_tick_id as applied, in the transaction that
    -- applied it; NULL forgets the position (after a reset or unregister).
    -- Returns: 1.
    -- Errors: 42501 when another role's row holds this consumer name (see
    --   pgq_ext._mine): it is neither read nor taken over.
    -- Tables: pgq_ext.completed_tick.
begin
    if a_tick_id is null then
        delete from pgq_ext.completed_tick
         where consumer_id = a_consumer and subconsumer_id = a_subconsumer
           and pgq_ext._mine(owner_role);
    else
        insert into pgq_ext.completed_tick (consumer_id, subconsumer_id, last_tick_id)
        values (a_consumer, a_subconsumer, a_tick_id)
        on conflict (consumer_id, subconsumer_id)
        do update set last_tick_id = excluded.last_tick_id,
                      owner_role = coalesce(completed_tick.owner_role, current_user)
         where pgq_ext._mine(completed_tick.owner_role);
        if not found then
            raise exception 'pgq_ext: consumer "%" (sub-consumer "%") is recorded by role %, not %',
                a_consumer, a_subconsumer,
                (select t.owner_role from pgq_ext.completed_tick t
                  where t.consumer_id = a_consumer and t.subconsumer_id = a_subconsumer), current_user
                using errcode = '42501';
        end if;
    end if;
    return 1;
end;
$$;

create or replace function pgq_ext.set_last_tick(a_consumer text, a_tick_id bigint)
returns int4
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_last_tick(a_consumer, a_tick_id): without sub-consumer.
    select pgq_ext.set_last_tick(a_consumer, '', a_tick_id);
$$;
