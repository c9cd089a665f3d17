-- From PgQ 3.5 (SkyTools, C or PL/pgSQL): event storage by inheritance
-- becomes list partitioning, keeping every event.
--
-- PgQ 3.5: pgq.event_template is a plain table; pgq.event_<id> INHERITS it
-- and pgq.event_<id>_<n> INHERIT pgq.event_<id>.  Ours: pgq.event_template
-- is PARTITION BY LIST (ev_queue) with two more columns, ev_queue and
-- ev_table; pgq.event_<id> is its partition FOR VALUES IN (<id>), itself
-- PARTITION BY LIST (ev_table); pgq.event_<id>_<n> are its partitions, with
-- ev_queue and ev_table defaulting to <id> and <n> (see schema/01_tables.sql
-- and pgq.create_queue).  Everything else of 3.5's schema (tables,
-- constraints, sequences, roles, grants) is already ours.
--
-- What happens, in the update's one transaction:
--   1. the old template is renamed to pgq.event_template_35 and a new,
--      partitioned pgq.event_template made, with the old one's grants;
--   2. per queue: its old parent is renamed pgq.event_<id>_35 and a new
--      partitioned pgq.event_<id> made as create_queue makes it (ev_id and
--      ev_queue defaults, the old parent's grants); each data table
--      pgq.event_<id>_<n> leaves the old parent (NO INHERIT), gets
--      ev_queue/ev_table as NOT NULL columns with constant defaults (no
--      rewrite: existing rows read the default) and is attached to the new
--      parent, which is attached to the new template.  The data tables are
--      the very same relations: rows, ev_id default, index, storage options
--      and grants stay; only the owner's grant options (which 3.5's
--      _grant_perms_from copied from the template, and ours does not) are
--      removed, so that the result equals a queue made by this version;
--   3. the old parents and the old template are dropped (the old template
--      also leaves the extension and its pg_dump config list; ext_dump.sql
--      puts the new one there, in a fresh install's order).
-- GRANTs and REVOKEs on per-queue tables in an update script record them
-- as initial privileges, which would make pg_dump leave their grants out:
-- see the ADD/DROP after each.
--
-- Locks: ACCESS EXCLUSIVE on pgq.queue, then on every event table, queue by
-- queue, all held to the end of the update.  Nothing is rewritten
-- or scanned, so they last about as long whatever the number of events
-- queued (test/upgrade/pgq35-locks.ts measures it): ATTACH PARTITION skips
-- its scan for ev_table = <n> and ev_queue = <id> when a validated CHECK
-- constraint proves them; one is added together with the columns, marked
-- validated (true by construction, see below) and dropped after the attach.
--
-- Runs only where pgq.event_template is still a plain table, so it is a no-op
-- on a 4.x schema.  Extension membership is checked, not assumed (the new
-- per-queue parents are taken out of the extension when the update made
-- them members), so that a plain PgQ 3.5 (pgq_pl_only.sql) could be
-- converted by it too; only the extension update runs it so far (a plain
-- install of PgQ 3.5 is not handled yet).
-- Fails, changing nothing, when a queue's tables are
-- not what PgQ 3.5 makes (message names the table), or when user objects
-- (views) depend on the old parents or the old template.
do $from35$
declare
    v_ext   oid := (select e.oid from pg_catalog.pg_extension e where e.extname = 'pgq');
    v_q     record;
    v_acl   record;
    v_tbl   text;
    v_chk   text;
    i       int4;
begin
    if (select c.relkind from pg_catalog.pg_class c
         where c.oid = 'pgq.event_template'::regclass) <> 'r' then
        return;
    end if;

    -- pgq.queue first: producers, consumers and the ticker read it before
    -- they touch an event table, and the 4.x deltas after this ALTER it; a
    -- lock taken later would be a lock upgrade, and a deadlock with them
    lock table pgq.queue in access exclusive mode;

    -- 1. the template
    alter table pgq.event_template rename to event_template_35;
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
        ev_extra4   text,
        ev_queue    int4 not null,
        ev_table    int4 not null
    ) partition by list (ev_queue);
    for v_acl in
        select a.privilege_type, a.grantee, a.is_grantable
          from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
         where c.oid = 'pgq.event_template_35'::regclass and a.grantee <> c.relowner
    loop
        execute format('grant %s on table pgq.event_template to %s%s', v_acl.privilege_type,
                       case when v_acl.grantee = 0 then 'public' else v_acl.grantee::regrole::text end,
                       case when v_acl.is_grantable then ' with grant option' else '' end);
    end loop;

    -- 2. every queue, in id order
    for v_q in
        select q.queue_id, q.queue_name, q.queue_ntables, q.queue_cur_table,
               q.queue_data_pfx, q.queue_event_seq
          from pgq.queue q
         order by q.queue_id
    loop
        if v_q.queue_data_pfx is distinct from 'pgq.event_' || v_q.queue_id then
            raise exception 'pgq 3.5 update: queue % has data prefix %, expected pgq.event_%',
                v_q.queue_name, v_q.queue_data_pfx, v_q.queue_id;
        end if;
        v_tbl := 'event_' || v_q.queue_id;
        if not exists (select 1 from pg_catalog.pg_inherits h
                        where h.inhrelid = pg_catalog.to_regclass('pgq.' || v_tbl)
                          and h.inhparent = 'pgq.event_template_35'::regclass) then
            raise exception 'pgq 3.5 update: table pgq.% of queue % does not inherit pgq.event_template',
                v_tbl, v_q.queue_name;
        end if;

        -- the data tables first, all at once, in the order a batch reads
        -- them (previous table, then current): a consumer that has locked
        -- the one cannot wait for the other while this holds it
        execute format('lock table %s in access exclusive mode',
                       (select string_agg(format('pgq.%I', v_tbl || '_' || n), ', ' order by k)
                          from generate_series(0, v_q.queue_ntables - 1) k,
                               lateral (select (v_q.queue_cur_table - 1 + k + v_q.queue_ntables)
                                               % v_q.queue_ntables as n) x));
        execute format('alter table pgq.%I rename to %I', v_tbl, v_tbl || '_35');
        execute format('create table pgq.%I (like pgq.event_template including defaults)'
                       ' partition by list (ev_table)', v_tbl);
        execute format('alter table pgq.%I alter column ev_queue set default %s,'
                       ' alter column ev_id set default nextval(%L)',
                       v_tbl, v_q.queue_id, v_q.queue_event_seq);
        for v_acl in
            select a.privilege_type, a.grantee, a.is_grantable
              from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
             where c.oid = format('pgq.%I', v_tbl || '_35')::regclass and a.grantee <> c.relowner
        loop
            execute format('grant %s on table pgq.%I to %s%s', v_acl.privilege_type, v_tbl,
                           case when v_acl.grantee = 0 then 'public' else v_acl.grantee::regrole::text end,
                           case when v_acl.is_grantable then ' with grant option' else '' end);
        end loop;
        if exists (select 1 from pg_catalog.pg_depend d
                    where d.classid = 'pg_class'::regclass
                      and d.objid = format('pgq.%I', v_tbl)::regclass
                      and d.refclassid = 'pg_extension'::regclass and d.refobjid = v_ext
                      and d.deptype = 'e') then
            -- per-queue tables belong to the database, not to the extension
            execute format('alter extension pgq drop table pgq.%I', v_tbl);
        end if;

        for i in 0 .. v_q.queue_ntables - 1 loop
            if not exists (select 1 from pg_catalog.pg_inherits h
                            where h.inhrelid = pg_catalog.to_regclass(format('pgq.%I', v_tbl || '_' || i))
                              and h.inhparent = format('pgq.%I', v_tbl || '_35')::regclass) then
                raise exception 'pgq 3.5 update: table pgq.%_% of queue % does not inherit pgq.%',
                    v_tbl, i, v_q.queue_name, v_tbl;
            end if;
            v_chk := v_tbl || '_' || i || '_pgq_update';
            execute format('alter table pgq.%I no inherit pgq.%I,'
                           ' add column ev_queue int4 not null default %s,'
                           ' add column ev_table int4 not null default %s,'
                           ' add constraint %I check (ev_queue = %s and ev_table = %s) not valid',
                           v_tbl || '_' || i, v_tbl || '_35', v_q.queue_id, i,
                           v_chk, v_q.queue_id, i);
            -- Every row satisfies the CHECK by construction: both columns
            -- were just added with these constant defaults, and the table
            -- is locked.  So it is marked validated instead of scanned for
            -- (the scan would hold the lock for about 0.3 s per million
            -- events); where the catalog may not be written, it is scanned.
            begin
                update pg_catalog.pg_constraint set convalidated = true
                 where conrelid = format('pgq.%I', v_tbl || '_' || i)::regclass and conname = v_chk;
            exception when insufficient_privilege then
                execute format('alter table pgq.%I validate constraint %I', v_tbl || '_' || i, v_chk);
            end;
            execute format('alter table pgq.%I attach partition pgq.%I for values in (%s)',
                           v_tbl, v_tbl || '_' || i, i);
            -- 3.5's owner entry carries grant options; a queue made by ours not
            execute format('revoke grant option for all on table pgq.%I from %s',
                           v_tbl || '_' || i,
                           (select c.relowner::regrole::text from pg_catalog.pg_class c
                             where c.oid = format('pgq.%I', v_tbl || '_' || i)::regclass));
            -- a GRANT or REVOKE in an extension script records the table's
            -- ACL as its initial privileges, member or not, and pg_dump would
            -- then leave its grants out: ADD and DROP make the extension
            -- forget them
            if exists (select 1 from pg_catalog.pg_init_privs ip
                        where ip.classoid = 'pg_class'::regclass
                          and ip.objoid = format('pgq.%I', v_tbl || '_' || i)::regclass) then
                execute format('alter extension pgq add table pgq.%I', v_tbl || '_' || i);
                execute format('alter extension pgq drop table pgq.%I', v_tbl || '_' || i);
            end if;
        end loop;
        execute format('alter table pgq.event_template attach partition pgq.%I for values in (%s)',
                       v_tbl, v_q.queue_id);
        for i in 0 .. v_q.queue_ntables - 1 loop
            execute format('alter table pgq.%I drop constraint %I',
                           v_tbl || '_' || i, v_tbl || '_' || i || '_pgq_update');
        end loop;
        execute format('drop table pgq.%I', v_tbl || '_35');
    end loop;

    -- 3. the old template
    if exists (select 1 from pg_catalog.pg_depend d
                where d.classid = 'pg_class'::regclass
                  and d.objid = 'pgq.event_template_35'::regclass
                  and d.refclassid = 'pg_extension'::regclass and d.refobjid = v_ext
                  and d.deptype = 'e') then
        -- also takes it off pg_extension.extconfig
        alter extension pgq drop table pgq.event_template_35;
        -- and the two entries after it, so that ext_dump.sql lists all
        -- three again in a fresh install's order (membership stays)
        alter extension pgq drop table pgq.retry_queue;
        alter extension pgq add table pgq.retry_queue;
        alter extension pgq drop sequence pgq.batch_id_seq;
        alter extension pgq add sequence pgq.batch_id_seq;
    end if;
    drop table pgq.event_template_35;
end;
$from35$;
