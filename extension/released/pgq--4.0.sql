-- pgq 4.0, built from extension/pgq/ sources: do not edit.
\echo Use "CREATE EXTENSION pgq" to load this file. \quit
set check_function_bodies = off;
set client_min_messages = warning;

-- extension/pgq/schema/01_tables.sql
-- Schema, tables and sequences of pgq.
-- Names, columns and constraints follow PgQ 3.5 so that existing clients work unchanged.

create schema pgq;

-- consumer name <-> id
create table pgq.consumer (
    co_id       serial,
    co_name     text not null,
    constraint consumer_pkey primary key (co_id),
    constraint consumer_name_uq unique (co_name)
);

-- one row per queue: configuration and rotation state
create table pgq.queue (
    queue_id                    serial,
    queue_name                  text not null,
    queue_ntables               integer not null default 3,
    queue_cur_table             integer not null default 0,
    queue_rotation_period       interval not null default '2 hours',
    queue_switch_step1          bigint not null default txid_current(),
    queue_switch_step2          bigint default txid_current(),
    queue_switch_time           timestamptz not null default now(),
    queue_external_ticker       boolean not null default false,
    queue_disable_insert        boolean not null default false,
    queue_ticker_paused         boolean not null default false,
    queue_ticker_max_count      integer not null default 500,
    queue_ticker_max_lag        interval not null default '3 seconds',
    queue_ticker_idle_period    interval not null default '1 minute',
    queue_per_tx_limit          integer,
    queue_data_pfx              text not null,
    queue_event_seq             text not null,
    queue_tick_seq              text not null,
    queue_extra_maint           text[],
    constraint queue_pkey primary key (queue_id),
    constraint queue_name_uq unique (queue_name)
);

-- snapshots that delimit batches
create table pgq.tick (
    tick_queue      int4 not null,
    tick_id         bigint not null,
    tick_time       timestamptz not null default now(),
    tick_snapshot   txid_snapshot not null default txid_current_snapshot(),
    tick_event_seq  bigint not null,
    constraint tick_pkey primary key (tick_queue, tick_id),
    constraint tick_queue_fkey foreign key (tick_queue) references pgq.queue (queue_id)
);

-- batch ids, global across queues
create sequence pgq.batch_id_seq;

-- consumer registrations and their open batch
create table pgq.subscription (
    sub_id          serial not null,
    sub_queue       int4 not null,
    sub_consumer    int4 not null,
    sub_last_tick   bigint,
    sub_active      timestamptz not null default now(),
    sub_batch       bigint,
    sub_next_tick   bigint,
    constraint subscription_pkey primary key (sub_queue, sub_consumer),
    constraint subscription_batch_idx unique (sub_batch),
    constraint sub_queue_fkey foreign key (sub_queue) references pgq.queue (queue_id),
    constraint sub_consumer_fkey foreign key (sub_consumer) references pgq.consumer (co_id)
);

-- Parent of every event table.
--
-- Unlike PgQ, where each queue's tables inherit from this one, here it is a
-- partitioned table: pgq.event_<id> is its partition for queue <id>, itself
-- partitioned into pgq.event_<id>_<n> by table number.  That lets
-- insert_event use one static, plan-cached INSERT for every queue while the
-- per-queue tables keep their PgQ names (clients COPY into them, rotation
-- TRUNCATEs them).  ev_queue and ev_table are the routing columns; on each
-- pgq.event_<id>_<n> they default to <id> and <n>, so a COPY that names only
-- the PgQ columns still lands where it was sent.
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

-- events waiting to be put back into their queue
create table pgq.retry_queue (
    ev_retry_after  timestamptz not null,
    ev_queue        int4 not null,
    ev_id           bigint not null,
    ev_time         timestamptz not null,
    ev_txid         bigint,
    ev_owner        int4 not null,
    ev_retry        int4,
    ev_type         text,
    ev_data         text,
    ev_extra1       text,
    ev_extra2       text,
    ev_extra3       text,
    ev_extra4       text,
    constraint rq_pkey primary key (ev_owner, ev_id),
    constraint rq_queue_id_fkey foreign key (ev_queue) references pgq.queue (queue_id)
);
create index rq_retry_idx on pgq.retry_queue (ev_retry_after);

-- extension/pgq/functions/pgq._bulk_changed.sql
create or replace function pgq._bulk_changed(i_names text[], i_ignore text[], i_kind text, i_which text)
returns text
language plpgsql immutable
as $$
    -- pgq._bulk_changed(i_names, i_ignore, i_kind, i_which): an SQL
    -- condition on the old (o) and new (n) row of an update: whether a
    -- column that counts as a change ('changed') or as an ignored change
    -- ('ignored') differs, comparing text forms as the row triggers do.
    -- Magic _pgq_ev_* columns count as changes, except for sqltriga.
declare
    v_parts text[] := '{}';
    v_ign   bool;
    i       int4;
begin
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        v_ign := i_names[i] = any (i_ignore) or (i_kind = 'sqltriga' and i_names[i] like '\_pgq\_ev\_%');
        continue when (i_which = 'changed') = v_ign;
        v_parts := v_parts || (pgq._bulk_text('n', i_names[i]) || ' is distinct from ' || pgq._bulk_text('o', i_names[i]));
    end loop;
    return case when v_parts = '{}' then 'false' else '(' || pg_catalog.array_to_string(v_parts, ' or ') || ')' end;
end;
$$;

-- extension/pgq/functions/pgq._bulk_encode.sql
create or replace function pgq._bulk_encode(i_how text, i_alias text, i_names text[], i_types oid[], i_skip text[])
returns text
language plpgsql immutable
as $$
    -- pgq._bulk_encode(i_how, i_alias, i_names, i_types, i_skip): an SQL
    -- expression that encodes the row i_alias as logutriga ('url') or
    -- jsontriga ('json') do, for the statement-level triggers.  Values are
    -- the types' text output (pgq._bulk_text), as in the row triggers.
declare
    v_parts text[] := '{}';
    v_val   text;
    i       int4;
begin
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        continue when i_names[i] = any (i_skip);
        v_val := pgq._bulk_text(i_alias, i_names[i]);
        if i_how = 'url' then
            v_parts := v_parts || format('%L || case when %s.%I is null then '''' else ''='' || pgq._urlencode(%s) end',
                                         pgq._urlencode(i_names[i]), i_alias, i_names[i], v_val);
        else
            v_parts := v_parts || format('%L || case when %s.%I is null then ''null'' else %s end',
                                         pg_catalog.to_json(i_names[i])::text || ':', i_alias, i_names[i],
                                         case when i_types[i] = 16 then format('case when %s.%I then ''true'' else ''false'' end', i_alias, i_names[i])
                                              when i_types[i] in (20, 21, 23) then v_val
                                              when i_types[i] in (1184, 1114, 1082) then format('pg_catalog.to_json(%s.%I)::text', i_alias, i_names[i])
                                              else format('pg_catalog.to_json(%s)::text', v_val) end);
        end if;
    end loop;
    if i_how = 'url' then
        return case when v_parts = '{}' then '''''' else pg_catalog.array_to_string(v_parts, ' || ''&'' || ') end;
    end if;
    return '''{'' || ' || case when v_parts = '{}' then '''''' else pg_catalog.array_to_string(v_parts, ' || '','' || ') end || ' || ''}''';
end;
$$;

-- extension/pgq/functions/pgq._bulk_sql_fragment.sql
create or replace function pgq._bulk_sql_fragment(i_op text, i_names text[], i_keys text[], i_skip text[])
returns text
language plpgsql immutable
as $$
    -- pgq._bulk_sql_fragment(i_op, i_names, i_keys, i_skip): an SQL
    -- expression building sqltriga's ev_data for the rows n (new) and o
    -- (old) of the statement-level trigger; see pgq._sql_fragment.
declare
    v_where text[] := '{}';
    v_cols  text[] := '{}';
    v_vals  text[] := '{}';
    v_set   text[] := '{}';
    v_first text;
    i       int4;
begin
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        if i_names[i] = any (i_keys) then
            v_where := v_where || format('%L || coalesce(pg_catalog.quote_literal(%s), pgq._null_key())',
                                         pg_catalog.quote_ident(i_names[i]) || '=', pgq._bulk_text('o', i_names[i]));
            v_first := coalesce(v_first, format('%L || pg_catalog.quote_literal(%s)',
                                                pg_catalog.quote_ident(i_names[i]) || '=', pgq._bulk_text('o', i_names[i])));
        end if;
        continue when i_names[i] = any (i_skip);
        v_cols := v_cols || pg_catalog.quote_ident(i_names[i]);
        v_vals := v_vals || format('coalesce(pg_catalog.quote_literal(%s), ''null'')', pgq._bulk_text('n', i_names[i]));
        v_set := v_set || format('case when %1$s is distinct from %2$s then %3$L || coalesce(pg_catalog.quote_literal(%1$s), ''NULL'') end',
                                 pgq._bulk_text('n', i_names[i]), pgq._bulk_text('o', i_names[i]),
                                 pg_catalog.quote_ident(i_names[i]) || '=');
    end loop;
    if i_op = 'INSERT' then
        return format('%L || %s || '')''', '(' || pg_catalog.array_to_string(v_cols, ',') || ') values (',
                      pg_catalog.array_to_string(v_vals, ' || '','' || '));
    elsif i_op = 'DELETE' then
        return pg_catalog.array_to_string(v_where, ' || '' and '' || ');
    end if;
    return format('coalesce(nullif(pg_catalog.concat_ws('','', %s), ''''), %s) || '' where '' || %s',
                  pg_catalog.array_to_string(v_set, ', '), v_first, pg_catalog.array_to_string(v_where, ' || '' and '' || '));
end;
$$;

create or replace function pgq._null_key()
returns text
language sql
as $$
    -- pgq._null_key(): raises sqltriga's error for a NULL key value.
    select pgq._bulk_error('logtriga: Unexpected NULL key value', '23502')::text;
$$;

create or replace function pgq._bulk_error(i_message text, i_code text)
returns bool
language plpgsql
as $$
    -- pgq._bulk_error(i_message, i_code): raises an error from inside a
    -- statement-level trigger's generated query.
begin
    raise exception '%', i_message using errcode = i_code;
end;
$$;

-- extension/pgq/functions/pgq._bulk_text.sql
create or replace function pgq._bulk_text(i_alias text, i_column text)
returns text
language sql immutable strict
as $$
    -- pgq._bulk_text(i_alias, i_column): an SQL expression for a column's
    -- value as its type's text output, NULL staying NULL (format('%s') alone
    -- would give '').
    select format('case when %1$s.%2$I is null then null else pg_catalog.format(''%%s'', %1$s.%2$I) end',
                  i_alias, i_column);
$$;

-- extension/pgq/functions/pgq._bulk_trigger_sql.sql
create or replace function pgq._bulk_trigger_sql(i_kind text, i_op text, i_when text, i_level text,
                                                 i_relid oid, i_argv text[])
returns text[]
language plpgsql
as $$
    -- pgq._bulk_trigger_sql(i_kind, i_op, i_when, i_level, i_relid, i_argv):
    -- the statements pgq.logutriga_bulk, sqltriga_bulk and jsontriga_bulk
    -- run: statement-level triggers that read the statement's transition
    -- tables (REFERENCING NEW TABLE AS pgq_new / OLD TABLE AS pgq_old) and
    -- queue the same events as the row triggers, in row order, in one
    -- set-based pass.  The trigger function itself must run them: only its
    -- own queries see the transition tables.
    -- Arguments as for the row triggers, except SKIP (row triggers only).
    -- Returns: the statements, in order; empty when there is nothing to do.
    -- Errors: as the row triggers (raised by the statements when there are
    --   rows); 22023 when the trigger is not AFTER ... FOR EACH STATEMENT.
    -- Tables: catalog (read).
declare
    v_queue     text;
    v_skip      bool;
    v_backup    bool := false;
    v_deny      bool := false;
    v_ignore    text[] := '{}';
    v_pkey      text[];
    v_when      text;
    v_expr      text[] := array[null, null, null, null, null, null]::text[];
    v_fields    text[] := array['ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4'];
    v_schema    text;
    v_table     text;
    v_names     text[];
    v_types     oid[];
    v_keys      text[];
    v_omit      text[];
    v_ev        text[] := array[null, null, null, null, null, null]::text[];
    v_src       text;
    v_row       text;   -- alias of the row the event describes (n or o)
    v_cond      text := 'true';
    v_sql       text;
    v_tt        text;   -- the transition table the event rows come from
    v_out       text[] := '{}';
    k           int4;
    i           int4;
begin
    select a.queue, a.skip, a.backup, a.deny, a.ignore, a.pkey, a.when_expr, a.exprs
      into v_queue, v_skip, v_backup, v_deny, v_ignore, v_pkey, v_when, v_expr
      from pgq._trigger_args(i_argv) a;
    if v_skip then
        raise exception 'SKIP does not work in AFTER trigger.' using errcode = '22023';
    end if;
    if i_level <> 'STATEMENT' or i_when <> 'AFTER' or i_op = 'TRUNCATE' then
        raise exception 'pgq bulk trigger must be AFTER INSERT, UPDATE or DELETE ... FOR EACH STATEMENT'
            using errcode = '22023';
    end if;
    if pg_catalog.current_setting('session_replication_role') = 'local' then
        return v_out;
    end if;

    select t.schema_name, t.table_name, t.names, t.types, t.keys
      into v_schema, v_table, v_names, v_types, v_keys
      from pgq._trigger_table(i_relid) t;
    v_keys := coalesce(v_pkey, v_keys);

    -- the rows, numbered in the order the statement produced them
    v_tt := case when i_op = 'DELETE' then 'pgq_old' else 'pgq_new' end;
    if i_op = 'INSERT' then
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_new t) n';
        v_row := 'n';
    elsif i_op = 'DELETE' then
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_old t) o';
        v_row := 'o';
    else
        v_src := '(select pg_catalog.row_number() over () as pgq_rn, t.* from pgq_new t) n'
                 || ' join pgq_old o on ' || coalesce((select pg_catalog.string_agg(
                        format('o.%1$I is not distinct from n.%1$I', kc), ' and ') from pg_catalog.unnest(v_keys) kc), 'false');
        v_row := 'n';
    end if;
    -- errors the row triggers raise at the first row
    if v_deny then
        v_out := v_out || format('select pgq._bulk_error(%L, %L) from %s limit 1',
                                 format('Table ''%s.%s'' to queue ''%s'': change not allowed (%s)',
                                        v_schema, v_table, v_queue, i_op), 'P0001', v_tt);
        return v_out;
    end if;
    if i_op in ('UPDATE', 'DELETE') and v_keys = '{}' then
        v_out := v_out || format('select pgq._bulk_error(%L, %L) from %s limit 1',
                                 'Update/Delete on table without pkey', '22023', v_tt);
        return v_out;
    end if;
    if i_op = 'UPDATE' then
        v_out := v_out || format('select pgq._bulk_error(%L, %L) where (select count(*) from pgq_new) <> (select count(*) from %s)',
                                 'primary key update not allowed', '22023', v_src);
    end if;

    select coalesce(pg_catalog.array_agg(x), '{}') into v_omit
      from (select pg_catalog.unnest(v_ignore) x
            union all select n from pg_catalog.unnest(v_names) n where n like '\_pgq\_ev\_%') s;

    -- which updates make an event: as the row triggers, comparing text forms
    if i_op = 'UPDATE' then
        v_cond := pgq._bulk_changed(v_names, v_ignore, i_kind, 'changed')
                  || ' or not (' || pgq._bulk_changed(v_names, v_ignore, i_kind, 'ignored') || ')';
    end if;
    if v_when is not null then
        v_cond := '(' || v_cond || ') and (select (' || v_when || ')::bool from (select ' || v_row || '.*) _pgq_row)';
    end if;

    v_ev[3] := pg_catalog.quote_literal(v_schema || '.' || v_table);
    if i_kind = 'logutriga' then
        v_ev[1] := pg_catalog.quote_literal(pg_catalog.substr(i_op, 1, 1) || ':' || pg_catalog.array_to_string(v_keys, ','));
        v_ev[2] := pgq._bulk_encode('url', v_row, v_names, v_types, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('url', 'o', v_names, v_types, v_omit);
        end if;
    elsif i_kind = 'sqltriga' then
        v_ev[1] := pg_catalog.quote_literal(pg_catalog.substr(i_op, 1, 1));
        v_ev[2] := pgq._bulk_sql_fragment(i_op, v_names, v_keys, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('url', 'o', v_names, v_types, v_omit);
        end if;
    else
        v_ev[1] := pg_catalog.quote_literal(pgq._json_ev_type(i_op, v_schema, v_table, v_keys));
        v_ev[2] := pgq._bulk_encode('json', v_row, v_names, v_types, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._bulk_encode('json', 'o', v_names, v_types, v_omit);
        end if;
    end if;
    for k in 1 .. 6 loop
        i := pg_catalog.array_position(v_names, '_pgq_' || v_fields[k]);
        if i is not null then
            v_ev[k] := pgq._bulk_text(v_row, v_names[i]);
        end if;
        if v_expr[k] is not null then
            v_ev[k] := '(select (' || v_expr[k] || ')::text from (select ' || v_row || '.*) _pgq_row)';
        end if;
    end loop;

    v_sql := format('select pgq._insert_events(%L, pg_catalog.array_agg(e1 order by rn), pg_catalog.array_agg(e2 order by rn),'
                    ' pg_catalog.array_agg(e3 order by rn), pg_catalog.array_agg(e4 order by rn),'
                    ' pg_catalog.array_agg(e5 order by rn), pg_catalog.array_agg(e6 order by rn))'
                    ' from (select n.pgq_rn as rn, %s as e1, %s as e2, %s as e3, %s as e4, %s as e5, %s as e6'
                    ' from %s where %s) ev',
                    v_queue, coalesce(v_ev[1], 'null'), coalesce(v_ev[2], 'null'), coalesce(v_ev[3], 'null'),
                    coalesce(v_ev[4], 'null'), coalesce(v_ev[5], 'null'), coalesce(v_ev[6], 'null'),
                    v_src, v_cond);
    if i_op = 'DELETE' then
        v_sql := pg_catalog.replace(v_sql, 'select n.pgq_rn as rn', 'select o.pgq_rn as rn');
    end if;
    return v_out || v_sql;
end;
$$;

-- extension/pgq/functions/pgq._grant_perms_from.sql
create or replace function pgq._grant_perms_from(src_schema text, src_table text, dst_schema text, dst_table text)
returns int4
language plpgsql strict
as $$
    -- pgq._grant_perms_from(src_schema, src_table, dst_schema, dst_table):
    -- repeat on the destination table every privilege granted on the source
    -- table (as information_schema.table_privileges lists them), with grant
    -- option where the source has it.
    -- Returns: 1.
    -- Tables: information_schema.table_privileges (read); GRANTs.
declare
    v_priv record;
begin
    for v_priv in
        select grantee, privilege_type, is_grantable
          from information_schema.table_privileges
         where table_schema = src_schema
           and table_name = src_table
           and grantee <> (select pg_catalog.pg_get_userbyid(c.relowner)
                             from pg_catalog.pg_class c
                            where c.oid = (pg_catalog.quote_ident(src_schema) || '.'
                                           || pg_catalog.quote_ident(src_table))::regclass)
    loop
        execute format('grant %s on table %I.%I to %s%s',
                       v_priv.privilege_type, dst_schema, dst_table,
                       case when v_priv.grantee = 'PUBLIC' then 'public'
                            else pg_catalog.quote_ident(v_priv.grantee) end,
                       case when v_priv.is_grantable = 'YES' then ' with grant option' else '' end);
    end loop;
    return 1;
end;
$$;

-- extension/pgq/functions/pgq._insert_events.sql
create or replace function pgq._insert_events(i_queue_name text, i_types text[], i_datas text[],
                                              i_extra1 text[], i_extra2 text[], i_extra3 text[], i_extra4 text[],
                                              i_times timestamptz[] default null)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._insert_events(i_queue_name, i_types, i_datas, i_extra1 ..
    --     i_extra4 [, i_times]): pgq.insert_events for callers that want
    -- only the count (the statement-level triggers and queue_splitter).
    -- Returns: how many events were inserted.
    -- Errors: as pgq.insert_events.
    -- Tables: pgq.queue (read), the queue's current event table.
begin
    return (select count(*)
              from pgq.insert_events(i_queue_name, i_types, i_datas, i_extra1, i_extra2, i_extra3, i_extra4, i_times));
end;
$$;

-- extension/pgq/functions/pgq._json_ev_type.sql
create or replace function pgq._json_ev_type(i_op text, i_schema text, i_table text, i_keys text[])
returns text
language plpgsql immutable
as $$
    -- pgq._json_ev_type(i_op, i_schema, i_table, i_keys): jsontriga's
    -- ev_type: {"op":"<OP>","table":["<schema>","<table>"],"pkey":[<keys>]}.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select '{"op":' || pg_catalog.to_json(i_op)::text
               || ',"table":[' || pg_catalog.to_json(i_schema)::text || ',' || pg_catalog.to_json(i_table)::text
               || '],"pkey":[' || coalesce((select pg_catalog.string_agg(pg_catalog.to_json(k)::text, ',' order by o)
                                             from pg_catalog.unnest(i_keys) with ordinality as t(k, o)), '')
               || ']}');
end;
$$;

-- extension/pgq/functions/pgq._json_row.sql
create or replace function pgq._json_row(i_names text[], i_types oid[], i_values text[], i_skip text[])
returns text
language plpgsql stable
as $$
    -- pgq._json_row(i_names, i_types, i_values, i_skip): a row as jsontriga
    -- writes it: a JSON object in column order; bool as true/false,
    -- int2/int4/int8 as bare numbers, timestamp, timestamptz and date as
    -- XSD strings, every other type as a JSON string of its text output,
    -- NULL as null; columns of i_skip left out.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select '{' || coalesce(pg_catalog.string_agg(pg_catalog.to_json(n)::text || ':' ||
                   case when v is null then 'null'
                        when t = 16 then case when v = 't' then 'true' else 'false' end
                        when t in (20, 21, 23) then v
                        when t = 1184 then pg_catalog.to_json(v::timestamptz)::text
                        when t = 1114 then pg_catalog.to_json(v::timestamp)::text
                        when t = 1082 then pg_catalog.to_json(v::date)::text
                        else pg_catalog.to_json(v)::text end, ',' order by o), '') || '}'
          from unnest(i_names, i_types, i_values) with ordinality as x(n, t, v, o)
         where not (n = any (i_skip)));
end;
$$;

-- extension/pgq/functions/pgq._retry_batch_events.sql
create or replace function pgq._retry_batch_events(i_batch_id bigint, i_event_id bigint, i_retry_after timestamptz)
returns int4
language plpgsql
as $$
    -- pgq._retry_batch_events(i_batch_id, i_event_id, i_retry_after): copy
    -- events of an open batch into pgq.retry_queue for the batch's
    -- subscription, with ev_retry counted up and no txid; events already
    -- waiting are left as they are.
    -- Parameters: i_event_id, one event; NULL, every event of the batch.
    -- Returns: how many were added; NULL when no open batch has this id.
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue.
declare
    v_sub   record;
    v_count int4;
begin
    select sub_id, sub_queue into v_sub from pgq.subscription where sub_batch = i_batch_id;
    if not found then
        return null;
    end if;
    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner,
                                 ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    select i_retry_after, v_sub.sub_queue, ev.ev_id, ev.ev_time, null, v_sub.sub_id,
           coalesce(ev.ev_retry, 0) + 1, ev.ev_type, ev.ev_data,
           ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4
      from pgq.get_batch_events(i_batch_id) ev
     where i_event_id is null or ev.ev_id = i_event_id
    on conflict (ev_owner, ev_id) do nothing;
    get diagnostics v_count = row_count;
    return v_count;
end;
$$;

-- extension/pgq/functions/pgq._row_fields.sql
create or replace function pgq._row_fields(i_row text)
returns text[]
language plpgsql immutable strict
as $$
    -- pgq._row_fields(i_row): the column values of a row, as their types'
    -- text output, from the row's own text form (record output: fields
    -- separated by commas, quoted with "" and \\ escapes when needed, NULL as
    -- an empty unquoted field).  Dropped columns are not in the text form.
    -- Returns: one element per column, NULL for NULL.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select array_agg(case when m[1] is not null
                              then pg_catalog.replace(pg_catalog.replace(m[1], '""', '"'), '\\', '\')
                              else nullif(m[2], '') end
                         order by n)
          from pg_catalog.regexp_matches(pg_catalog.substr(i_row, 2, pg_catalog.length(i_row) - 2) || ',',
                                         '(?:"((?:[^"\\]|""|\\.)*)"|([^,]*)),', 'g') with ordinality as x(m, n));
end;
$$;

-- extension/pgq/functions/pgq._serial_catch_up.sql
create or replace function pgq._serial_catch_up(i_seq text, i_max bigint)
returns void
language plpgsql
as $$
    -- pgq._serial_catch_up(i_seq, i_max): make sure the next value of a
    -- serial's sequence is above i_max, the highest id in use.
    -- pg_dump saves the contents of pgq's tables but not these sequences
    -- (they are extension members, and PgQ marks only seven objects for
    -- dump), so after a restore they start again at 1; this keeps new
    -- queues, consumers and subscriptions from colliding with restored ones.
    -- Tables: the sequence.
begin
    if i_max is not null and pgq.seq_getval(i_seq) <= i_max then
        perform setval(i_seq::regclass, i_max);
    end if;
end;
$$;

-- extension/pgq/functions/pgq._sql_fragment.sql
create or replace function pgq._sql_fragment(i_op text, i_names text[], i_new text[], i_old text[],
                                             i_keys text[], i_skip text[], i_changed text[])
returns text
language plpgsql immutable
as $$
    -- pgq._sql_fragment(i_op, i_names, i_new, i_old, i_keys, i_skip,
    --     i_changed): the SQL fragment sqltriga writes as ev_data.
    --   INSERT: (c1,c2) values ('1',null)
    --   UPDATE: c2='x',c3=NULL where k1='1' and k2='a'   (changed columns
    --           not in i_skip; none: the first key column, in column order,
    --           with its old value)
    --   DELETE: k1='1' and k2='a'
    -- Identifiers go through quote_ident, values through quote_literal.
    -- Errors: 23502 'logtriga: Unexpected NULL key value'.
declare
    v_cols  text := '';
    v_vals  text := '';
    v_set   text := '';
    v_where text := '';
    i       int4;
begin
    if i_op in ('UPDATE', 'DELETE') then
        for i in 1 .. pg_catalog.array_length(i_names, 1) loop
            if i_names[i] = any (i_keys) then
                if i_old[i] is null then
                    raise exception 'logtriga: Unexpected NULL key value' using errcode = '23502';
                end if;
                v_where := v_where || case when v_where = '' then '' else ' and ' end
                           || pg_catalog.quote_ident(i_names[i]) || '=' || pg_catalog.quote_literal(i_old[i]);
            end if;
        end loop;
    end if;
    if i_op = 'DELETE' then
        return v_where;
    end if;
    if i_op = 'INSERT' then
        for i in 1 .. pg_catalog.array_length(i_names, 1) loop
            continue when i_names[i] = any (i_skip);
            v_cols := v_cols || case when v_cols = '' then '' else ',' end || pg_catalog.quote_ident(i_names[i]);
            v_vals := v_vals || case when v_vals = '' then '' else ',' end
                      || coalesce(pg_catalog.quote_literal(i_new[i]), 'null');
        end loop;
        return '(' || v_cols || ') values (' || v_vals || ')';
    end if;
    for i in 1 .. pg_catalog.array_length(i_names, 1) loop
        continue when not (i_names[i] = any (i_changed)) or i_names[i] = any (i_skip);
        v_set := v_set || case when v_set = '' then '' else ',' end
                 || pg_catalog.quote_ident(i_names[i]) || '=' || coalesce(pg_catalog.quote_literal(i_new[i]), 'NULL');
    end loop;
    if v_set = '' then
        for i in 1 .. pg_catalog.array_length(i_names, 1) loop
            if i_names[i] = any (i_keys) then
                v_set := pg_catalog.quote_ident(i_names[i]) || '=' || pg_catalog.quote_literal(i_old[i]);
                exit;
            end if;
        end loop;
    end if;
    return v_set || ' where ' || v_where;
end;
$$;

-- extension/pgq/functions/pgq._tick_channel.sql
create or replace function pgq._tick_channel(i_queue_name text)
returns text
language sql immutable strict
as $$
    -- pgq._tick_channel(i_queue_name): the NOTIFY channel on which the
    -- ticker announces the queue's ticks: 'pgq.' and the queue name, cut to
    -- the 63 bytes a channel name may have (on a character boundary).  Names
    -- that share their first 59 bytes share a channel; the payload carries
    -- the full queue name.
    select pg_catalog.left(c.name, (select max(n) from pg_catalog.generate_series(0, pg_catalog.length(c.name)) n
                                    where pg_catalog.octet_length(pg_catalog.left(c.name, n)) <= 63))
      from (select 'pgq.' || i_queue_name as name) c;
$$;

-- extension/pgq/functions/pgq._trigger_args.sql
create or replace function pgq._trigger_args(
    in i_argv text[],
    out queue text, out skip bool, out backup bool, out deny bool,
    out ignore text[], out pkey text[], out when_expr text, out exprs text[])
returns record
language plpgsql immutable
as $$
    -- pgq._trigger_args(i_argv): the arguments of a pgq trigger (TG_ARGV):
    -- the queue name first, then any of SKIP, backup, deny, ignore=cols,
    -- pkey=cols, when=EXPR, ev_type= / ev_data= / ev_extra1..4=EXPR.
    -- Returns: the parsed arguments; exprs holds the six ev_* expressions
    --   (type, data, extra1 .. extra4), NULL where not given.
    -- Errors: 22023 'pgq trigger must have destination queue as argument',
    --   22023 'bad param to pgq trigger'.
declare
    v_args   text[] := array(select pg_catalog.unnest(i_argv));  -- TG_ARGV counts from 0
    v_fields text[] := array['ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4'];
    v_arg    text;
    k        int4;
    i        int4;
begin
    if v_args is null or pg_catalog.array_length(v_args, 1) is null or v_args[1] is null then
        raise exception 'pgq trigger must have destination queue as argument' using errcode = '22023';
    end if;
    queue := v_args[1];
    skip := false;
    backup := false;
    deny := false;
    ignore := '{}';
    exprs := array[null, null, null, null, null, null]::text[];
    for i in 2 .. pg_catalog.array_length(v_args, 1) loop
        v_arg := v_args[i];
        if v_arg = 'SKIP' then
            skip := true;
        elsif v_arg = 'backup' then
            backup := true;
        elsif v_arg = 'deny' then
            deny := true;
        elsif v_arg like 'ignore=%' then
            ignore := pg_catalog.string_to_array(pg_catalog.substr(v_arg, 8), ',');
        elsif v_arg like 'pkey=%' then
            pkey := pg_catalog.string_to_array(pg_catalog.substr(v_arg, 6), ',');
        elsif v_arg like 'when=%' then
            when_expr := pg_catalog.substr(v_arg, 6);
        else
            k := pg_catalog.array_position(v_fields, pg_catalog.split_part(v_arg, '=', 1));
            if k is null or pg_catalog.strpos(v_arg, '=') = 0 then
                raise exception 'bad param to pgq trigger' using errcode = '22023';
            end if;
            exprs[k] := pg_catalog.substr(v_arg, pg_catalog.strpos(v_arg, '=') + 1);
        end if;
    end loop;
end;
$$;

-- extension/pgq/functions/pgq._trigger_event.sql
create or replace function pgq._trigger_event(
    i_kind text, i_op text, i_when text, i_level text, i_relid oid, i_argv text[],
    i_new text, i_old text)
returns boolean
language plpgsql
as $$
    -- pgq._trigger_event(i_kind, i_op, i_when, i_level, i_relid, i_argv,
    --     i_new, i_old): the work of pgq.logutriga, pgq.sqltriga and
    -- pgq.jsontriga (i_kind), given the trigger's TG_* values and the new
    -- and old rows in their text form.  Parses the trigger arguments,
    -- checks how the trigger is defined, builds the event and inserts it
    -- with pgq.insert_event(7 arguments).
    -- Arguments after the queue name: SKIP, backup, deny, ignore=cols,
    --   pkey=cols, when=EXPR, ev_type= / ev_data= / ev_extra1..4=EXPR.
    -- Returns: true when the row operation must be skipped (SKIP).
    -- Errors: PgQ's C texts, SQLSTATE 22023 for a trigger defined wrongly,
    --   P0001 for deny, 23502 for a NULL key value in sqltriga.
    -- Tables: catalog (read), the queue (insert).
declare
    v_queue     text;
    v_skip      bool := false;
    v_backup    bool := false;
    v_deny      bool := false;
    v_ignore    text[] := '{}';
    v_omit      text[];
    v_pkey      text[];
    v_when_expr text;
    v_expr      text[] := array[null, null, null, null, null, null]::text[]; -- type, data, extra1..4
    v_schema    text;
    v_table     text;
    v_names     text[];
    v_types     oid[];
    v_keys      text[];
    v_new       text[];
    v_old       text[];
    v_row       text[];
    v_ev        text[] := array[null, null, null, null, null, null]::text[];
    v_magic     text[] := array[null, null, null, null, null, null]::text[];
    v_has_magic bool[] := array[false, false, false, false, false, false];
    v_fields    text[] := array['ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4'];
    v_val       text;
    v_changed   text[] := '{}';
    v_ign_chg   bool := false;
    v_parts     text[];
    v_opname    text;
    i           int4;
    k           int4;
begin
    select a.queue, a.skip, a.backup, a.deny, a.ignore, a.pkey, a.when_expr, a.exprs
      into v_queue, v_skip, v_backup, v_deny, v_ignore, v_pkey, v_when_expr, v_expr
      from pgq._trigger_args(i_argv) a;

    -- how the trigger is defined
    if i_op = 'TRUNCATE' then
        if i_level <> 'STATEMENT' then
            raise exception 'pgq tRuncate trigger must be fired FOR EACH STATEMENT' using errcode = '22023';
        end if;
        if v_ignore <> '{}' or v_pkey is not null or v_backup or v_when_expr is not null
           or pg_catalog.array_to_string(v_expr, '') <> '' then
            raise exception 'bad param to pgq trigger' using errcode = '22023';
        end if;
    elsif i_level <> 'ROW' then
        raise exception 'pgq Ins/Upd/Del trigger must be fired FOR EACH ROW' using errcode = '22023';
    end if;
    if v_skip and i_when <> 'BEFORE' then
        raise exception 'SKIP does not work in AFTER trigger.' using errcode = '22023';
    end if;

    if pg_catalog.current_setting('session_replication_role') = 'local' then
        return false;
    end if;

    select t.schema_name, t.table_name, t.names, t.types, t.keys
      into v_schema, v_table, v_names, v_types, v_keys
      from pgq._trigger_table(i_relid) t;

    if v_deny then
        raise exception 'Table ''%.%'' to queue ''%'': change not allowed (%)', v_schema, v_table, v_queue, i_op;
    end if;

    -- key columns: the primary key's in column order, or pkey='s as listed
    -- (that is the order PgQ's C triggers use)
    if v_pkey is not null then
        v_keys := v_pkey;
    end if;

    if i_op = 'TRUNCATE' then
        v_ev[1] := case i_kind when 'jsontriga' then pgq._json_ev_type(i_op, v_schema, v_table, v_keys) else 'R' end;
        v_ev[2] := case i_kind when 'jsontriga' then '{}' else '' end;
        v_ev[3] := v_schema || '.' || v_table;
        perform pgq.insert_event(v_queue, v_ev[1], v_ev[2], v_ev[3], null, null, null);
        return false;
    end if;

    v_new := pgq._row_fields(i_new);
    v_old := pgq._row_fields(i_old);
    v_row := case when i_op = 'DELETE' then v_old else v_new end;

    -- magic columns _pgq_ev_*: their values override the event's fields
    for i in 1 .. pg_catalog.array_length(v_names, 1) loop
        if v_names[i] like '\_pgq\_ev\_%' then
            k := pg_catalog.array_position(v_fields, pg_catalog.substr(v_names[i], 6));
            if k is null then
                raise exception 'Unknown magic column: %', v_names[i] using errcode = '22023';
            end if;
            v_magic[k] := v_row[i];
            v_has_magic[k] := true;
        end if;
    end loop;

    -- left out of the payload: ignored and magic columns (a changed magic
    -- column still counts as a change, as in PgQ)
    select v_ignore || coalesce(pg_catalog.array_agg(n), '{}') into v_omit
      from pg_catalog.unnest(v_names) n where n like '\_pgq\_ev\_%';

    if i_op in ('UPDATE', 'DELETE') and v_keys = '{}' then
        raise exception 'Update/Delete on table without pkey' using errcode = '22023';
    end if;

    if i_op = 'UPDATE' then
        for i in 1 .. pg_catalog.array_length(v_names, 1) loop
            if v_new[i] is distinct from v_old[i] then
                if v_names[i] = any (v_keys) then
                    raise exception 'primary key update not allowed' using errcode = '22023';
                end if;
                -- sqltriga counts a changed magic column as an ignored one;
                -- the other two count it as a change
                if v_names[i] = any (v_ignore)
                   or (i_kind = 'sqltriga' and v_names[i] like '\_pgq\_ev\_%') then
                    v_ign_chg := true;
                else
                    v_changed := v_changed || v_names[i];
                end if;
            end if;
        end loop;
        if v_changed = '{}' and v_ign_chg then
            return v_skip;
        end if;
    end if;

    -- when= is judged after the checks above, as in PgQ's C triggers
    if v_when_expr is not null then
        v_val := pgq._trigger_expr(v_when_expr, i_relid, case when i_op = 'DELETE' then i_old else i_new end, 'bool');
        if v_val is null then
            raise exception 'when= should not be NULL' using errcode = '22004';
        end if;
        if not v_val::bool then
            return false;
        end if;
    end if;

    v_opname := pg_catalog.substr(i_op, 1, 1);
    if i_kind = 'logutriga' then
        v_ev[1] := v_opname || ':' || pg_catalog.array_to_string(v_keys, ',');
        v_ev[2] := pgq._urlencode_row(v_names, v_row, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._urlencode_row(v_names, v_old, v_omit);
        end if;
    elsif i_kind = 'sqltriga' then
        v_ev[1] := v_opname;
        v_ev[2] := pgq._sql_fragment(i_op, v_names, v_new, v_old, v_keys, v_omit, v_changed);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._urlencode_row(v_names, v_old, v_omit);
        end if;
    else
        v_ev[1] := pgq._json_ev_type(i_op, v_schema, v_table, v_keys);
        v_ev[2] := pgq._json_row(v_names, v_types, v_row, v_omit);
        if v_backup and i_op = 'UPDATE' then
            v_ev[4] := pgq._json_row(v_names, v_types, v_old, v_omit);
        end if;
    end if;
    v_ev[3] := v_schema || '.' || v_table;

    -- overrides: magic columns (NULL included), then explicit expressions
    for k in 1 .. 6 loop
        if v_has_magic[k] then
            v_ev[k] := v_magic[k];
        end if;
        if v_expr[k] is not null then
            v_ev[k] := pgq._trigger_expr(v_expr[k], i_relid, case when i_op = 'DELETE' then i_old else i_new end, 'text');
        end if;
    end loop;

    perform pgq.insert_event(v_queue, v_ev[1], v_ev[2], v_ev[3], v_ev[4], v_ev[5], v_ev[6]);
    return v_skip;
end;
$$;

-- extension/pgq/functions/pgq._trigger_expr.sql
create or replace function pgq._trigger_expr(i_expr text, i_relid oid, i_row text, i_type text)
returns text
language plpgsql
as $$
    -- pgq._trigger_expr(i_expr, i_relid, i_row, i_type): evaluate a trigger
    -- argument's SQL expression (when=, ev_type=, ...) against the row, whose
    -- columns it may name.
    -- Returns: the value as text (i_type 'text') or as 'true'/'false'
    --   (i_type 'bool': the expression must be boolean).
    -- Errors: the expression's own; 42804 when when= is not boolean.
    -- Tables: none (the row is passed in).
declare
    v_out text;
begin
    if i_type = 'bool' then
        execute format('select (%s)::bool::text from (select ($1::%s).*) _pgq_row', i_expr, i_relid::regclass)
           into v_out using i_row;
    else
        execute format('select (%s)::text from (select ($1::%s).*) _pgq_row', i_expr, i_relid::regclass)
           into v_out using i_row;
    end if;
    return v_out;
end;
$$;

-- extension/pgq/functions/pgq._trigger_table.sql
create or replace function pgq._trigger_table(
    in i_relid oid,
    out schema_name text, out table_name text, out names text[], out types oid[], out keys text[])
returns record
language plpgsql stable
as $$
    -- pgq._trigger_table(i_relid): what a pgq trigger needs to know of its
    -- table: schema and name, its columns in order with their types, and the
    -- primary key's columns in column order ('{}' when there is none).
    -- Tables: catalog (read).
begin
    select n.nspname, c.relname,
           (select pg_catalog.array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
           (select pg_catalog.array_agg(a.atttypid order by a.attnum) from pg_catalog.pg_attribute a
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
           coalesce((select pg_catalog.array_agg(a.attname::text order by a.attnum)
                       from pg_catalog.pg_index x
                       join pg_catalog.pg_attribute a on a.attrelid = x.indrelid and a.attnum = any (x.indkey)
                      where x.indrelid = c.oid and x.indisprimary), '{}')
      into schema_name, table_name, names, types, keys
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where c.oid = i_relid;
end;
$$;

-- extension/pgq/functions/pgq._urlencode.sql
create or replace function pgq._urlencode(i_value text)
returns text
language sql immutable
as $$
    -- pgq._urlencode(i_value): urlencoding as PgQ's triggers write it: the
    -- bytes of the value (in the database encoding) other than
    -- A-Z a-z 0-9 _ . - become %xx with lower-case hex, a space becomes +.
    -- Values made of safe characters, spaces, ':' and '+' (numbers, words,
    -- timestamps) are done with replace(); anything else goes through
    -- pgq._urlencode_bytes.  A plain SQL expression and not STRICT (NULL
    -- gives NULL all the same), so the planner inlines it into callers.
    select case
        when i_value ~ '^[A-Za-z0-9_.-]*$' then i_value
        when i_value ~ '^[A-Za-z0-9_. :+-]*$'
            then pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(i_value, '+', '%2b'), ':', '%3a'), ' ', '+')
        else pgq._urlencode_bytes(i_value)
    end;
$$;

-- extension/pgq/functions/pgq._urlencode_bytes.sql
create or replace function pgq._urlencode_bytes(i_value text)
returns text
language plpgsql immutable strict
as $$
    -- pgq._urlencode_bytes(i_value): pgq._urlencode for any value: runs of
    -- safe characters are kept, every other character's bytes (in the
    -- database encoding) become %xx, a space +.
    -- Tables: none.
declare
    v_out   text := '';
    v_m     text[];
    v_bytes bytea;
    i       int4;
begin
    for v_m in
        select m from pg_catalog.regexp_matches(i_value, '([A-Za-z0-9_.-]+)|(.)', 'g') as m
    loop
        if v_m[1] is not null then
            v_out := v_out || v_m[1];
        elsif v_m[2] = ' ' then
            v_out := v_out || '+';
        else
            v_bytes := pg_catalog.convert_to(v_m[2], pg_catalog.getdatabaseencoding());
            for i in 0 .. pg_catalog.octet_length(v_bytes) - 1 loop
                v_out := v_out || '%' || pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.get_byte(v_bytes, i)), 2, '0');
            end loop;
        end if;
    end loop;
    return v_out;
end;
$$;

-- extension/pgq/functions/pgq._urlencode_row.sql
create or replace function pgq._urlencode_row(i_names text[], i_values text[], i_skip text[])
returns text
language plpgsql immutable
as $$
    -- pgq._urlencode_row(i_names, i_values, i_skip): a row as logutriga
    -- writes it: name=value pairs joined by &, both urlencoded, a NULL value
    -- as the bare name, columns of i_skip left out.
    -- PL/pgSQL rather than SQL: it keeps its plan between calls (a trigger
    -- calls it for every row).
begin
    return (
        select coalesce(pg_catalog.string_agg(pgq._urlencode(n)
                            || case when v is null then '' else '=' || pgq._urlencode(v) end, '&' order by o), '')
          from unnest(i_names, i_values) with ordinality as t(n, v, o)
         where not (n = any (i_skip)));
end;
$$;

-- extension/pgq/functions/pgq.batch_event_sql.sql
create or replace function pgq.batch_event_sql(x_batch_id bigint)
returns text
language plpgsql
as $$
    -- pgq.batch_event_sql(x_batch_id): the SELECT that returns the batch's
    -- events: ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,
    -- ev_extra1 .. ev_extra4, ordered by ev_id.
    -- An event is in the batch when its transaction is visible in the end
    -- tick's snapshot and not in the start tick's, and it is meant for every
    -- consumer (ev_owner NULL) or for this subscription (a retried event).
    -- Such txids lie in [xmax(start), xmax(end)], an index range, or were in
    -- progress at the start tick; those are listed one by one, except that
    -- one within 100 of the range's low end extends the range instead.
    -- Returns: the SQL text, one SELECT per table (pgq.batch_event_tables)
    --   joined by UNION ALL.
    -- Errors: PQ003 'batch not found'; PQ010 'could not construct sql for
    --   batch <id>' when a tick of the batch is missing.
    -- Tables: pgq.subscription, pgq.tick, pgq.queue (read).
declare
    v_b         record;
    v_lo        bigint;
    v_hi        bigint;
    v_txid      bigint;
    v_list      text := '';
    v_where     text;
    v_tbl       text;
    v_sql       text := '';
begin
    select s.sub_id, t_prev.tick_snapshot as prev_snap, t_cur.tick_snapshot as cur_snap
      into v_b
      from pgq.subscription s
      left join pgq.tick t_prev on t_prev.tick_queue = s.sub_queue and t_prev.tick_id = s.sub_last_tick
      left join pgq.tick t_cur on t_cur.tick_queue = s.sub_queue and t_cur.tick_id = s.sub_next_tick
     where s.sub_batch = x_batch_id;
    if not found then
        raise exception 'batch not found' using errcode = 'PQ003';
    end if;
    if v_b.prev_snap is null or v_b.cur_snap is null then
        raise exception 'could not construct sql for batch %', x_batch_id using errcode = 'PQ010';
    end if;

    v_lo := txid_snapshot_xmax(v_b.prev_snap);
    v_hi := txid_snapshot_xmax(v_b.cur_snap);

    -- transactions running at the start tick that had finished by the end tick
    for v_txid in
        select x.txid
          from txid_snapshot_xip(v_b.prev_snap) as x(txid)
         where txid_visible_in_snapshot(x.txid, v_b.cur_snap)
         order by x.txid desc
    loop
        if v_txid >= v_lo - 100 then
            v_lo := v_txid;
        else
            v_list := v_list || case when v_list = '' then '' else ',' end || v_txid;
        end if;
    end loop;

    v_where := format('ev.ev_txid >= %s and ev.ev_txid <= %s'
                      ' and txid_visible_in_snapshot(ev.ev_txid, %L::txid_snapshot)'
                      ' and not txid_visible_in_snapshot(ev.ev_txid, %L::txid_snapshot)',
                      v_lo, v_hi, v_b.cur_snap, v_b.prev_snap);
    if v_list <> '' then
        v_where := '(' || v_where || ') or ev.ev_txid in (' || v_list || ')';
    end if;

    for v_tbl in select * from pgq.batch_event_tables(x_batch_id) loop
        if v_sql <> '' then
            v_sql := v_sql || ' union all ';
        end if;
        v_sql := v_sql
            || 'select ev.ev_id, ev.ev_time, ev.ev_txid, ev.ev_retry, ev.ev_type, ev.ev_data,'
            || ' ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4 from '
            || pgq.quote_fqname(v_tbl) || ' ev where (ev.ev_owner is null or ev.ev_owner = '
            || v_b.sub_id || ') and (' || v_where || ')';
    end loop;

    return v_sql || ' order by 1';
end;
$$;

-- extension/pgq/functions/pgq.batch_event_tables.sql
create or replace function pgq.batch_event_tables(x_batch_id bigint)
returns setof text
language plpgsql
as $$
    -- pgq.batch_event_tables(x_batch_id): the event tables that may hold the
    -- batch's events.  With cur = the queue's current table and prev the one
    -- before it: a batch that ended before the last rotation started
    -- (xmax of its end tick < queue_switch_step1) is all in prev; any other
    -- batch is read from prev and cur.
    -- PgQ also narrows a batch that began after rotation step 2 to cur
    -- alone.  That can miss an event whose producer read the queue row
    -- before the switch but got its txid after step 2 (a statement or a
    -- REPEATABLE READ transaction that straddled the rotation), so this
    -- version keeps prev in: the cost is one empty index probe.
    -- Returns: 'pgq.event_<id>_<n>' names, prev first.
    -- Errors: PQ003 'Cannot find data for batch <id>'.
    -- Tables: pgq.subscription, pgq.queue, pgq.tick (read).
declare
    v_b     record;
    v_prev  int4;
begin
    select q.queue_data_pfx, q.queue_cur_table, q.queue_ntables, q.queue_switch_step1,
           txid_snapshot_xmax(t_cur.tick_snapshot) as tx_max
      into v_b
      from pgq.subscription s, pgq.queue q, pgq.tick t_cur
     where s.sub_batch = x_batch_id
       and q.queue_id = s.sub_queue
       and t_cur.tick_queue = s.sub_queue
       and t_cur.tick_id = s.sub_next_tick;
    if not found then
        raise exception 'Cannot find data for batch %', x_batch_id using errcode = 'PQ003';
    end if;

    v_prev := (v_b.queue_cur_table + v_b.queue_ntables - 1) % v_b.queue_ntables;
    return next v_b.queue_data_pfx || '_' || v_prev;
    if v_b.tx_max >= v_b.queue_switch_step1 and v_prev <> v_b.queue_cur_table then
        return next v_b.queue_data_pfx || '_' || v_b.queue_cur_table;
    end if;
    return;
end;
$$;

-- extension/pgq/functions/pgq.batch_retry.sql
create or replace function pgq.batch_retry(i_batch_id bigint, i_retry_seconds integer)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.batch_retry(i_batch_id, i_retry_seconds): put every event of the
    -- open batch aside for retry in i_retry_seconds (see pgq.event_retry),
    -- except those already waiting.
    -- Returns: how many events were put aside.
    -- Errors: PQ003 'batch_retry: batch <id> not found'.
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue.
declare
    v_count int4;
begin
    v_count := pgq._retry_batch_events(i_batch_id, null, now() + make_interval(secs => i_retry_seconds));
    if v_count is null then
        raise exception 'batch_retry: batch % not found', i_batch_id using errcode = 'PQ003';
    end if;
    return v_count;
end;
$$;

-- extension/pgq/functions/pgq.create_queue.sql
create or replace function pgq.create_queue(i_queue_name text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.create_queue(i_queue_name): create a queue.
    -- Makes the queue row, its event-id and tick-id sequences, its event
    -- tables pgq.event_<id> (partition of pgq.event_template) and
    -- pgq.event_<id>_0 .. _<ntables-1> (with ev_id defaulting to the event
    -- sequence, so clients can COPY into them), grants, storage settings and
    -- the first tick, so that consumers can register at once.
    -- Returns: 1 when created, 0 when the queue already exists.
    -- Errors: 22004 'Invalid NULL value' for a NULL name.
    -- Tables: pgq.queue, pgq.tick; creates pgq.event_<id>*, sequences.
declare
    v_id        int4;
    v_pfx       text;
    v_seq       text;
    v_tick_seq  text;
    v_ntables   int4;
    v_tbl       text;
    i           int4;
begin
    if i_queue_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;

    perform 1 from pgq.queue where queue_name = i_queue_name;
    if found then
        return 0;
    end if;

    perform pgq._serial_catch_up('pgq.queue_queue_id_seq', (select max(queue_id) from pgq.queue));
    v_id := nextval('pgq.queue_queue_id_seq');
    v_pfx := 'pgq.event_' || v_id;
    v_seq := v_pfx || '_id_seq';
    v_tick_seq := v_pfx || '_tick_seq';

    insert into pgq.queue (queue_id, queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq)
    values (v_id, i_queue_name, v_pfx, v_seq, v_tick_seq)
    returning queue_ntables into v_ntables;

    execute format('create sequence pgq.%I', 'event_' || v_id || '_tick_seq');
    execute format('create sequence pgq.%I', 'event_' || v_id || '_id_seq');

    -- the queue's own parent, built detached and attached last: ATTACH takes
    -- only a SHARE UPDATE EXCLUSIVE lock on pgq.event_template, so producers
    -- of other queues are not blocked while a queue is created
    execute format('create table pgq.%I (like pgq.event_template including defaults) partition by list (ev_table)',
                   'event_' || v_id);
    execute format('alter table pgq.%I alter column ev_queue set default %s, alter column ev_id set default nextval(%L)',
                   'event_' || v_id, v_id, v_seq);
    for i in 0 .. v_ntables - 1 loop
        v_tbl := 'event_' || v_id || '_' || i;
        execute format('create table pgq.%I partition of pgq.%I for values in (%s)',
                       v_tbl, 'event_' || v_id, i);
        execute format('alter table pgq.%I alter column ev_id set default nextval(%L),'
                       ' alter column ev_queue set default %s, alter column ev_table set default %s',
                       v_tbl, v_seq, v_id, i);
        execute format('create index %I on pgq.%I (ev_txid)', v_tbl || '_txid_idx', v_tbl);
    end loop;
    execute format('alter table pgq.event_template attach partition pgq.%I for values in (%s)',
                   'event_' || v_id, v_id);

    perform pgq.grant_perms(i_queue_name);
    perform pgq.ticker(i_queue_name);
    perform pgq.tune_storage(i_queue_name);

    return 1;
end;
$$;

-- extension/pgq/functions/pgq.current_event_table.sql
create or replace function pgq.current_event_table(x_queue_name text)
returns text
language plpgsql
as $$
    -- pgq.current_event_table(x_queue_name): name of the table that takes
    -- the queue's inserts now, for clients that COPY events straight into it
    -- (ev_id, ev_txid and the routing columns fill themselves in).  Valid only
    -- until the end of the current transaction: rotation may switch it.
    -- Returns: 'pgq.event_<id>_<n>'.
    -- Errors: PQ001 'Event queue not found'; PQ005 'Writing to queue
    --   disabled' (queue_disable_insert, unless session_replication_role is
    --   replica).
    -- Tables: pgq.queue (read).
declare
    v_q record;
begin
    select queue_data_pfx, queue_cur_table, queue_disable_insert into v_q
      from pgq.queue
     where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not found' using errcode = 'PQ001';
    end if;
    if v_q.queue_disable_insert
       and current_setting('session_replication_role') <> 'replica' then
        raise exception 'Writing to queue disabled' using errcode = 'PQ005';
    end if;
    return v_q.queue_data_pfx || '_' || v_q.queue_cur_table;
end;
$$;

-- extension/pgq/functions/pgq.drop_queue.sql
create or replace function pgq.drop_queue(x_queue_name text, x_force bool)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.drop_queue(x_queue_name, x_force): drop a queue and its data.
    -- With x_force, every consumer is unregistered first; without it, a queue
    -- that still has consumers is kept and an error raised.
    -- Note: detaching the queue's tables from pgq.event_template needs a
    -- short ACCESS EXCLUSIVE lock on pgq.event_template, so the drop waits
    -- for transactions that are inserting events (into any queue) to end.
    -- Returns: 1.
    -- Errors: 22004 'Invalid NULL value'; PQ001 'No such event queue';
    --         PQ008 'cannot drop queue, consumers still attached'.
    -- Tables: pgq.queue, pgq.tick, pgq.subscription, pgq.consumer,
    --         pgq.retry_queue; drops pgq.event_<id>* and sequences.
declare
    v_queue     record;
    v_consumer  text;
begin
    if x_queue_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;

    select queue_id, queue_data_pfx, queue_event_seq, queue_tick_seq
      into v_queue
      from pgq.queue
     where queue_name = x_queue_name
       for update;
    if not found then
        raise exception 'No such event queue' using errcode = 'PQ001';
    end if;

    if x_force then
        for v_consumer in
            select consumer_name from pgq.get_consumer_info(x_queue_name)
        loop
            perform pgq.unregister_consumer(x_queue_name, v_consumer);
        end loop;
    else
        perform 1 from pgq.subscription where sub_queue = v_queue.queue_id;
        if found then
            raise exception 'cannot drop queue, consumers still attached'
                using errcode = 'PQ008';
        end if;
    end if;

    execute format('drop table pgq.%I', 'event_' || v_queue.queue_id);

    delete from pgq.tick where tick_queue = v_queue.queue_id;
    delete from pgq.retry_queue where ev_queue = v_queue.queue_id;

    execute format('drop sequence pgq.%I', 'event_' || v_queue.queue_id || '_tick_seq');
    execute format('drop sequence pgq.%I', 'event_' || v_queue.queue_id || '_id_seq');

    delete from pgq.queue where queue_id = v_queue.queue_id;

    return 1;
end;
$$;

create or replace function pgq.drop_queue(x_queue_name text)
returns int4
language sql strict
as $$
    -- pgq.drop_queue(x_queue_name): drop_queue(x_queue_name, false).
    select pgq.drop_queue(x_queue_name, false);
$$;

-- extension/pgq/functions/pgq.event_retry.sql
create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_retry(x_batch_id, x_event_id, x_retry_time): put an event of
    -- the open batch aside, to come back to this consumer alone at
    -- x_retry_time (pgq.maint_retry_events moves it back into the queue,
    -- with ev_retry counted up).
    -- Returns: 1; 0 when the event is waiting for retry already.
    -- Errors: PQ009 'event not found' when the batch has no such event, or
    --   there is no such open batch (PgQ's text for both).
    -- Tables: pgq.subscription (read), the batch's event tables (read),
    --   pgq.retry_queue.
declare
    v_added int4;
begin
    v_added := pgq._retry_batch_events(x_batch_id, x_event_id, x_retry_time);
    if v_added = 1 then
        return 1;
    end if;
    if v_added = 0 then
        perform 1 from pgq.retry_queue r, pgq.subscription s
         where s.sub_batch = x_batch_id and r.ev_owner = s.sub_id and r.ev_id = x_event_id;
        if found then
            return 0;
        end if;
    end if;
    raise exception 'event not found' using errcode = 'PQ009';
end;
$$;

create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_seconds integer)
returns int4
language sql
as $$
    -- pgq.event_retry(x_batch_id, x_event_id, x_retry_seconds): retry the
    -- event x_retry_seconds from now.
    select pgq.event_retry(x_batch_id, x_event_id, now() + make_interval(secs => x_retry_seconds));
$$;

-- extension/pgq/functions/pgq.event_retry_raw.sql
create or replace function pgq.event_retry_raw(
    x_queue text, x_consumer text, x_retry_after timestamptz,
    x_ev_id bigint, x_ev_time timestamptz, x_ev_retry integer,
    x_ev_type text, x_ev_data text,
    x_ev_extra1 text, x_ev_extra2 text, x_ev_extra3 text, x_ev_extra4 text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.event_retry_raw(x_queue, x_consumer, x_retry_after, x_ev_id,
    --     x_ev_time, x_ev_retry, x_ev_type, x_ev_data, x_ev_extra1 ..
    --     x_ev_extra4): put any event into the retry queue for one consumer,
    -- to be moved into the queue at x_retry_after.
    -- Parameters: x_ev_id NULL = a new id from the queue's sequence.
    -- Returns: the event id.
    -- Errors: PQ002 'consumer not registered'.
    -- Tables: pgq.queue, pgq.consumer, pgq.subscription (read),
    --   pgq.retry_queue.
declare
    v_sub   record;
    v_id    bigint;
begin
    select s.sub_id, s.sub_queue, q.queue_event_seq into v_sub
      from pgq.queue q, pgq.consumer c, pgq.subscription s
     where q.queue_name = x_queue
       and c.co_name = x_consumer
       and s.sub_queue = q.queue_id
       and s.sub_consumer = c.co_id;
    if not found then
        raise exception 'consumer not registered' using errcode = 'PQ002';
    end if;

    v_id := coalesce(x_ev_id, nextval(v_sub.queue_event_seq));
    insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner,
                                 ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    values (x_retry_after, v_sub.sub_queue, v_id, x_ev_time, null, v_sub.sub_id,
            x_ev_retry, x_ev_type, x_ev_data, x_ev_extra1, x_ev_extra2, x_ev_extra3, x_ev_extra4);
    return v_id;
end;
$$;

-- extension/pgq/functions/pgq.find_tick_helper.sql
create or replace function pgq.find_tick_helper(
    in i_queue_id int4,
    in i_prev_tick_id int8,
    in i_prev_tick_time timestamptz,
    in i_prev_tick_seq int8,
    in i_min_count int8,
    in i_min_interval interval,
    out next_tick_id int8,
    out next_tick_time timestamptz,
    out next_tick_seq int8)
returns record
language plpgsql stable
as $$
    -- pgq.find_tick_helper(i_queue_id, i_prev_tick_id, i_prev_tick_time,
    --     i_prev_tick_seq, i_min_count, i_min_interval): where a batch that
    -- should hold at least i_min_count events or span i_min_interval ends.
    -- The newest tick after the previous one is taken if it meets either
    -- limit.  If it overshoots a limit more than twice, the first tick that
    -- meets either limit is taken instead, so a consumer that fell behind
    -- catches up in batches of about the asked size.
    -- Returns: that tick, or NULLs when no limit is met yet.
    -- Tables: pgq.tick (read).
declare
    v_t record;
begin
    select tick_id, tick_time, tick_event_seq into v_t
      from pgq.tick
     where tick_queue = i_queue_id and tick_id > i_prev_tick_id
     order by tick_queue desc, tick_id desc
     limit 1;
    if not found then
        return;
    end if;

    if not coalesce(v_t.tick_event_seq - i_prev_tick_seq >= i_min_count, false)
       and not coalesce(v_t.tick_time - i_prev_tick_time >= i_min_interval, false) then
        return;
    end if;

    if coalesce(v_t.tick_event_seq - i_prev_tick_seq > 2 * i_min_count, false)
       or coalesce(v_t.tick_time - i_prev_tick_time > 2 * i_min_interval, false) then
        select tick_id, tick_time, tick_event_seq into v_t
          from pgq.tick
         where tick_queue = i_queue_id
           and tick_id > i_prev_tick_id
           and (coalesce(tick_event_seq - i_prev_tick_seq >= i_min_count, false)
                or coalesce(tick_time - i_prev_tick_time >= i_min_interval, false))
         order by tick_queue, tick_id
         limit 1;
    end if;

    next_tick_id := v_t.tick_id;
    next_tick_time := v_t.tick_time;
    next_tick_seq := v_t.tick_event_seq;
    return;
end;
$$;

-- extension/pgq/functions/pgq.finish_batch.sql
create or replace function pgq.finish_batch(x_batch_id bigint)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.finish_batch(x_batch_id): close a batch: the consumer's position
    -- moves to the batch's end tick.
    -- Returns: 1; 0 with a WARNING 'finish_batch: batch <id> not found'.
    -- Tables: pgq.subscription.
begin
    update pgq.subscription
       set sub_last_tick = sub_next_tick,
           sub_next_tick = null,
           sub_batch = null,
           sub_active = now()
     where sub_batch = x_batch_id;
    if not found then
        raise warning 'finish_batch: batch % not found', x_batch_id;
        return 0;
    end if;
    return 1;
end;
$$;

-- extension/pgq/functions/pgq.force_tick.sql
create or replace function pgq.force_tick(i_queue_name text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.force_tick(i_queue_name): make the next ticker run tick this
    -- queue, by moving its event sequence ticker_max_count*2 + 1000 ahead.
    -- The caller polls until the newest tick id changes.
    -- Returns: the current newest tick id; NULL when the queue does not
    --   exist, is externally ticked or is paused (nothing is changed then).
    -- Tables: pgq.queue, pgq.tick (read); the event sequence.
declare
    v_q         record;
    v_tick_id   bigint;
begin
    select queue_id, queue_event_seq, queue_ticker_max_count into v_q
      from pgq.queue
     where queue_name = i_queue_name
       and not queue_external_ticker
       and not queue_ticker_paused;
    if not found then
        return null;
    end if;

    select tick_id into v_tick_id
      from pgq.tick
     where tick_queue = v_q.queue_id
     order by tick_queue desc, tick_id desc
     limit 1;

    perform pg_catalog.setval(pgq.quote_fqname(v_q.queue_event_seq)::regclass,
                              pgq.seq_getval(v_q.queue_event_seq)
                              + v_q.queue_ticker_max_count * 2 + 1000);
    return v_tick_id;
end;
$$;

-- extension/pgq/functions/pgq.get_batch_cursor.sql
create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    in i_extra_where text,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language plpgsql
as $$
    -- pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit,
    --     i_extra_where): open a NO SCROLL cursor named i_cursor_name over the
    -- batch's events and return its first i_quick_limit rows.  The caller
    -- goes on with FETCH n FROM <cursor> and CLOSE <cursor>, in the same
    -- transaction (the cursor is not WITH HOLD).
    -- Parameters: i_extra_where, an SQL condition on the event columns
    --   (NULL = none), e.g. ev_extra1 in ('public.t1').
    -- Returns: up to i_quick_limit events; none when the batch, cursor name
    --   or limit is NULL, or the limit is 0 or less.
    -- Errors: as pgq.batch_event_sql.
    -- Tables: the queue's event tables (read).
declare
    v_sql   text;
    v_cur   refcursor;
    v_left  int4;
begin
    if i_batch_id is null or i_cursor_name is null or i_quick_limit is null then
        return;
    end if;

    v_sql := pgq.batch_event_sql(i_batch_id);
    if i_extra_where is not null then
        v_sql := 'select * from (' || v_sql || ') _evs where ' || i_extra_where || ' order by 1';
    end if;

    v_cur := i_cursor_name;
    open v_cur no scroll for execute v_sql;

    v_left := i_quick_limit;
    while v_left > 0 loop
        fetch v_cur into ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,
                         ev_extra1, ev_extra2, ev_extra3, ev_extra4;
        exit when not found;
        return next;
        v_left := v_left - 1;
    end loop;
    return;
end;
$$;

create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language sql strict
as $$
    -- pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit): the
    -- 4-argument form without a filter.
    select * from pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit, null);
$$;

-- extension/pgq/functions/pgq.get_batch_events.sql
create or replace function pgq.get_batch_events(
    in x_batch_id bigint,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language plpgsql
as $$
    -- pgq.get_batch_events(x_batch_id): all events of an open batch, by
    -- ev_id.  Runs with the caller's rights (it needs SELECT on the event
    -- tables).  For big batches use pgq.get_batch_cursor.
    -- Errors: as pgq.batch_event_sql.
    -- Tables: the queue's event tables (read).
begin
    return query execute pgq.batch_event_sql(x_batch_id);
end;
$$;

-- extension/pgq/functions/pgq.get_batch_info.sql
create or replace function pgq.get_batch_info(
    in x_batch_id bigint,
    out queue_name text,
    out consumer_name text,
    out batch_start timestamptz,
    out batch_end timestamptz,
    out prev_tick_id bigint,
    out tick_id bigint,
    out lag interval,
    out seq_start bigint,
    out seq_end bigint)
returns record
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_batch_info(x_batch_id): what an open batch spans.
    -- Returns: queue and consumer, start and end tick (ids, times, event
    --   positions) and lag = now() - end tick time; all NULL when no open
    --   batch has this id.
    -- Tables: pgq.subscription, pgq.queue, pgq.consumer, pgq.tick (read).
begin
    select q.queue_name, c.co_name, t_prev.tick_time, t_cur.tick_time,
           s.sub_last_tick, s.sub_next_tick, now() - t_cur.tick_time,
           t_prev.tick_event_seq, t_cur.tick_event_seq
      into queue_name, consumer_name, batch_start, batch_end,
           prev_tick_id, tick_id, lag, seq_start, seq_end
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
      left join pgq.tick t_prev on t_prev.tick_queue = s.sub_queue and t_prev.tick_id = s.sub_last_tick
      left join pgq.tick t_cur on t_cur.tick_queue = s.sub_queue and t_cur.tick_id = s.sub_next_tick
     where s.sub_batch = x_batch_id;
    return;
end;
$$;

-- extension/pgq/functions/pgq.get_consumer_info.sql
create or replace function pgq.get_consumer_info(
    in i_queue_name text,
    in i_consumer_name text,
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.get_consumer_info(i_queue_name, i_consumer_name): state of the
    -- subscriptions; a NULL argument matches every queue or consumer.
    -- Returns, by queue and consumer name:
    --   lag             now() - time of the consumer's last tick;
    --   last_seen       now() - the consumer's last next_batch/finish_batch;
    --   last_tick, current_batch, next_tick  the position and open batch;
    --   pending_events  events between the last tick and the newest tick.
    -- Cooperative sub-consumers show as '<consumer>.<sub>'.
    -- Tables: pgq.queue, pgq.consumer, pgq.subscription, pgq.tick (read).
    select q.queue_name, c.co_name,
           now() - t_last.tick_time,
           now() - s.sub_active,
           s.sub_last_tick, s.sub_batch, s.sub_next_tick,
           t_top.tick_event_seq - t_last.tick_event_seq
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
      left join pgq.tick t_last
        on t_last.tick_queue = s.sub_queue and t_last.tick_id = s.sub_last_tick
      left join lateral (
            select t.tick_event_seq from pgq.tick t
             where t.tick_queue = s.sub_queue
             order by t.tick_queue desc, t.tick_id desc
             limit 1) t_top on true
     where (i_queue_name is null or q.queue_name = i_queue_name)
       and (i_consumer_name is null or c.co_name = i_consumer_name)
     order by q.queue_name, c.co_name;
$$;

create or replace function pgq.get_consumer_info(
    in i_queue_name text,
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record
language sql stable
as $$
    -- pgq.get_consumer_info(i_queue_name): every consumer of one queue
    -- (every queue when NULL).
    select * from pgq.get_consumer_info(i_queue_name, null::text);
$$;

create or replace function pgq.get_consumer_info(
    out queue_name text,
    out consumer_name text,
    out lag interval,
    out last_seen interval,
    out last_tick bigint,
    out current_batch bigint,
    out next_tick bigint,
    out pending_events bigint)
returns setof record
language sql stable
as $$
    -- pgq.get_consumer_info(): every consumer of every queue.
    select * from pgq.get_consumer_info(null::text, null::text);
$$;

-- extension/pgq/functions/pgq.get_queue_info.sql
create or replace function pgq.get_queue_info(
    in i_queue_name text,
    out queue_name text,
    out queue_ntables integer,
    out queue_cur_table integer,
    out queue_rotation_period interval,
    out queue_switch_time timestamptz,
    out queue_external_ticker boolean,
    out queue_ticker_paused boolean,
    out queue_ticker_max_count integer,
    out queue_ticker_max_lag interval,
    out queue_ticker_idle_period interval,
    out ticker_lag interval,
    out ev_per_sec float8,
    out ev_new bigint,
    out last_tick_id bigint)
returns setof record
language plpgsql
as $$
    -- pgq.get_queue_info(i_queue_name): settings and state of one queue, or
    -- of all queues (ordered by name) when i_queue_name is NULL.
    -- Returns, besides the settings:
    --   ticker_lag    now() - time of the newest tick;
    --   ev_per_sec    events per second between the newest tick and the
    --                 oldest of the last 20 tick ids (NULL if no time passed);
    --   ev_new        events produced since the newest tick;
    --   last_tick_id  id of the newest tick.
    -- Tables: pgq.queue, pgq.tick (read).
declare
    v_q     record;
    v_last  record;
    v_old   record;
begin
    for v_q in
        select q.queue_id, q.queue_name, q.queue_ntables, q.queue_cur_table,
               q.queue_rotation_period, q.queue_switch_time, q.queue_external_ticker,
               q.queue_ticker_paused, q.queue_ticker_max_count, q.queue_ticker_max_lag,
               q.queue_ticker_idle_period, q.queue_event_seq
          from pgq.queue q
         where i_queue_name is null or q.queue_name = i_queue_name
         order by q.queue_name
    loop
        queue_name := v_q.queue_name;
        queue_ntables := v_q.queue_ntables;
        queue_cur_table := v_q.queue_cur_table;
        queue_rotation_period := v_q.queue_rotation_period;
        queue_switch_time := v_q.queue_switch_time;
        queue_external_ticker := v_q.queue_external_ticker;
        queue_ticker_paused := v_q.queue_ticker_paused;
        queue_ticker_max_count := v_q.queue_ticker_max_count;
        queue_ticker_max_lag := v_q.queue_ticker_max_lag;
        queue_ticker_idle_period := v_q.queue_ticker_idle_period;

        select t.tick_id, t.tick_time, t.tick_event_seq into v_last
          from pgq.tick t
         where t.tick_queue = v_q.queue_id
         order by t.tick_queue desc, t.tick_id desc
         limit 1;
        if found then
            select t.tick_time, t.tick_event_seq into v_old
              from pgq.tick t
             where t.tick_queue = v_q.queue_id
               and t.tick_id >= v_last.tick_id - 20
             order by t.tick_queue, t.tick_id
             limit 1;
            last_tick_id := v_last.tick_id;
            ticker_lag := now() - v_last.tick_time;
            ev_new := pgq.seq_getval(v_q.queue_event_seq) - v_last.tick_event_seq;
            if v_last.tick_time > v_old.tick_time then
                ev_per_sec := (v_last.tick_event_seq - v_old.tick_event_seq)::float8
                              / extract(epoch from v_last.tick_time - v_old.tick_time)::float8;
            else
                ev_per_sec := null;
            end if;
        else
            last_tick_id := null;
            ticker_lag := null;
            ev_new := null;
            ev_per_sec := null;
        end if;
        return next;
    end loop;
    return;
end;
$$;

create or replace function pgq.get_queue_info(
    out queue_name text,
    out queue_ntables integer,
    out queue_cur_table integer,
    out queue_rotation_period interval,
    out queue_switch_time timestamptz,
    out queue_external_ticker boolean,
    out queue_ticker_paused boolean,
    out queue_ticker_max_count integer,
    out queue_ticker_max_lag interval,
    out queue_ticker_idle_period interval,
    out ticker_lag interval,
    out ev_per_sec float8,
    out ev_new bigint,
    out last_tick_id bigint)
returns setof record
language sql
as $$
    -- pgq.get_queue_info(): get_queue_info(NULL), every queue by name.
    select * from pgq.get_queue_info(null::text);
$$;

-- extension/pgq/functions/pgq.grant_perms.sql
create or replace function pgq.grant_perms(x_queue_name text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.grant_perms(x_queue_name): give a queue's tables and sequences the
    -- privileges pgq.event_template has (tables), SELECT on both sequences to
    -- public and USAGE on the event sequence to pgq_admin.
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
    execute format('grant usage on sequence %s to pgq_admin', pgq.quote_fqname(v_q.queue_event_seq));

    return 1;
end;
$$;

-- extension/pgq/functions/pgq.insert_event.sql
create or replace function pgq.insert_event(
    queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1 .. ev_extra4):
    -- produce one event, timed now(), for every consumer of the queue.
    -- Triggers call this function by its qualified name.
    -- Returns: the event id.
    -- Errors: as pgq.insert_event_raw.
    -- Tables: pgq.queue (read), the queue's current event table.
    --
    -- This is the hottest path of pgq, so the common case (queue enabled, no
    -- per-transaction limit) is one static, plan-cached statement: it reads
    -- the queue row, takes the next id and inserts through the partitioned
    -- pgq.event_template, which routes the row to pgq.event_<id>_<cur>.
    -- When no row qualifies, pgq.insert_event_raw does the checks and
    -- raises the right error.
declare
    v_id bigint;
begin
    -- every column, in table order: the planner then drops the subquery
    -- scan it would otherwise put between the lookup and the insert
    insert into pgq.event_template as e
    select nextval(q.queue_event_seq), now(), txid_current(), null::int4, null::int4,
           insert_event.ev_type, insert_event.ev_data,
           insert_event.ev_extra1, insert_event.ev_extra2,
           insert_event.ev_extra3, insert_event.ev_extra4,
           q.queue_id, q.queue_cur_table
      from pgq.queue q
     where q.queue_name = insert_event.queue_name
       and not q.queue_disable_insert
       and q.queue_per_tx_limit is null
    returning e.ev_id into v_id;
    if v_id is not null then
        return v_id;
    end if;
    return pgq.insert_event_raw(queue_name, null, now(), null, null,
                                ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4);
end;
$$;

create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text)
returns bigint
language sql
as $$
    -- pgq.insert_event(queue_name, ev_type, ev_data): the 7-argument form
    -- with NULL extras.  A plain SQL function, so the planner inlines it.
    select pgq.insert_event(queue_name, ev_type, ev_data, null, null, null, null);
$$;

-- extension/pgq/functions/pgq.insert_event_raw.sql
create or replace function pgq.insert_event_raw(
    queue_name text, ev_id bigint, ev_time timestamptz,
    ev_owner integer, ev_retry integer, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_event_raw(queue_name, ev_id, ev_time, ev_owner, ev_retry,
    --     ev_type, ev_data, ev_extra1 .. ev_extra4): insert one event with
    -- every field given.  The queue's event sequence is always advanced
    -- first, also when ev_id is given and also when the insert is then
    -- refused: that is how the ticker notices re-inserted events.
    -- Parameters: ev_id NULL = next id from the queue's sequence; ev_time
    --   NULL = now(); ev_owner/ev_retry NULL for a fresh event.
    -- Returns: the event id.
    -- Errors: 22004 'Queue name must not be NULL'; PQ001 'No such queue';
    --   PQ005 'Insert into queue disallowed' (queue_disable_insert, unless
    --   session_replication_role is replica); PQ006 'Queue ''<q>'' allows
    --   max <n> events from one TX' (queue_per_tx_limit).
    -- Tables: pgq.queue (read), the queue's current event table.
    --
    -- pgq.insert_event(7) has a one-statement fast path for the common case
    -- and comes here for everything else.
declare
    v_id    bigint;
    v_q     record;
    v_key   text;
    v_count int4;
begin
    if insert_event_raw.queue_name is null then
        raise exception 'Queue name must not be NULL' using errcode = '22004';
    end if;

    select x.queue_id, x.queue_cur_table, x.queue_event_seq,
           x.queue_disable_insert, x.queue_per_tx_limit
      into v_q
      from pgq.queue x
     where x.queue_name = insert_event_raw.queue_name;
    if not found then
        raise exception 'No such queue' using errcode = 'PQ001';
    end if;

    v_id := nextval(v_q.queue_event_seq);

    if v_q.queue_disable_insert
       and current_setting('session_replication_role') <> 'replica' then
        raise exception 'Insert into queue disallowed' using errcode = 'PQ005';
    end if;

    if v_q.queue_per_tx_limit is not null then
        -- count kept in a transaction-local setting: gone at commit or
        -- abort, and rolled back with a savepoint like the events themselves
        v_key := 'pgq.tx_event_count_' || v_q.queue_id;
        v_count := coalesce(nullif(current_setting(v_key, true), ''), '0')::int4 + 1;
        if v_count > v_q.queue_per_tx_limit then
            raise exception 'Queue ''%'' allows max % events from one TX',
                insert_event_raw.queue_name, v_q.queue_per_tx_limit
                using errcode = 'PQ006';
        end if;
        perform set_config(v_key, v_count::text, true);
    end if;

    v_id := coalesce(insert_event_raw.ev_id, v_id);
    insert into pgq.event_template
           (ev_queue, ev_table, ev_id, ev_time, ev_owner, ev_retry,
            ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
    values (v_q.queue_id, v_q.queue_cur_table, v_id,
            coalesce(insert_event_raw.ev_time, now()),
            insert_event_raw.ev_owner, insert_event_raw.ev_retry,
            insert_event_raw.ev_type, insert_event_raw.ev_data,
            insert_event_raw.ev_extra1, insert_event_raw.ev_extra2,
            insert_event_raw.ev_extra3, insert_event_raw.ev_extra4);
    return v_id;
end;
$$;

-- extension/pgq/functions/pgq.insert_events.sql
create or replace function pgq.insert_events(
    queue_name text, ev_types text[], ev_datas text[],
    ev_extra1 text[] default null, ev_extra2 text[] default null,
    ev_extra3 text[] default null, ev_extra4 text[] default null,
    ev_times timestamptz[] default null)
returns setof bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.insert_events(queue_name, ev_types, ev_datas [, ev_extra1 ..
    -- ev_extra4 [, ev_times]]): many events in one call, in array order,
    -- exactly as that many pgq.insert_event calls would make them (not in
    -- PgQ 3.5).  The arrays are read side by side; a shorter or NULL array
    -- gives NULL fields, ev_times NULLs mean now().
    -- Returns: the new event ids, in array order.
    -- Errors: as pgq.insert_event (NULL or unknown queue, also with no
    -- events; inserts disabled; per-transaction limit), for the first
    -- event that hits one.
    -- Tables: pgq.queue (read), the queue's current event table.
    --
    -- One set-based INSERT for an enabled queue without a per-transaction
    -- limit (about four times the events/s of one insert_event call per
    -- event); one pgq.insert_event_raw call per event otherwise, so the
    -- checks and errors are insert_event's.
declare
    v_n int4 := greatest(coalesce(array_length(ev_types, 1), 0), coalesce(array_length(ev_datas, 1), 0),
                         coalesce(array_length(ev_extra1, 1), 0), coalesce(array_length(ev_extra2, 1), 0),
                         coalesce(array_length(ev_extra3, 1), 0), coalesce(array_length(ev_extra4, 1), 0),
                         coalesce(array_length(ev_times, 1), 0));
    v_done bigint;
    i int4;
begin
    if v_n = 0 then
        if queue_name is null then
            raise exception 'Queue name must not be NULL' using errcode = '22004';
        end if;
        perform 1 from pgq.queue q where q.queue_name = insert_events.queue_name;
        if not found then
            raise exception 'No such queue' using errcode = 'PQ001';
        end if;
        return;
    end if;
    return query
    insert into pgq.event_template as e
    select nextval(q.queue_event_seq), coalesce(a.tm, now()), txid_current(), null::int4, null::int4,
           a.t, a.d, a.x1, a.x2, a.x3, a.x4, q.queue_id, q.queue_cur_table
      from pgq.queue q,
           unnest(ev_types, ev_datas, ev_extra1, ev_extra2, ev_extra3, ev_extra4, ev_times)
               with ordinality as a(t, d, x1, x2, x3, x4, tm, n)
     where q.queue_name = insert_events.queue_name
       and not q.queue_disable_insert
       and q.queue_per_tx_limit is null
     order by a.n
    returning e.ev_id;
    get diagnostics v_done = row_count;
    if v_done > 0 then
        return;
    end if;
    for i in 1 .. v_n loop
        return next pgq.insert_event_raw(queue_name, null, coalesce(ev_times[i], now()), null, null,
                                         ev_types[i], ev_datas[i], ev_extra1[i], ev_extra2[i],
                                         ev_extra3[i], ev_extra4[i]);
    end loop;
end;
$$;

-- extension/pgq/functions/pgq.maint_compact.sql
create or replace function pgq.maint_compact(i_table text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_compact(i_table): rewrite pgq.subscription or pgq.tick with
    -- only their live rows.
    -- Consumers update their pgq.subscription row twice per batch, and
    -- rotation deletes ticks.  While some transaction holds the xmin horizon
    -- back (an idle-in-transaction session, a long report, a stale
    -- replication slot), VACUUM may not remove those dead row versions, and
    -- every next_batch / finish_batch has to step over more of them.  The
    -- event tables avoid that by TRUNCATE; this does the same for the two
    -- metadata tables: lock the table (NOWAIT: a table in use is skipped),
    -- keep its live rows, TRUNCATE it (a new, empty file, whatever the
    -- horizon) and put the rows back, all in one short transaction.
    -- pgq.maint_operations() lists it when a table has many more dead row
    -- versions than live ones.
    -- Caveat, as for TRUNCATE: a REPEATABLE READ or SERIALIZABLE transaction
    -- whose snapshot is older than the compaction sees the table empty.
    -- Returns: 0.
    -- Errors: 22023 for any other table.
    -- Tables: pgq.subscription or pgq.tick.
declare
    v_subs  pgq.subscription[];
    v_ticks pgq.tick[];
begin
    if i_table is null or i_table not in ('pgq.subscription', 'pgq.tick') then
        raise exception 'maint_compact: not a table it compacts: %', i_table using errcode = '22023';
    end if;
    begin
        execute format('lock table %s in access exclusive mode nowait', i_table);
    exception
        when lock_not_available then
            return 0;
    end;
    if i_table = 'pgq.subscription' then
        select array_agg(s) into v_subs from pgq.subscription s;
        truncate pgq.subscription;
        insert into pgq.subscription select * from unnest(v_subs);
    else
        select array_agg(t) into v_ticks from pgq.tick t;
        truncate pgq.tick;
        insert into pgq.tick select * from unnest(v_ticks);
    end if;
    return 0;
end;
$$;

-- extension/pgq/functions/pgq.maint_operations.sql
create or replace function pgq.maint_operations(out func_name text, out func_arg text)
returns setof record
language plpgsql
as $$
    -- pgq.maint_operations(): the maintenance a daemon should run now, in
    -- order.  Each row is a function taking func_arg (NULL = no argument)
    -- and returning an int; non-zero means "call me again now".  The name
    -- 'vacuum' means: run VACUUM on the table in func_arg.
    --   1. pgq.maint_rotate_tables_step1 for each queue due for rotation;
    --   2. pgq.maint_rotate_tables_step2, if step 1 is listed or pending;
    --   3. each function in a queue's queue_extra_maint, with the queue name;
    --   4. vacuum, for each table of pgq.maint_tables_to_vacuum();
    --   5. pgq_node.maint_watermark for each root queue, if pgq_node exists;
    --   6. londiste.root_check_seqs for each queue with local sequences on a
    --      root node, if londiste exists;
    --   7. londiste.periodic_maintenance, if it exists;
    --   8. pgq.maint_compact for pgq.subscription or pgq.tick when the
    --      statistics show more than 1000 dead row versions and ten times
    --      as many dead as live ones (a held xmin horizon keeps VACUUM from
    --      removing them; not in PgQ).
    -- Moving retried events back (pgq.maint_retry_events) is not listed:
    -- daemons run it on its own period.
    -- Tables: pgq.queue (read), pgq_node.node_info and londiste.seq_info
    --   when present.
declare
    v_q         record;
    v_step1     bool := false;
    v_fn        text;
begin
    for v_q in
        select queue_name from pgq.queue
         where queue_rotation_period is not null
           and queue_switch_step2 is not null
           and queue_switch_time + queue_rotation_period < now()
         order by queue_name
    loop
        func_name := 'pgq.maint_rotate_tables_step1';
        func_arg := v_q.queue_name;
        v_step1 := true;
        return next;
    end loop;

    if v_step1 or exists (select 1 from pgq.queue where queue_switch_step2 is null) then
        func_name := 'pgq.maint_rotate_tables_step2';
        func_arg := null;
        return next;
    end if;

    for v_q in
        select queue_name, queue_extra_maint from pgq.queue
         where queue_extra_maint is not null
         order by queue_name
    loop
        foreach v_fn in array v_q.queue_extra_maint loop
            func_name := v_fn;
            func_arg := v_q.queue_name;
            return next;
        end loop;
    end loop;

    for func_name, func_arg in
        select 'vacuum', t from pgq.maint_tables_to_vacuum() t
    loop
        return next;
    end loop;

    if to_regprocedure('pgq_node.maint_watermark(text)') is not null then
        for func_arg in
            execute 'select queue_name from pgq_node.node_info where node_type = ''root'' order by 1'
        loop
            func_name := 'pgq_node.maint_watermark';
            return next;
        end loop;
    end if;

    if to_regprocedure('londiste.root_check_seqs(text)') is not null then
        for func_arg in
            execute 'select distinct s.queue_name
                       from londiste.seq_info s, pgq_node.node_info n
                      where s.local and n.node_type = ''root'' and n.queue_name = s.queue_name
                      order by 1'
        loop
            func_name := 'londiste.root_check_seqs';
            return next;
        end loop;
    end if;

    if to_regprocedure('londiste.periodic_maintenance()') is not null then
        func_name := 'londiste.periodic_maintenance';
        func_arg := null;
        return next;
    end if;

    for func_arg in
        select t.name
          from unnest(array['pgq.subscription', 'pgq.tick']) with ordinality as t(name, ord)
         where pg_stat_get_dead_tuples(t.name::regclass) > 1000
           and pg_stat_get_dead_tuples(t.name::regclass) > 10 * pg_stat_get_live_tuples(t.name::regclass)
         order by t.ord
    loop
        func_name := 'pgq.maint_compact';
        return next;
    end loop;
    return;
end;
$$;

-- extension/pgq/functions/pgq.maint_retry_events.sql
create or replace function pgq.maint_retry_events()
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_retry_events(): move up to 10 retried events whose time has
    -- come back into their queue, earliest first.  They keep their id and
    -- time, get this transaction's txid and stay visible to their owning
    -- consumer only.  One mover at a time: a second caller waits.
    -- Returns: how many were moved; the caller repeats until it gets 0.
    -- Tables: pgq.retry_queue, pgq.queue (read), event tables.
declare
    v_ev    record;
    v_count int4 := 0;
begin
    lock table pgq.retry_queue in share update exclusive mode;
    for v_ev in
        select q.queue_name, r.ev_id, r.ev_time, r.ev_owner, r.ev_retry, r.ev_type, r.ev_data,
               r.ev_extra1, r.ev_extra2, r.ev_extra3, r.ev_extra4
          from pgq.retry_queue r
          join pgq.queue q on q.queue_id = r.ev_queue
         where r.ev_retry_after <= now()
         order by r.ev_retry_after
         limit 10
    loop
        perform pgq.insert_event_raw(v_ev.queue_name, v_ev.ev_id, v_ev.ev_time, v_ev.ev_owner,
                                     v_ev.ev_retry, v_ev.ev_type, v_ev.ev_data,
                                     v_ev.ev_extra1, v_ev.ev_extra2, v_ev.ev_extra3, v_ev.ev_extra4);
        delete from pgq.retry_queue where ev_owner = v_ev.ev_owner and ev_id = v_ev.ev_id;
        v_count := v_count + 1;
    end loop;
    return v_count;
end;
$$;

-- extension/pgq/functions/pgq.maint_rotate_tables_step1.sql
create or replace function pgq.maint_rotate_tables_step1(i_queue_name text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_rotate_tables_step1(i_queue_name): first step of table
    -- rotation.  When the queue's rotation is due (rotation_period set, the
    -- previous rotation finished: queue_switch_step2 set, and
    -- switch_time + rotation_period in the past) and no consumer may still
    -- need the oldest table, that table is emptied with TRUNCATE and becomes
    -- the current one.  Ticks that no consumer can need any more go too.
    -- "May still need": the slowest consumer's last tick has a snapshot xmin
    -- at or below queue_switch_step2, i.e. it may still read events written
    -- before the previous switch.  A long transaction holds every new tick's
    -- xmin down, so it blocks rotation too; nothing is lost, events just
    -- stay in the current table until it ends.
    -- A table that another session holds a lock on (a reader, pg_dump) is
    -- skipped, not waited for; the next maintenance run tries again.
    -- Step 2 (pgq.maint_rotate_tables_step2) must run in a later transaction.
    -- Returns: 0 (always; PgQ's convention for "do not call again now").
    -- Errors: PQ010 'queue <q> maint failure: step1=<txid>, current=<txid>'
    --   when the txid counter is behind the last rotation (the database was
    --   restored into another cluster); PQ010 'queue <q> maint failure: tick
    --   <id> not found' when a consumer's tick is missing.
    -- Tables: pgq.queue, pgq.subscription (read), pgq.tick, the queue's
    --   oldest event table (TRUNCATE).
declare
    v_q         record;
    v_min_tick  bigint;
    v_xmin      bigint;
    v_next      int4;
    v_tbl       text;
begin
    select queue_id, queue_rotation_period, queue_switch_time, queue_switch_step1,
           queue_switch_step2, queue_cur_table, queue_ntables
      into v_q
      from pgq.queue
     where queue_name = i_queue_name
       for update;
    if not found
       or v_q.queue_rotation_period is null
       or v_q.queue_switch_step2 is null
       or v_q.queue_switch_time + v_q.queue_rotation_period >= now() then
        return 0;
    end if;

    if txid_current() < v_q.queue_switch_step1 then
        raise exception 'queue % maint failure: step1=%, current=%',
            i_queue_name, v_q.queue_switch_step1, txid_current()
            using errcode = 'PQ010';
    end if;

    select min(sub_last_tick) into v_min_tick
      from pgq.subscription
     where sub_queue = v_q.queue_id;
    if v_min_tick is not null then
        select txid_snapshot_xmin(tick_snapshot) into v_xmin
          from pgq.tick
         where tick_queue = v_q.queue_id and tick_id = v_min_tick;
        if not found then
            raise exception 'queue % maint failure: tick % not found', i_queue_name, v_min_tick
                using errcode = 'PQ010';
        end if;
        if v_xmin <= v_q.queue_switch_step2 then
            return 0;
        end if;
    end if;

    v_next := (v_q.queue_cur_table + 1) % v_q.queue_ntables;
    v_tbl := 'event_' || v_q.queue_id || '_' || v_next;
    begin
        execute format('lock table pgq.%I in access exclusive mode nowait', v_tbl);
        execute format('truncate pgq.%I', v_tbl);
    exception
        when lock_not_available then
            return 0;
    end;

    update pgq.queue
       set queue_cur_table = v_next,
           queue_switch_time = now(),
           queue_switch_step1 = txid_current(),
           queue_switch_step2 = null
     where queue_id = v_q.queue_id;

    -- ticks from before the previous switch: no consumer is that far back,
    -- and keeping one rotation period more lets consumers be moved back.
    -- The newest tick always stays (PgQ may delete it on an idle queue
    -- without consumers, and then nobody can register until the next tick).
    delete from pgq.tick
     where tick_queue = v_q.queue_id
       and txid_snapshot_xmin(tick_snapshot) < v_q.queue_switch_step2
       and tick_id < (select max(t.tick_id) from pgq.tick t where t.tick_queue = v_q.queue_id);

    return 0;
end;
$$;

-- extension/pgq/functions/pgq.maint_rotate_tables_step2.sql
create or replace function pgq.maint_rotate_tables_step2()
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_rotate_tables_step2(): second step of table rotation, for
    -- every queue whose step 1 has run: records the txid of this (later)
    -- transaction, so any txid above it is known to have started after the
    -- switch was visible.  Must run in its own transaction after step 1
    -- committed; pgq-runner and pgqd run maintenance in autocommit.
    -- Returns: 0.
    -- Tables: pgq.queue.
begin
    update pgq.queue
       set queue_switch_step2 = txid_current()
     where queue_switch_step2 is null;
    return 0;
end;
$$;

-- extension/pgq/functions/pgq.maint_tables_to_vacuum.sql
create or replace function pgq.maint_tables_to_vacuum()
returns setof text
language plpgsql
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

-- extension/pgq/functions/pgq.next_batch.sql
create or replace function pgq.next_batch(i_queue_name text, i_consumer_name text)
returns int8
language sql
as $$
    -- pgq.next_batch(i_queue_name, i_consumer_name): the next batch's id, or
    -- NULL when there is nothing to do; see pgq.next_batch_custom.
    select batch_id from pgq.next_batch_custom(i_queue_name, i_consumer_name, null, null, null);
$$;

-- extension/pgq/functions/pgq.next_batch_custom.sql
create or replace function pgq.next_batch_custom(
    in i_queue_name text,
    in i_consumer_name text,
    in i_min_lag interval,
    in i_min_count int4,
    in i_min_interval interval,
    out batch_id int8,
    out cur_tick_id int8,
    out prev_tick_id int8,
    out cur_tick_time timestamptz,
    out prev_tick_time timestamptz,
    out cur_tick_event_seq int8,
    out prev_tick_event_seq int8)
returns record
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.next_batch_custom(i_queue_name, i_consumer_name, i_min_lag,
    --     i_min_count, i_min_interval): open the consumer's next batch.
    -- A batch runs from the consumer's last tick to a later tick.  While a
    -- batch is open the same batch is returned again (a consumer that crashed
    -- gets it back).  Without i_min_count and i_min_interval the batch ends
    -- at the first tick after the last one; with them, at the tick
    -- pgq.find_tick_helper picks.  With i_min_lag, a tick younger than that
    -- does not make a batch yet.  The sequence positions are only a size
    -- hint: a batch may be empty.
    -- Asking for a batch when there is none writes nothing (no row lock, no
    -- xid), so idle consumers can poll cheaply.  Two sessions asking for the
    -- same consumer's batch at once both get the one that is opened first.
    -- Returns: the batch id and both ticks' ids, times and event positions;
    --   all NULL when there is no batch to be had.
    -- Errors: PQ002 'Not subscriber to queue: <q>/<c>'; PQ010 'PgQ
    --   corruption: Consumer <c> on queue <q> does not see tick <id>'.
    -- Tables: pgq.queue, pgq.consumer, pgq.tick (read), pgq.subscription.
declare
    v_sub       record;
    v_cur       record;
begin
    select s.sub_queue, s.sub_consumer, s.sub_last_tick, s.sub_next_tick, s.sub_batch
      into v_sub
      from pgq.queue q, pgq.consumer c, pgq.subscription s
     where q.queue_name = i_queue_name
       and c.co_name = i_consumer_name
       and s.sub_queue = q.queue_id
       and s.sub_consumer = c.co_id;
    if not found then
        raise exception 'Not subscriber to queue: %/%',
            coalesce(i_queue_name, 'NULL'), coalesce(i_consumer_name, 'NULL')
            using errcode = 'PQ002';
    end if;

    select tick_id, tick_time, tick_event_seq
      into prev_tick_id, prev_tick_time, prev_tick_event_seq
      from pgq.tick
     where tick_queue = v_sub.sub_queue and tick_id = v_sub.sub_last_tick;
    if not found then
        raise exception 'PgQ corruption: Consumer % on queue % does not see tick %',
            i_consumer_name, i_queue_name, v_sub.sub_last_tick
            using errcode = 'PQ010';
    end if;

    if v_sub.sub_batch is not null then
        batch_id := v_sub.sub_batch;
        select tick_id, tick_time, tick_event_seq
          into cur_tick_id, cur_tick_time, cur_tick_event_seq
          from pgq.tick
         where tick_queue = v_sub.sub_queue and tick_id = v_sub.sub_next_tick;
        return;
    end if;

    if i_min_count is null and i_min_interval is null then
        select tick_id, tick_time, tick_event_seq
          into v_cur
          from pgq.tick
         where tick_queue = v_sub.sub_queue and tick_id > v_sub.sub_last_tick
         order by tick_queue, tick_id
         limit 1;
    else
        select h.next_tick_id as tick_id, h.next_tick_time as tick_time,
               h.next_tick_seq as tick_event_seq
          into v_cur
          from pgq.find_tick_helper(v_sub.sub_queue, prev_tick_id, prev_tick_time,
                                    prev_tick_event_seq, i_min_count, i_min_interval) h
         where h.next_tick_id is not null;
    end if;

    if v_cur.tick_id is null
       or (i_min_lag is not null and now() - v_cur.tick_time < i_min_lag) then
        prev_tick_id := null;
        prev_tick_time := null;
        prev_tick_event_seq := null;
        return;
    end if;

    batch_id := nextval('pgq.batch_id_seq');
    cur_tick_id := v_cur.tick_id;
    cur_tick_time := v_cur.tick_time;
    cur_tick_event_seq := v_cur.tick_event_seq;

    -- only if nobody opened a batch or moved the consumer meanwhile; if the
    -- row is being changed, this waits for that and then finds it changed
    update pgq.subscription
       set sub_batch = batch_id,
           sub_next_tick = cur_tick_id,
           sub_active = now()
     where sub_queue = v_sub.sub_queue
       and sub_consumer = v_sub.sub_consumer
       and sub_batch is null
       and sub_last_tick is not distinct from v_sub.sub_last_tick;
    if not found then
        -- someone else got there first: return what it did
        select * into batch_id, cur_tick_id, prev_tick_id, cur_tick_time, prev_tick_time,
                      cur_tick_event_seq, prev_tick_event_seq
          from pgq.next_batch_custom(i_queue_name, i_consumer_name, i_min_lag, i_min_count, i_min_interval);
    end if;
    return;
end;
$$;

-- extension/pgq/functions/pgq.next_batch_info.sql
create or replace function pgq.next_batch_info(
    in i_queue_name text,
    in i_consumer_name text,
    out batch_id int8,
    out cur_tick_id int8,
    out prev_tick_id int8,
    out cur_tick_time timestamptz,
    out prev_tick_time timestamptz,
    out cur_tick_event_seq int8,
    out prev_tick_event_seq int8)
returns record
language sql
as $$
    -- pgq.next_batch_info(i_queue_name, i_consumer_name): the next batch and
    -- its ticks; pgq.next_batch_custom without limits.
    select * from pgq.next_batch_custom(i_queue_name, i_consumer_name, null, null, null);
$$;

-- extension/pgq/functions/pgq.quote_fqname.sql
create or replace function pgq.quote_fqname(i_name text)
returns text
language plpgsql immutable strict
as $$
    -- pgq.quote_fqname(i_name): quote a possibly schema-qualified name.
    -- Splits on the first dot; a name without a dot is taken to be in
    -- schema public.  Both parts go through quote_ident.
    -- Returns: 'schema.name' with each part quoted as needed.
    -- (PL/pgSQL, not SQL: the ticker calls it for every queue, and a SQL
    -- function that cannot be inlined is planned anew on each call.)
    -- Tables: none.
declare
    v_pos int4 := pg_catalog.strpos(i_name, '.');
begin
    if v_pos = 0 then
        return 'public.' || pg_catalog.quote_ident(i_name);
    end if;
    return pg_catalog.quote_ident(pg_catalog.substr(i_name, 1, v_pos - 1)) || '.'
           || pg_catalog.quote_ident(pg_catalog.substr(i_name, v_pos + 1));
end;
$$;

-- extension/pgq/functions/pgq.register_consumer.sql
create or replace function pgq.register_consumer(x_queue_name text, x_consumer_id text)
returns int4
language sql
as $$
    -- pgq.register_consumer(x_queue_name, x_consumer_id): subscribe a
    -- consumer at the queue's newest tick; see pgq.register_consumer_at.
    select pgq.register_consumer_at(x_queue_name, x_consumer_id, null);
$$;

-- extension/pgq/functions/pgq.register_consumer_at.sql
create or replace function pgq.register_consumer_at(x_queue_name text, x_consumer_name text, x_tick_pos bigint)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.register_consumer_at(x_queue_name, x_consumer_name, x_tick_pos):
    -- subscribe a consumer to a queue, or move an existing subscription.
    -- A new subscription starts at x_tick_pos, or at the newest tick when it
    -- is NULL, and sees the events committed after that tick.  An existing
    -- one is repositioned to x_tick_pos (its open batch is dropped) or, with
    -- NULL, left alone.
    -- Returns: 1 for a new subscription, 0 when it existed.
    -- Errors: PQ001 'Event queue not created yet'; PQ004 'cannot reposition,
    --   tick not found: <pos>'; PQ004 'No ticks for this queue.  Please run
    --   ticker on database.'
    -- Tables: pgq.queue, pgq.tick (read), pgq.consumer, pgq.subscription.
declare
    v_queue_id  int4;
    v_co_id     int4;
    v_tick      bigint;
begin
    select queue_id into v_queue_id from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not created yet' using errcode = 'PQ001';
    end if;

    -- consumer row: create it, or lock it against a concurrent unregister
    select co_id into v_co_id from pgq.consumer where co_name = x_consumer_name for update;
    if not found then
        perform pgq._serial_catch_up('pgq.consumer_co_id_seq', (select max(co_id) from pgq.consumer));
        insert into pgq.consumer (co_name) values (x_consumer_name)
            on conflict (co_name) do nothing;
        select co_id into v_co_id from pgq.consumer where co_name = x_consumer_name for update;
    end if;

    if x_tick_pos is not null then
        perform 1 from pgq.tick where tick_queue = v_queue_id and tick_id = x_tick_pos;
        if not found then
            raise exception 'cannot reposition, tick not found: %', x_tick_pos
                using errcode = 'PQ004';
        end if;
    end if;

    perform 1 from pgq.subscription
     where sub_queue = v_queue_id and sub_consumer = v_co_id
       for update;
    if found then
        if x_tick_pos is not null then
            update pgq.subscription
               set sub_last_tick = x_tick_pos,
                   sub_batch = null,
                   sub_next_tick = null,
                   sub_active = now()
             where sub_queue = v_queue_id and sub_consumer = v_co_id;
        end if;
        return 0;
    end if;

    if x_tick_pos is null then
        select tick_id into v_tick
          from pgq.tick
         where tick_queue = v_queue_id
         order by tick_queue desc, tick_id desc
         limit 1;
        if not found then
            raise exception 'No ticks for this queue.  Please run ticker on database.'
                using errcode = 'PQ004';
        end if;
    else
        v_tick := x_tick_pos;
    end if;

    perform pgq._serial_catch_up('pgq.subscription_sub_id_seq', (select max(sub_id) from pgq.subscription));
    insert into pgq.subscription (sub_queue, sub_consumer, sub_last_tick)
    values (v_queue_id, v_co_id, v_tick);
    return 1;
end;
$$;

-- extension/pgq/functions/pgq.seq_getval.sql
create or replace function pgq.seq_getval(i_seq_name text)
returns bigint
language plpgsql strict
as $$
    -- pgq.seq_getval(i_seq_name): the sequence's last_value, without
    -- advancing it.  Like reading the sequence relation itself, a sequence
    -- that was never used reports its start value.
    -- Parameters: i_seq_name, optionally schema-qualified (default: public).
    -- Errors: 42P01 when the sequence does not exist.
    -- Tables: the named sequence (read).
    -- (PL/pgSQL, not SQL: the ticker calls it for every queue, and a SQL
    -- function that cannot be inlined is planned anew on each call.)
declare
    v_seq regclass := pgq.quote_fqname(i_seq_name)::regclass;
    v_val bigint;
begin
    v_val := pg_catalog.pg_sequence_last_value(v_seq);
    if v_val is null then
        select seqstart into v_val from pg_catalog.pg_sequence where seqrelid = v_seq;
    end if;
    return v_val;
end;
$$;

-- extension/pgq/functions/pgq.seq_setval.sql
create or replace function pgq.seq_setval(i_seq_name text, i_new_value int8)
returns bigint
language plpgsql strict
as $$
    -- pgq.seq_setval(i_seq_name, i_new_value): move a sequence forward.
    -- The sequence is set only when i_new_value is above its current value;
    -- it never goes backwards.
    -- Returns: the sequence's value afterwards.
    -- Errors: 42P01 when the sequence does not exist.
    -- Tables: the named sequence.
declare
    v_cur bigint;
begin
    v_cur := pgq.seq_getval(i_seq_name);
    if i_new_value > v_cur then
        perform pg_catalog.setval(pgq.quote_fqname(i_seq_name)::regclass, i_new_value);
        return i_new_value;
    end if;
    return v_cur;
end;
$$;

-- extension/pgq/functions/pgq.set_queue_config.sql
create or replace function pgq.set_queue_config(x_queue_name text, x_param_name text, x_param_value text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.set_queue_config(x_queue_name, x_param_name, x_param_value):
    -- change one queue setting.
    -- Parameters: x_param_name is one of ticker_max_count, ticker_max_lag,
    --   ticker_idle_period, ticker_paused, rotation_period, external_ticker
    --   (PgQ takes it without the 'queue_' prefix; the prefixed form is
    --   accepted too).  x_param_value is cast to the column's type.
    -- Returns: 1.
    -- Errors: 22004 'Invalid NULL value' (queue or parameter NULL);
    --   PQ001 'No such event queue'; 22023 'cannot change parameter "<name>s"'
    --   (PgQ's text, stray s included); 22023 for a negative count or interval;
    --   the cast's own error for a value of the wrong type.
    -- Tables: pgq.queue.
declare
    v_param text;
    v_ok    bool;
begin
    if x_queue_name is null or x_param_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;

    perform 1 from pgq.queue where queue_name = x_queue_name for update;
    if not found then
        raise exception 'No such event queue' using errcode = 'PQ001';
    end if;

    v_param := case when x_param_name like 'queue\_%' then x_param_name
                    else 'queue_' || x_param_name end;
    if v_param not in ('queue_ticker_max_count', 'queue_ticker_max_lag',
                       'queue_ticker_idle_period', 'queue_ticker_paused',
                       'queue_rotation_period', 'queue_external_ticker') then
        raise exception 'cannot change parameter "%s"', x_param_name
            using errcode = '22023';
    end if;

    -- PgQ takes any value the column accepts; a negative lag, period or
    -- count only ever makes the ticker or rotation misbehave, so refuse it
    if x_param_value is not null then
        v_ok := case v_param
            when 'queue_ticker_max_count' then x_param_value::int4 >= 0
            when 'queue_ticker_max_lag' then x_param_value::interval >= interval '0'
            when 'queue_ticker_idle_period' then x_param_value::interval >= interval '0'
            when 'queue_rotation_period' then x_param_value::interval >= interval '0'
            else true
        end;
        if not v_ok then
            raise exception 'invalid value for parameter "%": %', x_param_name, x_param_value
                using errcode = '22023';
        end if;
    end if;

    execute format('update pgq.queue set %I = %L where queue_name = $1', v_param, x_param_value)
        using x_queue_name;

    return 1;
end;
$$;

-- extension/pgq/functions/pgq.ticker.sql
create or replace function pgq.ticker(i_queue_name text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.ticker(i_queue_name): make a tick for the queue if it is due.
    -- Rule (PgQ 3.5), with lag = now() - newest tick's time and new_events =
    -- event sequence - newest tick's event_seq:
    --   no tick yet                                       -> tick;
    --   new_events > 0: skip while new_events < ticker_max_count and
    --                   lag < ticker_max_lag, else tick;
    --   idle: with gap = time between the two newest ticks, skip while
    --         lag < ticker_max_lag/2 or (lag < 2*gap and lag < idle_period),
    --         else tick (idle ticks back off up to ticker_idle_period).
    -- A tick stores now() (the transaction's start) and the snapshot of the
    -- inserting statement, and sends one notification on channel
    -- 'pgq.<queue name>' (cut to 63 bytes) with payload '<queue name>' so
    -- that listening consumers wake up when the ticking transaction commits.
    -- Returns: the new tick id, or NULL when no tick was due.
    -- Errors: PQ001 'no such queue'; PQ007 'This queue has external tick
    --   source.' / 'Ticker has been paused for this queue'; PQ010 'Invalid
    --   PgQ state: old xmin=.., old xmax=.., cur txid=..' when the txid
    --   counter is behind the newest tick (database restored into another
    --   cluster).  Warnings 'Negative new_events?  old=.. cur=..' and
    --   'Dubious PgQ state: old xmax=.., cur txid=..'.
    -- Tables: pgq.queue (read), pgq.tick.
declare
    v_q         record;
    v_last      record;
    v_prev_time timestamptz;
    v_seq       bigint;
    v_new       bigint;
    v_lag       interval;
    v_txid      bigint;
    v_tick_id   bigint;
begin
    select queue_id, queue_event_seq, queue_tick_seq, queue_external_ticker,
           queue_ticker_paused, queue_ticker_max_count, queue_ticker_max_lag,
           queue_ticker_idle_period
      into v_q
      from pgq.queue
     where queue_name = i_queue_name;
    if not found then
        raise exception 'no such queue' using errcode = 'PQ001';
    end if;
    if v_q.queue_external_ticker then
        raise exception 'This queue has external tick source.' using errcode = 'PQ007';
    end if;
    if v_q.queue_ticker_paused then
        raise exception 'Ticker has been paused for this queue' using errcode = 'PQ007';
    end if;

    v_seq := pgq.seq_getval(v_q.queue_event_seq);

    -- the newest tick, and the time of the one before it (for the idle
    -- back-off), in one scan
    select t.tick_id, t.tick_time, t.tick_event_seq,
           txid_snapshot_xmin(t.tick_snapshot) as xmin,
           txid_snapshot_xmax(t.tick_snapshot) as xmax,
           (select p.tick_time from pgq.tick p
             where p.tick_queue = v_q.queue_id and p.tick_id < t.tick_id
             order by p.tick_queue desc, p.tick_id desc
             limit 1) as prev_time
      into v_last
      from pgq.tick t
     where t.tick_queue = v_q.queue_id
     order by t.tick_queue desc, t.tick_id desc
     limit 1;

    if found then
        -- the next txid to be assigned; unlike txid_current() it does not
        -- give the ticking transaction an xid when no tick is made
        v_txid := txid_snapshot_xmax(txid_current_snapshot());
        if v_last.xmin > v_txid then
            raise exception 'Invalid PgQ state: old xmin=%, old xmax=%, cur txid=%',
                v_last.xmin, v_last.xmax, v_txid
                using errcode = 'PQ010';
        end if;
        if v_last.xmax > v_txid then
            raise warning 'Dubious PgQ state: old xmax=%, cur txid=%', v_last.xmax, v_txid;
        end if;

        v_new := v_seq - v_last.tick_event_seq;
        if v_new < 0 then
            raise warning 'Negative new_events?  old=% cur=%', v_last.tick_event_seq, v_seq;
        end if;
        v_lag := now() - v_last.tick_time;

        if v_new > 0 then
            if v_new < v_q.queue_ticker_max_count and v_lag < v_q.queue_ticker_max_lag then
                return null;
            end if;
        else
            v_prev_time := v_last.prev_time;
            if v_prev_time is not null then
                if v_lag < v_q.queue_ticker_max_lag / 2
                   or (v_lag < 2 * (v_last.tick_time - v_prev_time)
                       and v_lag < v_q.queue_ticker_idle_period) then
                    return null;
                end if;
            end if;
        end if;
    end if;

    insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
    values (v_q.queue_id, nextval(v_q.queue_tick_seq), v_seq)
    returning tick_id into v_tick_id;
    perform pg_notify(pgq._tick_channel(i_queue_name), i_queue_name);
    return v_tick_id;
end;
$$;

create or replace function pgq.ticker()
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.ticker(): pgq.ticker(queue) for every queue that is neither
    -- externally ticked nor paused, in name order, in the caller's one
    -- transaction.  This is what pgq-runner and pgqd call every period.
    -- Returns: how many ticks were made.
    -- Tables: pgq.queue (read), pgq.tick.
declare
    v_name  text;
    v_count bigint := 0;
begin
    for v_name in
        select queue_name from pgq.queue
         where not queue_external_ticker and not queue_ticker_paused
         order by queue_name
    loop
        if pgq.ticker(v_name) is not null then
            v_count := v_count + 1;
        end if;
    end loop;
    return v_count;
end;
$$;

create or replace function pgq.ticker(i_queue_name text, i_tick_id bigint,
                                      i_orig_timestamp timestamptz, i_event_seq bigint)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.ticker(i_queue_name, i_tick_id, i_orig_timestamp, i_event_seq):
    -- an external tick, for queues whose ticks come from elsewhere
    -- (cascaded branch and leaf nodes).  Stores the given id, time and event
    -- position with the current snapshot, then moves the queue's tick and
    -- event sequences forward to them.
    -- Returns: i_tick_id.
    -- Errors: PQ007 'queue not found or ticker disabled: <q>' unless the
    --   queue exists, is externally ticked and not paused; 23505 when the
    --   tick id exists already.
    -- Tables: pgq.queue (read), pgq.tick.
declare
    v_q record;
begin
    select queue_id, queue_tick_seq, queue_event_seq into v_q
      from pgq.queue
     where queue_name = i_queue_name
       and queue_external_ticker
       and not queue_ticker_paused;
    if not found then
        raise exception 'queue not found or ticker disabled: %', i_queue_name
            using errcode = 'PQ007';
    end if;

    insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)
    values (v_q.queue_id, i_tick_id, i_orig_timestamp, i_event_seq);

    perform pgq.seq_setval(v_q.queue_tick_seq, i_tick_id);
    perform pgq.seq_setval(v_q.queue_event_seq, i_event_seq);

    return i_tick_id;
end;
$$;

-- extension/pgq/functions/pgq.tune_storage.sql
create or replace function pgq.tune_storage(i_queue_name text)
returns int4
language plpgsql strict
as $$
    -- pgq.tune_storage(i_queue_name): storage settings for a queue's event
    -- tables.  They are insert-only and emptied by TRUNCATE, so pages are
    -- filled completely and autovacuum is switched off for them.
    -- Returns: 1, or 0 when the queue does not exist.
    -- Tables: pgq.queue (read); ALTER TABLE on pgq.event_<id>_<n>.
declare
    v_q record;
    i   int4;
begin
    select queue_id, queue_ntables into v_q from pgq.queue where queue_name = i_queue_name;
    if not found then
        return 0;
    end if;
    for i in 0 .. v_q.queue_ntables - 1 loop
        execute format('alter table pgq.%I set (fillfactor = 100, autovacuum_enabled = off,'
                       ' toast.autovacuum_enabled = off)',
                       'event_' || v_q.queue_id || '_' || i);
    end loop;
    return 1;
end;
$$;

-- extension/pgq/functions/pgq.unregister_consumer.sql
create or replace function pgq.unregister_consumer(x_queue_name text, x_consumer_name text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.unregister_consumer(x_queue_name, x_consumer_name): end a
    -- subscription.  Drops the consumer's events waiting in the retry queue,
    -- every subscription row sharing its sub_id (cooperative sub-consumers)
    -- and consumer rows left without any subscription.  A cooperative
    -- sub-consumer (a row sharing its sub_id with others whose last and next
    -- ticks are both NULL or both set) is removed alone.
    -- Returns: 0 when not registered; 1 for a lone sub-consumer; else the
    --   number of subscription rows removed.
    -- Tables: pgq.queue, pgq.consumer, pgq.subscription, pgq.retry_queue.
declare
    v_sub       record;
    v_count     int4;
begin
    select s.sub_id, s.sub_queue, s.sub_consumer, s.sub_last_tick, s.sub_next_tick
      into v_sub
      from pgq.queue q, pgq.consumer c, pgq.subscription s
     where q.queue_name = x_queue_name
       and c.co_name = x_consumer_name
       and s.sub_queue = q.queue_id
       and s.sub_consumer = c.co_id
       for update of s, c;
    if not found then
        return 0;
    end if;

    select count(*) into v_count
      from pgq.subscription
     where sub_queue = v_sub.sub_queue and sub_id = v_sub.sub_id;

    if v_count > 1
       and ((v_sub.sub_last_tick is null and v_sub.sub_next_tick is null)
            or (v_sub.sub_last_tick is not null and v_sub.sub_next_tick is not null)) then
        delete from pgq.subscription
         where sub_queue = v_sub.sub_queue and sub_consumer = v_sub.sub_consumer;
        delete from pgq.consumer c
         where c.co_id = v_sub.sub_consumer
           and not exists (select 1 from pgq.subscription s where s.sub_consumer = c.co_id);
        return 1;
    end if;

    delete from pgq.retry_queue
     where ev_queue = v_sub.sub_queue and ev_owner = v_sub.sub_id;

    with gone as (
        delete from pgq.subscription
         where sub_queue = v_sub.sub_queue and sub_id = v_sub.sub_id
        returning sub_consumer
    )
    delete from pgq.consumer c
     using gone g
     where c.co_id = g.sub_consumer
       and not exists (select 1 from pgq.subscription s
                        where s.sub_consumer = c.co_id
                          and not (s.sub_queue = v_sub.sub_queue and s.sub_id = v_sub.sub_id));
    return v_count;
end;
$$;

-- extension/pgq/functions/pgq.upgrade_schema.sql
create or replace function pgq.upgrade_schema()
returns int4
language plpgsql
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

-- extension/pgq/functions/pgq.version.sql
create or replace function pgq.version()
returns text
language sql immutable
as $$
    -- pgq.version(): the version of this pgq, as a constant.
    -- Returns the same text whether pgq was installed with CREATE EXTENSION
    -- or as a plain script, so that pgqd (which needs a first character of
    -- '3' or above) never skips a database.  The build fills the constant
    -- from pgq.control.
    -- Tables: none.
    select '4.0'::text;
$$;

-- extension/pgq/triggers/pgq.jsontriga.sql
create or replace function pgq.jsontriga()
returns trigger
language plpgsql
as $$
    -- pgq.jsontriga(queue [, args]): queue an event for each row change (or
    -- TRUNCATE) of the table; see pgq._trigger_event for the arguments and
    -- README for the event format.  A BEFORE trigger with SKIP queues the
    -- event and skips the row operation.
begin
    if pgq._trigger_event('jsontriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV,
                          case when TG_OP in ('INSERT', 'UPDATE') then NEW::text end,
                          case when TG_OP in ('UPDATE', 'DELETE') then OLD::text end) then
        return null;
    end if;
    if TG_WHEN <> 'BEFORE' or TG_LEVEL <> 'ROW' then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$;

-- extension/pgq/triggers/pgq.jsontriga_bulk.sql
create or replace function pgq.jsontriga_bulk()
returns trigger
language plpgsql
as $$
    -- pgq.jsontriga_bulk(queue [, args]): the statement-level form of
    -- pgq.jsontriga: the same events, in row order, made in one set-based pass
    -- over the statement's transition tables.  One trigger per event:
    --   create trigger t_ins after insert on t referencing new table as pgq_new
    --       for each statement execute function pgq.jsontriga_bulk('queue');
    --   ... after update ... referencing old table as pgq_old new table as pgq_new ...
    --   ... after delete ... referencing old table as pgq_old ...
declare
    v_sql text;
begin
    -- the statements must run here: only this function's queries see the
    -- transition tables
    foreach v_sql in array pgq._bulk_trigger_sql('jsontriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV) loop
        begin
            execute v_sql;
        exception
            when undefined_table then
                raise exception 'pgq.jsontriga_bulk needs REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS pgq_old (update, delete): %', sqlerrm
                    using errcode = '22023';
        end;
    end loop;
    return null;
end;
$$;

-- extension/pgq/triggers/pgq.logutriga.sql
create or replace function pgq.logutriga()
returns trigger
language plpgsql
as $$
    -- pgq.logutriga(queue [, args]): queue an event for each row change (or
    -- TRUNCATE) of the table; see pgq._trigger_event for the arguments and
    -- README for the event format.  A BEFORE trigger with SKIP queues the
    -- event and skips the row operation.
begin
    if pgq._trigger_event('logutriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV,
                          case when TG_OP in ('INSERT', 'UPDATE') then NEW::text end,
                          case when TG_OP in ('UPDATE', 'DELETE') then OLD::text end) then
        return null;
    end if;
    if TG_WHEN <> 'BEFORE' or TG_LEVEL <> 'ROW' then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$;

-- extension/pgq/triggers/pgq.logutriga_bulk.sql
create or replace function pgq.logutriga_bulk()
returns trigger
language plpgsql
as $$
    -- pgq.logutriga_bulk(queue [, args]): the statement-level form of
    -- pgq.logutriga: the same events, in row order, made in one set-based pass
    -- over the statement's transition tables.  One trigger per event:
    --   create trigger t_ins after insert on t referencing new table as pgq_new
    --       for each statement execute function pgq.logutriga_bulk('queue');
    --   ... after update ... referencing old table as pgq_old new table as pgq_new ...
    --   ... after delete ... referencing old table as pgq_old ...
declare
    v_sql text;
begin
    -- the statements must run here: only this function's queries see the
    -- transition tables
    foreach v_sql in array pgq._bulk_trigger_sql('logutriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV) loop
        begin
            execute v_sql;
        exception
            when undefined_table then
                raise exception 'pgq.logutriga_bulk needs REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS pgq_old (update, delete): %', sqlerrm
                    using errcode = '22023';
        end;
    end loop;
    return null;
end;
$$;

-- extension/pgq/triggers/pgq.sqltriga.sql
create or replace function pgq.sqltriga()
returns trigger
language plpgsql
as $$
    -- pgq.sqltriga(queue [, args]): queue an event for each row change (or
    -- TRUNCATE) of the table; see pgq._trigger_event for the arguments and
    -- README for the event format.  A BEFORE trigger with SKIP queues the
    -- event and skips the row operation.
begin
    if pgq._trigger_event('sqltriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV,
                          case when TG_OP in ('INSERT', 'UPDATE') then NEW::text end,
                          case when TG_OP in ('UPDATE', 'DELETE') then OLD::text end) then
        return null;
    end if;
    if TG_WHEN <> 'BEFORE' or TG_LEVEL <> 'ROW' then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$;

-- extension/pgq/triggers/pgq.sqltriga_bulk.sql
create or replace function pgq.sqltriga_bulk()
returns trigger
language plpgsql
as $$
    -- pgq.sqltriga_bulk(queue [, args]): the statement-level form of
    -- pgq.sqltriga: the same events, in row order, made in one set-based pass
    -- over the statement's transition tables.  One trigger per event:
    --   create trigger t_ins after insert on t referencing new table as pgq_new
    --       for each statement execute function pgq.sqltriga_bulk('queue');
    --   ... after update ... referencing old table as pgq_old new table as pgq_new ...
    --   ... after delete ... referencing old table as pgq_old ...
declare
    v_sql text;
begin
    -- the statements must run here: only this function's queries see the
    -- transition tables
    foreach v_sql in array pgq._bulk_trigger_sql('sqltriga', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_ARGV) loop
        begin
            execute v_sql;
        exception
            when undefined_table then
                raise exception 'pgq.sqltriga_bulk needs REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS pgq_old (update, delete): %', sqlerrm
                    using errcode = '22023';
        end;
    end loop;
    return null;
end;
$$;

select pgq.upgrade_schema();

-- Privileges of the pgq schema (PgQ 3.5 grants.ini).  Every function loses
-- its default PUBLIC execute first; then each group gets what it needs.
--   public:     schema usage, read-only status functions, table SELECTs
--   pgq_reader: consumers (register, batches, retry)
--   pgq_writer: producers (insert_event, triggers)
--   pgq_admin:  ticker, maintenance, queue administration (member of both)

grant usage on schema pgq to public;

do $grants$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid::regprocedure
          from pg_catalog.pg_proc p
         where p.pronamespace = 'pgq'::regnamespace
    loop
        execute format('revoke all on function %s from public', v_fn);
    end loop;
end;
$grants$;

grant execute on function
    pgq.seq_getval(text),
    pgq.get_queue_info(),
    pgq.get_queue_info(text),
    pgq.get_consumer_info(),
    pgq.get_consumer_info(text),
    pgq.get_consumer_info(text, text),
    pgq.quote_fqname(text),
    pgq.version(),
    pgq._tick_channel(text)
to public;

grant execute on function
    pgq.batch_event_sql(bigint),
    pgq.batch_event_tables(bigint),
    pgq.find_tick_helper(int4, int8, timestamptz, int8, int8, interval),
    pgq.register_consumer(text, text),
    pgq.register_consumer_at(text, text, bigint),
    pgq.unregister_consumer(text, text),
    pgq.next_batch_info(text, text),
    pgq.next_batch(text, text),
    pgq.next_batch_custom(text, text, interval, int4, interval),
    pgq.get_batch_events(bigint),
    pgq.get_batch_info(bigint),
    pgq.get_batch_cursor(bigint, text, int4, text),
    pgq.get_batch_cursor(bigint, text, int4),
    pgq.event_retry(bigint, bigint, timestamptz),
    pgq.event_retry(bigint, bigint, integer),
    pgq.batch_retry(bigint, integer),
    pgq.force_tick(text),
    pgq.finish_batch(bigint)
to pgq_reader;

grant execute on function
    pgq.insert_event(text, text, text),
    pgq.insert_event(text, text, text, text, text, text, text),
    pgq.insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[]),
    pgq.current_event_table(text),
    pgq.logutriga(),
    pgq.sqltriga(),
    pgq.jsontriga()
to pgq_writer;

-- the triggers' helpers run with the rights of whoever changes the table,
-- as the triggers do; like pgq.insert_event they are for pgq_writer
grant execute on function
    pgq._trigger_event(text, text, text, text, oid, text[], text, text),
    pgq._trigger_expr(text, oid, text, text),
    pgq._trigger_args(text[]),
    pgq._trigger_table(oid),
    pgq._row_fields(text),
    pgq._urlencode(text),
    pgq._urlencode_bytes(text),
    pgq._urlencode_row(text[], text[], text[]),
    pgq._sql_fragment(text, text[], text[], text[], text[], text[], text[]),
    pgq._json_row(text[], oid[], text[], text[]),
    pgq._json_ev_type(text, text, text, text[]),
    pgq.logutriga_bulk(),
    pgq.sqltriga_bulk(),
    pgq.jsontriga_bulk(),
    pgq._bulk_trigger_sql(text, text, text, text, oid, text[]),
    pgq._bulk_error(text, text),
    pgq._bulk_text(text, text),
    pgq._bulk_encode(text, text, text[], oid[], text[]),
    pgq._bulk_changed(text[], text[], text, text),
    pgq._bulk_sql_fragment(text, text[], text[], text[]),
    pgq._null_key(),
    pgq._insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[])
to pgq_writer;

grant execute on function
    pgq.ticker(text, bigint, timestamptz, bigint),
    pgq.ticker(text),
    pgq.ticker(),
    pgq.maint_retry_events(),
    pgq.maint_rotate_tables_step1(text),
    pgq.maint_rotate_tables_step2(),
    pgq.maint_tables_to_vacuum(),
    pgq.maint_operations(),
    pgq.maint_compact(text),
    pgq.upgrade_schema(),
    pgq.grant_perms(text),
    pgq._grant_perms_from(text, text, text, text),
    pgq.tune_storage(text),
    pgq.seq_setval(text, int8),
    pgq.create_queue(text),
    pgq.drop_queue(text, bool),
    pgq.drop_queue(text),
    pgq.set_queue_config(text, text, text),
    pgq.insert_event_raw(text, bigint, timestamptz, integer, integer, text, text, text, text, text, text),
    pgq.event_retry_raw(text, text, timestamptz, bigint, timestamptz, integer, text, text, text, text, text, text)
to pgq_admin;

grant select, insert, update, delete on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription to pgq_admin;
grant select on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription to pgq_reader;
grant select on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription to public;
grant select on pgq.event_template to pgq_reader;
grant select, insert, truncate on pgq.event_template to pgq_admin;
grant select, insert, update, delete on pgq.retry_queue to pgq_admin;

-- Extension mode only: pg_dump dumps the contents of these tables, so a
-- restored database keeps its queues, consumers and positions.  Per-queue
-- tables are not extension members and are dumped as ordinary tables.
select pg_catalog.pg_extension_config_dump('pgq.queue', '');
select pg_catalog.pg_extension_config_dump('pgq.consumer', '');
select pg_catalog.pg_extension_config_dump('pgq.tick', '');
select pg_catalog.pg_extension_config_dump('pgq.subscription', '');
select pg_catalog.pg_extension_config_dump('pgq.event_template', '');
select pg_catalog.pg_extension_config_dump('pgq.retry_queue', '');
select pg_catalog.pg_extension_config_dump('pgq.batch_id_seq', '');
