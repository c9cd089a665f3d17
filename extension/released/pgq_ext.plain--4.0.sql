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

-- extension/pgq_ext/functions/pgq_ext.queue_splitter_apply.sql
create or replace function pgq_ext.queue_splitter_apply(
    i_consumer text, i_prev_tick bigint, i_cur_tick bigint, i_skip_bad boolean,
    i_route text[], i_ev_id bigint[], i_ev_time timestamptz[], i_ev_type text[], i_ev_data text[],
    i_ev_extra1 text[], i_ev_extra2 text[], i_ev_extra3 text[], i_ev_extra4 text[])
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.queue_splitter_apply(i_consumer, i_prev_tick, i_cur_tick,
    --     i_skip_bad, i_route, i_ev_id, i_ev_time, i_ev_type, i_ev_data,
    --     i_ev_extra1 .. i_ev_extra4): queue_splitter's move of one source
    -- batch, on the target database, in the caller's transaction: each event
    -- goes into the queue its routing value (i_route) names, keeping type,
    -- data, extras and time (it gets a new id), and the batch's end tick is
    -- recorded for i_consumer in pgq_ext.completed_tick.
    -- Tick tracking as python's SerialConsumer: a batch whose end tick is
    -- recorded already is skipped; a recorded tick that is neither the
    -- batch's start nor its end means the two sides disagree.
    -- With i_skip_bad, events whose routing value is NULL or names no queue
    -- are left out with a WARNING each, instead of stopping the batch.
    -- Returns: events moved; -1 when the batch was applied already.
    -- Errors: PQ011 'Lost position: batch <prev>..<cur>, dst has <tick>';
    --   PQ001 'queue_splitter: event <id> routes to queue "<q>", which does
    --   not exist'; 22004 'queue_splitter: event <id> has no routing value'.
    -- Tables: pgq_ext.completed_tick, pgq.queue (read), target queues.
declare
    v_last  bigint;
    v_bad   record;
    v_q     record;
    v_moved bigint := 0;
begin
    v_last := pgq_ext.get_last_tick(i_consumer);
    if v_last = i_cur_tick then
        return -1;
    end if;
    if v_last is not null and v_last is distinct from i_prev_tick then
        raise exception 'Lost position: batch %..%, dst has %', i_prev_tick, i_cur_tick, v_last
            using errcode = 'PQ011';
    end if;

    for v_bad in
        select e.id, e.route
          from unnest(i_ev_id, i_route) with ordinality as e(id, route, n)
         where e.route is null or not exists (select 1 from pgq.queue q where q.queue_name = e.route)
         order by e.n
    loop
        if not i_skip_bad then
            if v_bad.route is null then
                raise exception 'queue_splitter: event % has no routing value', v_bad.id using errcode = '22004';
            end if;
            raise exception 'queue_splitter: event % routes to queue "%", which does not exist', v_bad.id, v_bad.route
                using errcode = 'PQ001';
        end if;
        raise warning 'queue_splitter: skipped event %: %', v_bad.id,
            case when v_bad.route is null then 'no routing value'
                 else format('queue "%s" does not exist', v_bad.route) end;
    end loop;

    for v_q in
        select e.route,
               array_agg(e.t order by e.n) as t, array_agg(e.d order by e.n) as d,
               array_agg(e.x1 order by e.n) as x1, array_agg(e.x2 order by e.n) as x2,
               array_agg(e.x3 order by e.n) as x3, array_agg(e.x4 order by e.n) as x4,
               array_agg(e.tm order by e.n) as tm
          from unnest(i_route, i_ev_type, i_ev_data, i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4, i_ev_time)
               with ordinality as e(route, t, d, x1, x2, x3, x4, tm, n)
         where exists (select 1 from pgq.queue q where q.queue_name = e.route)
         group by e.route
         order by min(e.n)
    loop
        v_moved := v_moved + pgq._insert_events(v_q.route, v_q.t, v_q.d, v_q.x1, v_q.x2, v_q.x3, v_q.x4, v_q.tm);
    end loop;

    perform pgq_ext.set_last_tick(i_consumer, i_cur_tick);
    return v_moved;
end;
$$;

-- extension/pgq_ext/functions/pgq_ext.queue_splitter_local.sql
create or replace function pgq_ext.queue_splitter_local(i_queue text, i_consumer text, i_queue_field text,
                                                        i_skip_bad boolean)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.queue_splitter_local(i_queue, i_consumer, i_queue_field,
    --     i_skip_bad): queue_splitter when source and target are the same
    -- database: takes the consumer's next batch of i_queue, moves its events
    -- with pgq_ext.queue_splitter_apply and finishes the batch, all in the
    -- caller's one transaction, so the whole move is SQL.
    -- Parameters: i_queue_field, the routing field: type, data or
    --   extra1 .. extra4 (with or without ev_).
    -- Returns: events moved; NULL when there was no batch.
    -- Errors: as pgq.next_batch and pgq_ext.queue_splitter_apply; 22023 for
    --   an unknown field.
    -- Tables: as those functions.
declare
    v_b     record;
    v_f     text := pg_catalog.regexp_replace(i_queue_field, '^ev_', '');
    v_moved bigint;
begin
    if v_f is null or v_f not in ('type', 'data', 'extra1', 'extra2', 'extra3', 'extra4') then
        raise exception 'queue_splitter: bad queue_field "%"', i_queue_field using errcode = '22023';
    end if;
    select * into v_b from pgq.next_batch_info(i_queue, i_consumer);
    if v_b.batch_id is null then
        return null;
    end if;
    select pgq_ext.queue_splitter_apply(i_consumer, v_b.prev_tick_id, v_b.cur_tick_id, i_skip_bad,
               coalesce(array_agg(case v_f when 'type' then e.ev_type when 'data' then e.ev_data
                                           when 'extra1' then e.ev_extra1 when 'extra2' then e.ev_extra2
                                           when 'extra3' then e.ev_extra3 else e.ev_extra4 end order by e.ev_id), '{}'),
               coalesce(array_agg(e.ev_id order by e.ev_id), '{}'), coalesce(array_agg(e.ev_time order by e.ev_id), '{}'),
               coalesce(array_agg(e.ev_type order by e.ev_id), '{}'), coalesce(array_agg(e.ev_data order by e.ev_id), '{}'),
               coalesce(array_agg(e.ev_extra1 order by e.ev_id), '{}'), coalesce(array_agg(e.ev_extra2 order by e.ev_id), '{}'),
               coalesce(array_agg(e.ev_extra3 order by e.ev_id), '{}'), coalesce(array_agg(e.ev_extra4 order by e.ev_id), '{}'))
      into v_moved
      from pgq.get_batch_events(v_b.batch_id) e;
    perform pgq.finish_batch(v_b.batch_id);
    return greatest(v_moved, 0);
end;
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
