create or replace function pgq.restore_queue_storage()
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.restore_queue_storage(): make the event tables of every queue that
    -- has a pgq.queue row but no tables, as pgq.create_queue makes them
    -- (partitioned pgq.event_<id>, partitions pgq.event_<id>_0 ..
    -- _<ntables-1> with the ev_id default, txid index, grants and storage
    -- settings); its sequences are made too when missing.  No tick is made.
    --
    -- For a pg_dump of PgQ 3.5 restored into a server with this pgq: 3.5's
    -- per-queue tables INHERIT pgq.event_template, which ours cannot (it is
    -- partitioned), so the restore leaves their definitions out, calls this
    -- once the pgq.queue rows are in, then loads their rows (pg_dump's COPY
    -- names its columns; ev_queue and ev_table come from the defaults), and
    -- finishes with pgq.restore_rebase_txids().  See scripts/pgq-restore.sh
    -- and the README's "Upgrading" section.
    -- Returns: the number of queues whose tables were made.
    -- Tables: pgq.queue (read); creates pgq.event_<id>*, sequences.
declare
    v_q     record;
    v_tbl   text;
    v_n     int4 := 0;
    i       int4;
begin
    for v_q in
        select q.queue_id, q.queue_name, q.queue_ntables, q.queue_event_seq, q.queue_tick_seq
          from pgq.queue q
         where pg_catalog.to_regclass(format('pgq.%I', 'event_' || q.queue_id)) is null
         order by q.queue_id
    loop
        if pg_catalog.to_regclass(v_q.queue_tick_seq) is null then
            execute format('create sequence %s', pgq.quote_fqname(v_q.queue_tick_seq));
        end if;
        if pg_catalog.to_regclass(v_q.queue_event_seq) is null then
            execute format('create sequence %s', pgq.quote_fqname(v_q.queue_event_seq));
        end if;

        v_tbl := 'event_' || v_q.queue_id;
        execute format('create table pgq.%I (like pgq.event_template including defaults) partition by list (ev_table)',
                       v_tbl);
        execute format('alter table pgq.%I alter column ev_queue set default %s, alter column ev_id set default nextval(%L)',
                       v_tbl, v_q.queue_id, v_q.queue_event_seq);
        for i in 0 .. v_q.queue_ntables - 1 loop
            execute format('create table pgq.%I partition of pgq.%I for values in (%s)',
                           v_tbl || '_' || i, v_tbl, i);
            execute format('alter table pgq.%I alter column ev_id set default nextval(%L),'
                           ' alter column ev_queue set default %s, alter column ev_table set default %s',
                           v_tbl || '_' || i, v_q.queue_event_seq, v_q.queue_id, i);
            execute format('create index %I on pgq.%I (ev_txid)', v_tbl || '_' || i || '_txid_idx', v_tbl || '_' || i);
        end loop;
        execute format('alter table pgq.event_template attach partition pgq.%I for values in (%s)',
                       v_tbl, v_q.queue_id);

        perform pgq.grant_perms(v_q.queue_name);
        perform pgq.tune_storage(v_q.queue_name);
        v_n := v_n + 1;
    end loop;
    return v_n;
end;
$$;
