create or replace function pgq.grant_perms(x_queue_name text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.grant_perms(x_queue_name): give a queue's tables and sequences the
    -- privileges pgq.event_template has (tables), SELECT on both sequences to
    -- public and USAGE on the event sequence to pgq_admin (where that role
    -- exists: see pgq.upgrade_schema()).
    -- Returns: 1.
    -- Errors: PQ001 'Queue not found'.
    -- Tables: pgq.queue (read); GRANTs on pgq.event_<id>*.
declare
    v_q record;
    i   int4;
begin
    select queue_id, queue_ntables, queue_event_seq, queue_tick_seq into v_q
      from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Queue not found' using errcode = 'PQ001';
    end if;

    perform pgq._grant_perms_from('pgq', 'event_template', 'pgq', 'event_' || v_q.queue_id);
    for i in 0 .. v_q.queue_ntables - 1 loop
        perform pgq._grant_perms_from('pgq', 'event_template', 'pgq', 'event_' || v_q.queue_id || '_' || i);
    end loop;

    execute format('grant select on sequence %s to public', pgq.quote_fqname(v_q.queue_event_seq));
    execute format('grant select on sequence %s to public', pgq.quote_fqname(v_q.queue_tick_seq));
    if exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
        execute format('grant usage on sequence %s to pgq_admin', pgq.quote_fqname(v_q.queue_event_seq));
    end if;

    return 1;
end;
$$;
