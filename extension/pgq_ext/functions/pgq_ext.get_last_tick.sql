create or replace function pgq_ext.get_last_tick(a_consumer text, a_subconsumer text)
returns int8
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.get_last_tick(a_consumer, a_subconsumer): the last tick
    -- recorded as applied, or NULL.  Only the current role's own rows count
    -- (pgq_ext._mine): another role's row for this consumer name is ignored.
    -- Tables: pgq_ext.completed_tick (read).
declare
    v_tick int8;
begin
    select last_tick_id into v_tick
      from pgq_ext.completed_tick
     where consumer_id = a_consumer and subconsumer_id = a_subconsumer
       and pgq_ext._mine(owner_role);
    return v_tick;
end;
$$;

create or replace function pgq_ext.get_last_tick(a_consumer text)
returns int8
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.get_last_tick(a_consumer): without sub-consumer.
    select pgq_ext.get_last_tick(a_consumer, '');
$$;
