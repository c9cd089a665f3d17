-- Back to PgQ 3.5 (SkyTools, C): the reverse of upgrade/from-3.5.sql, for
--
--     alter extension pgq update to '3.5';
--
-- with PgQ 3.5's extension files and C modules installed beside ours.  It is
-- built as pgq--X.Y--3.4.2.sql: PostgreSQL then goes on with PgQ's own
-- pgq--3.4.2--3.5.sql, which (like our update scripts) creates every one of
-- its functions again, the C ones included, with its grants.  3.4.2 names
-- no state of its own here: it is the last PgQ version from which PgQ 3.5
-- updates, and this step leaves the schema as PgQ's update expects it.
-- Never stop at '3.4.2' on its own: our functions do not work on 3.5's
-- storage; ALTER EXTENSION ... UPDATE TO '3.5' runs both steps in one
-- transaction (and fails as a whole, changing nothing, when PgQ's files or
-- modules are missing).
--
-- It refuses unless the session has said so: SET pgq.back_out = on.
--
-- What it does, in the update's transaction:
--   1. locks pgq.queue, then every event table (as from-3.5.sql); drops
--      the storage of dropped queues that maintenance has not dropped yet;
--   2. drops the functions PgQ 3.5 does not have (ours only: insert_events,
--      the _bulk triggers, helpers); fails when user triggers use
--      logutriga_bulk & co. (drop those triggers first);
--   3. drops what 4.x deltas added to 3.5's tables (the queue_storage_names
--      check and the queue_max_retries and queue_ticker_on_demand columns of
--      pgq.queue) and the tables
--      4.x added (pgq.dead_letter: its dead letters are lost);
--   4. the event storage back to inheritance: a plain pgq.event_template
--      (config-dumped), per queue a plain pgq.event_<id> INHERITS it, and
--      each data table pgq.event_<id>_<n> DETACHed from the partitioned
--      parent, its ev_queue/ev_table columns dropped (no rewrite; they stay
--      as dropped columns) and made to INHERIT the new parent; rows, ev_id
--      default, index, storage options and grants stay, and the owner gets
--      back the grant options PgQ's create_queue gives it;
--   5. the partitioned parents and template are dropped.
-- What is left different from a fresh PgQ 3.5 is invisible to clients: the
-- data tables' columns count as their own as well as inherited
-- (attislocal), and the two dropped columns stay in them as dropped.
-- Every update of ours must be undone here, once a delta changes what 3.5
-- has (test/upgrade-pgq35.test.ts backs out and compares with PgQ 3.5).
do $to35$
declare
    v_ext   oid := (select e.oid from pg_catalog.pg_extension e where e.extname = 'pgq');
    v_fn    regprocedure;
    v_q     record;
    v_acl   record;
    v_tbl   text;
    v_owner text;
    i       int4;
begin
    if (select c.relkind from pg_catalog.pg_class c
         where c.oid = 'pgq.event_template'::regclass) <> 'p' then
        return;
    end if;

    -- Only on purpose: where PgQ's package put its pgq.control back
    -- (default_version 3.5), a plain ALTER EXTENSION pgq UPDATE would come
    -- this way.
    if coalesce(current_setting('pgq.back_out', true), '') <> 'on' then
        raise exception 'pgq: this would go back to PgQ 3.5'
            using errcode = '55000',
                  detail = 'ALTER EXTENSION pgq UPDATE without TO updates to pgq.control''s default_version; '
                           'PgQ''s package (postgresql-NN-pgq3) installs a pgq.control that says 3.5.',
                  hint = 'To stay: ALTER EXTENSION pgq UPDATE TO ''@EXTVERSION@''.  '
                         'To go back to PgQ 3.5: SET pgq.back_out = on; ALTER EXTENSION pgq UPDATE TO ''3.5''.';
    end if;

    -- 1. locks in the order producers and consumers take them
    lock table pgq.queue in access exclusive mode;
    for v_q in select q.queue_id, q.queue_ntables, q.queue_cur_table from pgq.queue q order by q.queue_id loop
        execute format('lock table %s in access exclusive mode',
                       (select string_agg(format('pgq.%I', 'event_' || v_q.queue_id || '_' || n), ', ' order by k)
                          from generate_series(0, v_q.queue_ntables - 1) k,
                               lateral (select (v_q.queue_cur_table - 1 + k + v_q.queue_ntables)
                                               % v_q.queue_ntables as n) x));
    end loop;

    -- storage of dropped queues that maintenance has not removed yet
    -- (pgq.maint_drop_storage): PgQ 3.5 drops it with the queue
    for v_tbl in
        select c.relname
          from pg_catalog.pg_inherits h
          join pg_catalog.pg_class c on c.oid = h.inhrelid
         where h.inhparent = 'pgq.event_template'::regclass
           and not exists (select 1 from pgq.queue q where 'event_' || q.queue_id = c.relname)
    loop
        execute format('drop table pgq.%I', v_tbl);
        execute format('drop sequence if exists pgq.%I, pgq.%I', v_tbl || '_tick_seq', v_tbl || '_id_seq');
    end loop;

    -- 2. functions PgQ 3.5 does not have
    for v_fn in
        select p.oid::regprocedure
          from pg_catalog.pg_proc p
         where p.pronamespace = 'pgq'::regnamespace
           and p.oid <> all (array(select pg_catalog.to_regprocedure(s) from unnest(array[
               'pgq._grant_perms_from(text,text,text,text)',
               'pgq.batch_event_sql(bigint)',
               'pgq.batch_event_tables(bigint)',
               'pgq.batch_retry(bigint,integer)',
               'pgq.create_queue(text)',
               'pgq.current_event_table(text)',
               'pgq.drop_queue(text)',
               'pgq.drop_queue(text,boolean)',
               'pgq.event_retry(bigint,bigint,integer)',
               'pgq.event_retry(bigint,bigint,timestamp with time zone)',
               'pgq.event_retry_raw(text,text,timestamp with time zone,bigint,timestamp with time zone,integer,text,text,text,text,text,text)',
               'pgq.find_tick_helper(integer,bigint,timestamp with time zone,bigint,bigint,interval)',
               'pgq.finish_batch(bigint)',
               'pgq.force_tick(text)',
               'pgq.get_batch_cursor(bigint,text,integer)',
               'pgq.get_batch_cursor(bigint,text,integer,text)',
               'pgq.get_batch_events(bigint)',
               'pgq.get_batch_info(bigint)',
               'pgq.get_consumer_info()',
               'pgq.get_consumer_info(text)',
               'pgq.get_consumer_info(text,text)',
               'pgq.get_queue_info()',
               'pgq.get_queue_info(text)',
               'pgq.grant_perms(text)',
               'pgq.insert_event(text,text,text)',
               'pgq.insert_event(text,text,text,text,text,text,text)',
               'pgq.insert_event_raw(text,bigint,timestamp with time zone,integer,integer,text,text,text,text,text,text)',
               'pgq.jsontriga()',
               'pgq.logutriga()',
               'pgq.maint_operations()',
               'pgq.maint_retry_events()',
               'pgq.maint_rotate_tables_step1(text)',
               'pgq.maint_rotate_tables_step2()',
               'pgq.maint_tables_to_vacuum()',
               'pgq.next_batch(text,text)',
               'pgq.next_batch_custom(text,text,interval,integer,interval)',
               'pgq.next_batch_info(text,text)',
               'pgq.quote_fqname(text)',
               'pgq.register_consumer(text,text)',
               'pgq.register_consumer_at(text,text,bigint)',
               'pgq.seq_getval(text)',
               'pgq.seq_setval(text,bigint)',
               'pgq.set_queue_config(text,text,text)',
               'pgq.sqltriga()',
               'pgq.ticker()',
               'pgq.ticker(text)',
               'pgq.ticker(text,bigint,timestamp with time zone,bigint)',
               'pgq.tune_storage(text)',
               'pgq.unregister_consumer(text,text)',
               'pgq.upgrade_schema()',
               'pgq.version()'
               ]) s))
    loop
        execute format('drop function %s', v_fn);
    end loop;

    -- 3. what 4.x deltas added to 3.5's tables
    alter table pgq.queue drop constraint if exists queue_storage_names;
    alter table pgq.queue drop column if exists queue_max_retries;
    alter table pgq.queue drop column if exists queue_ticker_on_demand;
    if pg_catalog.to_regclass('pgq.dead_letter') is not null then
        -- leave pg_dump's config list first, as the storage below does
        alter extension pgq drop sequence pgq.dead_letter_dl_id_seq;
        alter extension pgq drop table pgq.dead_letter;
        drop table pgq.dead_letter;
    end if;

    -- 4. the storage
    alter table pgq.event_template rename to event_template_4;
    create table pgq.event_template (
        ev_id       bigint not null,
        ev_time     timestamptz not null,
        ev_txid     bigint not null default txid_current(),
        ev_owner    int4,
        ev_retry    int4,
        ev_type     text,
        ev_data     text,
        ev_extra1   text,
        ev_extra2   text,
        ev_extra3   text,
        ev_extra4   text
    );
    for v_acl in
        select a.privilege_type, a.grantee, a.is_grantable
          from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
         where c.oid = 'pgq.event_template_4'::regclass and a.grantee <> c.relowner
    loop
        execute format('grant %s on table pgq.event_template to %s%s', v_acl.privilege_type,
                       case when v_acl.grantee = 0 then 'public' else v_acl.grantee::regrole::text end,
                       case when v_acl.is_grantable then ' with grant option' else '' end);
    end loop;

    for v_q in select q.queue_id, q.queue_ntables from pgq.queue q order by q.queue_id loop
        v_tbl := 'event_' || v_q.queue_id;
        v_owner := (select c.relowner::regrole::text from pg_catalog.pg_class c
                     where c.oid = format('pgq.%I', v_tbl)::regclass);
        execute format('alter table pgq.%I rename to %I', v_tbl, v_tbl || '_4');
        execute format('create table pgq.%I () inherits (pgq.event_template)', v_tbl);
        for v_acl in
            select a.privilege_type, a.grantee, a.is_grantable
              from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
             where c.oid = format('pgq.%I', v_tbl || '_4')::regclass and a.grantee <> c.relowner
        loop
            execute format('grant %s on table pgq.%I to %s%s', v_acl.privilege_type, v_tbl,
                           case when v_acl.grantee = 0 then 'public' else v_acl.grantee::regrole::text end,
                           case when v_acl.is_grantable then ' with grant option' else '' end);
        end loop;
        execute format('grant all on table pgq.%I to %s with grant option', v_tbl, v_owner);
        if exists (select 1 from pg_catalog.pg_depend d
                    where d.classid = 'pg_class'::regclass
                      and d.objid = format('pgq.%I', v_tbl)::regclass
                      and d.refclassid = 'pg_extension'::regclass and d.refobjid = v_ext
                      and d.deptype = 'e') then
            execute format('alter extension pgq drop table pgq.%I', v_tbl);
        end if;
        for i in 0 .. v_q.queue_ntables - 1 loop
            execute format('alter table pgq.%I detach partition pgq.%I', v_tbl || '_4', v_tbl || '_' || i);
            execute format('alter table pgq.%I drop column ev_queue, drop column ev_table, inherit pgq.%I',
                           v_tbl || '_' || i, v_tbl);
            execute format('grant all on table pgq.%I to %s with grant option', v_tbl || '_' || i, v_owner);
            -- the GRANT recorded initial privileges (see from-3.5.sql)
            if exists (select 1 from pg_catalog.pg_init_privs ip
                        where ip.classoid = 'pg_class'::regclass
                          and ip.objoid = format('pgq.%I', v_tbl || '_' || i)::regclass) then
                execute format('alter extension pgq add table pgq.%I', v_tbl || '_' || i);
                execute format('alter extension pgq drop table pgq.%I', v_tbl || '_' || i);
            end if;
        end loop;
        execute format('drop table pgq.%I', v_tbl || '_4');
    end loop;

    -- 5. the partitioned template
    alter extension pgq drop table pgq.event_template_4;
    drop table pgq.event_template_4;
    -- pg_dump's config list in PgQ's order: the entries after the template
    -- leave it (membership stays) and come back after the new one
    alter extension pgq drop table pgq.retry_queue;
    alter extension pgq add table pgq.retry_queue;
    alter extension pgq drop sequence pgq.batch_id_seq;
    alter extension pgq add sequence pgq.batch_id_seq;
    perform pg_catalog.pg_extension_config_dump('pgq.event_template', '');
    perform pg_catalog.pg_extension_config_dump('pgq.retry_queue', '');
    perform pg_catalog.pg_extension_config_dump('pgq.batch_id_seq', '');
end;
$to35$;
