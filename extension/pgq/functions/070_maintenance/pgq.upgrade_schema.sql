create or replace function pgq.upgrade_schema()
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.upgrade_schema(): idempotent fixer for schemas installed by older
    -- releases; also run at install.
    --   - makes pgq.subscription.sub_last_tick nullable;
    --   - creates the roles pgq_reader, pgq_writer and pgq_admin (member of
    --     both) when missing, if the caller may create roles (else a WARNING
    --     names them; grants.sql skips missing roles);
    --   - adds pgq.queue.queue_extra_maint when missing;
    --   - adds the columns queue_max_retries and queue_ticker_on_demand and
    --     the CHECK queue_storage_names (4.1) when missing, under 20 ms lock
    --     timeouts (producers read pgq.queue).
    -- Returns 0 (PgQ stopped reporting a count).
    -- Tables: pgq.subscription, pgq.queue (DDL only); roles.
declare
    v_timeout   text;
    v_missing   text[];
    v_alter     text[];
    v_done      bool := false;
    i           int4;
begin
    perform 1
       from pg_catalog.pg_attribute
      where attrelid = 'pgq.subscription'::regclass
        and attname = 'sub_last_tick'
        and attnotnull;
    if found then
        alter table pgq.subscription alter column sub_last_tick drop not null;
    end if;

    -- roles are the cluster's: an installer who may not create them (a
    -- database owner on a managed server) installs without the missing ones
    select pg_catalog.array_agg(r order by o) into v_missing
      from unnest(array['pgq_reader', 'pgq_writer', 'pgq_admin']) with ordinality m(r, o)
     where not exists (select 1 from pg_catalog.pg_roles where rolname = m.r);
    if v_missing is not null then
        if exists (select 1 from pg_catalog.pg_roles
                    where rolname = current_user and (rolsuper or rolcreaterole)) then
            if 'pgq_reader' = any (v_missing) then
                create role pgq_reader;
            end if;
            if 'pgq_writer' = any (v_missing) then
                create role pgq_writer;
            end if;
            if 'pgq_admin' = any (v_missing) then
                create role pgq_admin in role pgq_reader, pgq_writer;
            end if;
        else
            raise warning 'pgq: roles missing (%) and % may not create roles: only % (and superusers) can use pgq until they exist',
                pg_catalog.array_to_string(v_missing, ', '), current_user, current_user
                using hint = 'A role with CREATEROLE runs: create role pgq_reader; create role pgq_writer; '
                          || 'create role pgq_admin in role pgq_reader, pgq_writer; then run pgq.upgrade.sql again '
                          || '(README: Installing without superuser).';
        end if;
    end if;

    perform 1
       from pg_catalog.pg_attribute
      where attrelid = 'pgq.queue'::regclass
        and attname = 'queue_extra_maint'
        and not attisdropped;
    if not found then
        alter table pgq.queue add column queue_extra_maint text[];
    end if;

    -- 4.1: pgq.queue's new columns (in a fresh install's order) and the
    -- check that the storage names follow from the queue id.  Here rather
    -- than in a delta at the top of the update script: the ACCESS
    -- EXCLUSIVE lock on pgq.queue that altering it takes is then held only
    -- for the last moments of the update, not while every function is
    -- replaced (producers read pgq.queue).
    v_alter := '{}';
    if not exists (select 1 from pg_catalog.pg_attribute
                    where attrelid = 'pgq.queue'::regclass and attname = 'queue_max_retries' and not attisdropped) then
        v_alter := v_alter || 'add column queue_max_retries integer'::text;
    end if;
    if not exists (select 1 from pg_catalog.pg_attribute
                    where attrelid = 'pgq.queue'::regclass and attname = 'queue_ticker_on_demand' and not attisdropped) then
        v_alter := v_alter || 'add column queue_ticker_on_demand interval'::text;
    end if;
    perform 1 from pg_catalog.pg_constraint
     where conrelid = 'pgq.queue'::regclass and conname = 'queue_storage_names';
    if not found then
        perform 1 from pgq.queue
         where not (queue_data_pfx = 'pgq.event_' || queue_id
                    and queue_event_seq = 'pgq.event_' || queue_id || '_id_seq'
                    and queue_tick_seq = 'pgq.event_' || queue_id || '_tick_seq');
        if found then
            raise exception 'pgq: some queues have storage names other than pgq.event_<queue_id>[_id_seq|_tick_seq]; set them back before updating'
                using errcode = '55000';
        end if;
        v_alter := v_alter || $c$add constraint queue_storage_names check (
                    queue_data_pfx = 'pgq.event_' || queue_id
                    and queue_event_seq = 'pgq.event_' || queue_id || '_id_seq'
                    and queue_tick_seq = 'pgq.event_' || queue_id || '_tick_seq')$c$::text;
    end if;
    if v_alter <> '{}' then
        -- an ACCESS EXCLUSIVE lock: while it waits, every producer waits
        -- behind it, so each try waits at most 20 ms and the tries go on
        -- for 30 s before the update gives up (changing nothing)
        v_timeout := current_setting('lock_timeout');
        perform set_config('lock_timeout', '20ms', true);
        for i in 1 .. 300 loop
            begin
                execute 'alter table pgq.queue ' || array_to_string(v_alter, ', ');
                v_done := true;
                exit;
            exception
                when lock_not_available then
                    perform pg_sleep(0.08);
            end;
        end loop;
        perform set_config('lock_timeout', v_timeout, true);
        if not v_done then
            raise exception 'pgq: could not lock pgq.queue for 30 s (a transaction that used pgq is open); nothing was changed, run the update again'
                using errcode = '55P03';
        end if;
    end if;

    return 0;
end;
$$;
