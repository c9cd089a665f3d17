-- pgq_ext 4.0, built from extension/pgq_ext/ sources: do not edit.
begin;
set check_function_bodies = off;
set client_min_messages = warning;

-- extension/pgq_ext/schema/01_tables.sql
-- Tables of pgq_ext: what a consumer has applied to this database.  Keys
-- are the consumer's name and, for cooperative or split consumers, a
-- sub-consumer name ('' when there is none).

create schema pgq_ext;

-- last tick applied (tick tracking: queue_splitter, SerialConsumer)
create table pgq_ext.completed_tick (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    last_tick_id    bigint not null,
    primary key (consumer_id, subconsumer_id)
);

-- last batch applied (batch tracking: RemoteConsumer)
create table pgq_ext.completed_batch (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    last_batch_id   bigint not null,
    primary key (consumer_id, subconsumer_id)
);

-- events applied from the batch in progress (event tracking)
create table pgq_ext.completed_event (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    batch_id        bigint not null,
    event_id        bigint not null,
    primary key (consumer_id, subconsumer_id, batch_id, event_id)
);

-- which batch completed_event rows belong to
create table pgq_ext.partial_batch (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    cur_batch_id    bigint not null,
    primary key (consumer_id, subconsumer_id)
);

-- extension/pgq_ext/functions/pgq_ext.get_last_tick.sql
create or replace function pgq_ext.get_last_tick(a_consumer text, a_subconsumer text)
returns int8
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.get_last_tick(a_consumer, a_subconsumer): the last tick
    -- recorded as applied, or NULL.
    -- Tables: pgq_ext.completed_tick (read).
declare
    v_tick int8;
begin
    select last_tick_id into v_tick
      from pgq_ext.completed_tick
     where consumer_id = a_consumer and subconsumer_id = a_subconsumer;
    return v_tick;
end;
$$;

create or replace function pgq_ext.get_last_tick(a_consumer text)
returns int8
language sql
as $$
    -- pgq_ext.get_last_tick(a_consumer): without sub-consumer.
    select pgq_ext.get_last_tick(a_consumer, '');
$$;

-- extension/pgq_ext/functions/pgq_ext.is_batch_done.sql
create or replace function pgq_ext.is_batch_done(a_consumer text, a_subconsumer text, a_batch_id bigint)
returns boolean
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.is_batch_done(a_consumer, a_subconsumer, a_batch_id): was this
    -- batch the last one recorded as applied?
    -- Returns: true when the stored last batch is a_batch_id; false
    --   otherwise, also when nothing is stored.
    -- Tables: pgq_ext.completed_batch (read).
declare
    v_last bigint;
begin
    select last_batch_id into v_last
      from pgq_ext.completed_batch
     where consumer_id = a_consumer and subconsumer_id = a_subconsumer;
    return coalesce(v_last = a_batch_id, false);
end;
$$;

create or replace function pgq_ext.is_batch_done(a_consumer text, a_batch_id bigint)
returns boolean
language sql
as $$
    -- pgq_ext.is_batch_done(a_consumer, a_batch_id): without sub-consumer.
    select pgq_ext.is_batch_done(a_consumer, '', a_batch_id);
$$;

-- extension/pgq_ext/functions/pgq_ext.is_event_done.sql
create or replace function pgq_ext.is_event_done(a_consumer text, a_subconsumer text,
                                                 a_batch_id bigint, a_event_id bigint)
returns boolean
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.is_event_done(a_consumer, a_subconsumer, a_batch_id,
    --     a_event_id): was this event of this batch recorded as applied?
    -- Tables: pgq_ext.completed_event (read).
begin
    perform 1 from pgq_ext.completed_event
     where consumer_id = a_consumer and subconsumer_id = a_subconsumer
       and batch_id = a_batch_id and event_id = a_event_id;
    return found;
end;
$$;

create or replace function pgq_ext.is_event_done(a_consumer text, a_batch_id bigint, a_event_id bigint)
returns boolean
language sql
as $$
    -- pgq_ext.is_event_done(a_consumer, a_batch_id, a_event_id): without
    -- sub-consumer.
    select pgq_ext.is_event_done(a_consumer, '', a_batch_id, a_event_id);
$$;

-- extension/pgq_ext/functions/pgq_ext.set_batch_done.sql
create or replace function pgq_ext.set_batch_done(a_consumer text, a_subconsumer text, a_batch_id bigint)
returns boolean
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_batch_done(a_consumer, a_subconsumer, a_batch_id): record
    -- the batch as applied, in the transaction that applied it.
    -- Returns: false when it was recorded already (the caller skips the
    --   batch); true otherwise.  Batch id 0 or less is not stored.
    -- Tables: pgq_ext.completed_batch.
begin
    if pgq_ext.is_batch_done(a_consumer, a_subconsumer, a_batch_id) then
        return false;
    end if;
    if a_batch_id > 0 then
        insert into pgq_ext.completed_batch (consumer_id, subconsumer_id, last_batch_id)
        values (a_consumer, a_subconsumer, a_batch_id)
        on conflict (consumer_id, subconsumer_id)
        do update set last_batch_id = excluded.last_batch_id;
    end if;
    return true;
end;
$$;

create or replace function pgq_ext.set_batch_done(a_consumer text, a_batch_id bigint)
returns boolean
language sql
as $$
    -- pgq_ext.set_batch_done(a_consumer, a_batch_id): without sub-consumer.
    select pgq_ext.set_batch_done(a_consumer, '', a_batch_id);
$$;

-- extension/pgq_ext/functions/pgq_ext.set_event_done.sql
create or replace function pgq_ext.set_event_done(a_consumer text, a_subconsumer text,
                                                  a_batch_id bigint, a_event_id bigint)
returns boolean
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_event_done(a_consumer, a_subconsumer, a_batch_id,
    --     a_event_id): record one event as applied.  Only the batch in
    -- progress is kept: the first event of a new batch forgets the events
    -- of the previous one.  (Event tracking is only safe without the retry
    -- queue: a retried event comes back in another batch.)
    -- Returns: false when it was recorded already; true otherwise.
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
       for update;
    if not found then
        insert into pgq_ext.partial_batch (consumer_id, subconsumer_id, cur_batch_id)
        values (a_consumer, a_subconsumer, a_batch_id);
    elsif v_cur <> a_batch_id then
        delete from pgq_ext.completed_event
         where consumer_id = a_consumer and subconsumer_id = a_subconsumer
           and batch_id = v_cur;
        update pgq_ext.partial_batch set cur_batch_id = a_batch_id
         where consumer_id = a_consumer and subconsumer_id = a_subconsumer;
    end if;

    insert into pgq_ext.completed_event (consumer_id, subconsumer_id, batch_id, event_id)
    values (a_consumer, a_subconsumer, a_batch_id, a_event_id);
    return true;
end;
$$;

create or replace function pgq_ext.set_event_done(a_consumer text, a_batch_id bigint, a_event_id bigint)
returns boolean
language sql
as $$
    -- pgq_ext.set_event_done(a_consumer, a_batch_id, a_event_id): without
    -- sub-consumer.
    select pgq_ext.set_event_done(a_consumer, '', a_batch_id, a_event_id);
$$;

-- extension/pgq_ext/functions/pgq_ext.set_last_tick.sql
create or replace function pgq_ext.set_last_tick(a_consumer text, a_subconsumer text, a_tick_id bigint)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.set_last_tick(a_consumer, a_subconsumer, a_tick_id): record
    -- the batch ending at a_tick_id as applied, in the transaction that
    -- applied it; NULL forgets the position (after a reset or unregister).
    -- Returns: 1.
    -- Tables: pgq_ext.completed_tick.
begin
    if a_tick_id is null then
        delete from pgq_ext.completed_tick
         where consumer_id = a_consumer and subconsumer_id = a_subconsumer;
    else
        insert into pgq_ext.completed_tick (consumer_id, subconsumer_id, last_tick_id)
        values (a_consumer, a_subconsumer, a_tick_id)
        on conflict (consumer_id, subconsumer_id)
        do update set last_tick_id = excluded.last_tick_id;
    end if;
    return 1;
end;
$$;

create or replace function pgq_ext.set_last_tick(a_consumer text, a_tick_id bigint)
returns int4
language sql
as $$
    -- pgq_ext.set_last_tick(a_consumer, a_tick_id): without sub-consumer.
    select pgq_ext.set_last_tick(a_consumer, '', a_tick_id);
$$;

-- extension/pgq_ext/functions/pgq_ext.upgrade_schema.sql
create or replace function pgq_ext.upgrade_schema()
returns int4
language plpgsql
as $$
    -- pgq_ext.upgrade_schema(): bring tables made by pgq_ext before 3.1 up
    -- to date: add the subconsumer_id column (default '', not null) and make
    -- it part of the primary key.  Does nothing on current tables.
    -- Returns: the number of changes made.
    -- Tables: the four pgq_ext tables (DDL only).
declare
    v_tbl   text;
    v_pkey  text;
    v_cols  text;
    v_count int4 := 0;
begin
    for v_tbl, v_cols in
        select t, c from (values
            ('completed_tick', 'consumer_id, subconsumer_id'),
            ('completed_batch', 'consumer_id, subconsumer_id'),
            ('completed_event', 'consumer_id, subconsumer_id, batch_id, event_id'),
            ('partial_batch', 'consumer_id, subconsumer_id')) v(t, c)
    loop
        perform 1 from pg_catalog.pg_attribute
         where attrelid = ('pgq_ext.' || v_tbl)::regclass
           and attname = 'subconsumer_id' and not attisdropped;
        if found then
            continue;
        end if;
        execute format('alter table pgq_ext.%I add column subconsumer_id text', v_tbl);
        execute format('update pgq_ext.%I set subconsumer_id = %L', v_tbl, '');
        execute format('alter table pgq_ext.%I alter column subconsumer_id set default %L,'
                       ' alter column subconsumer_id set not null', v_tbl, '');
        select conname into v_pkey from pg_catalog.pg_constraint
         where conrelid = ('pgq_ext.' || v_tbl)::regclass and contype = 'p';
        if v_pkey is not null then
            execute format('alter table pgq_ext.%I drop constraint %I', v_tbl, v_pkey);
        end if;
        execute format('alter table pgq_ext.%I add primary key (%s)', v_tbl, v_cols);
        v_count := v_count + 1;
    end loop;
    return v_count;
end;
$$;

-- extension/pgq_ext/functions/pgq_ext.version.sql
create or replace function pgq_ext.version()
returns text
language sql immutable
as $$
    -- pgq_ext.version(): the version of this pgq_ext, as a constant filled
    -- in from pgq_ext.control by the build.
    select '4.0'::text;
$$;

select pgq_ext.upgrade_schema();

-- Privileges of pgq_ext: consumers (pgq_writer, as they write into this
-- database) may call everything; anyone may ask for the version.
grant usage on schema pgq_ext to public;

do $grants$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid::regprocedure from pg_catalog.pg_proc p
         where p.pronamespace = 'pgq_ext'::regnamespace
    loop
        execute format('revoke all on function %s from public', v_fn);
        execute format('grant execute on function %s to pgq_writer', v_fn);
    end loop;
end;
$grants$;

grant execute on function pgq_ext.version() to public;
commit;
