create or replace function pgq.maint_tables_to_vacuum()
returns setof text
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_tables_to_vacuum(): tables of pgq and its companions that
    -- take many updates and deletes, for a maintenance daemon to VACUUM
    -- (PL/pgSQL cannot).  Empty while autovacuum is on: it does the job.
    -- Returns: 'schema.table' names of those that exist.
    -- Tables: catalog only.
declare
    v_name text;
begin
    if current_setting('autovacuum') = 'on' then
        return;
    end if;
    for v_name in
        select t.name
          from unnest(array[
                'pgq.subscription', 'pgq.consumer', 'pgq.queue', 'pgq.tick', 'pgq.retry_queue',
                'pgq_ext.completed_tick', 'pgq_ext.completed_batch', 'pgq_ext.completed_event',
                'pgq_ext.partial_batch', 'pgq_node.local_state', 'londiste.seq_info',
                'txid.epoch', 'londiste.completed']) with ordinality as t(name, ord)
         where to_regclass(t.name) is not null
         order by t.ord
    loop
        return next v_name;
    end loop;
    return;
end;
$$;
