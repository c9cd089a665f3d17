create or replace function pgq.upgrade_schema()
returns int4
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.upgrade_schema(): idempotent fixer for schemas installed by older
    -- releases; also run at install.
    --   - makes pgq.subscription.sub_last_tick nullable;
    --   - creates the roles pgq_reader, pgq_writer and pgq_admin (member of
    --     both) when missing;
    --   - adds pgq.queue.queue_extra_maint when missing.
    -- Returns 0 (PgQ stopped reporting a count).
    -- Tables: pgq.subscription, pgq.queue (DDL only); roles.
begin
    perform 1
       from pg_catalog.pg_attribute
      where attrelid = 'pgq.subscription'::regclass
        and attname = 'sub_last_tick'
        and attnotnull;
    if found then
        alter table pgq.subscription alter column sub_last_tick drop not null;
    end if;

    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_reader') then
        create role pgq_reader;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_writer') then
        create role pgq_writer;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
        create role pgq_admin in role pgq_reader, pgq_writer;
    end if;

    perform 1
       from pg_catalog.pg_attribute
      where attrelid = 'pgq.queue'::regclass
        and attname = 'queue_extra_maint'
        and not attisdropped;
    if not found then
        alter table pgq.queue add column queue_extra_maint text[];
    end if;

    return 0;
end;
$$;
