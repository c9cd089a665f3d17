// Every statement the driver runs, named and parameterised.  The driver
// only calls pgq functions; it never writes pgq's tables itself.
export const sql = {
  version: "select pgq.version() as version",
  createQueue: "select pgq.create_queue($1) as created",
  dropQueue: "select pgq.drop_queue($1, $2) as dropped",
  setQueueConfig: "select pgq.set_queue_config($1, $2, $3) as ok",
  queueInfo: "select * from pgq.get_queue_info($1::text)",
  consumerInfo: "select * from pgq.get_consumer_info($1::text, $2::text)",
  insertEvent: "select pgq.insert_event($1, $2, $3, $4, $5, $6, $7) as ev_id",
  insertEvents:
    "select pgq.insert_event($1, e.t, e.d, e.x1, e.x2, e.x3, e.x4) as ev_id" +
    " from rows from (pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::text[])," +
    " pg_catalog.unnest($5::text[]), pg_catalog.unnest($6::text[]), pg_catalog.unnest($7::text[]))" +
    " with ordinality as e(t, d, x1, x2, x3, x4, n) order by e.n",
  insertEventsArray: "select pgq.insert_events($1, $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) as ev_id",
  hasInsertEvents:
    "select pg_catalog.to_regprocedure('pgq.insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[])') is not null as has",
  registerConsumer: "select pgq.register_consumer($1, $2) as created",
  registerConsumerAt: "select pgq.register_consumer_at($1, $2, $3) as created",
  unregisterConsumer: "select pgq.unregister_consumer($1, $2) as removed",
  ticker: "select pgq.ticker() as ticks",
  tickerQueue: "select pgq.ticker($1) as tick_id",
  forceTick: "select pgq.force_tick($1) as tick_id",
  tickChannel: "select pgq._tick_channel($1) as channel",
  hasTickChannel: "select pg_catalog.to_regprocedure('pgq._tick_channel(text)') is not null as has",
  nextBatch: "select * from pgq.next_batch_custom($1, $2, $3::interval, $4::int4, $5::interval)",
  batchCursor: "select * from pgq.get_batch_cursor($1, $2, $3, $4)",
  eventRetry: "select pgq.event_retry($1, $2, $3::integer) as ok",
  finishBatch: "select pgq.finish_batch($1) as ok",
  maintOperations: "select func_name, func_arg from pgq.maint_operations()",
  maintRetry: "select pgq.maint_retry_events() as moved",
  isBatchDone: "select pgq_ext.is_batch_done($1, $2) as done",
  setBatchDone: "select pgq_ext.set_batch_done($1, $2) as ok",
  getLastTick: "select pgq_ext.get_last_tick($1) as tick_id",
  setLastTick: "select pgq_ext.set_last_tick($1, $2) as ok",

  // Cooperative consumers (pgq_coop): the subconsumer's batch, with what
  // pgq.next_batch_custom would say about it (pgq.get_batch_info, all NULL
  // when there is no batch)
  coopRegister: "select pgq_coop.register_subconsumer($1, $2, $3) as created",
  coopUnregister: "select pgq_coop.unregister_subconsumer($1, $2, $3, $4) as removed",
  coopNextBatch:
    "select b.batch_id, i.tick_id as cur_tick_id, i.prev_tick_id, i.batch_end as cur_tick_time," +
    " i.batch_start as prev_tick_time, i.seq_end as cur_tick_event_seq, i.seq_start as prev_tick_event_seq" +
    " from pgq_coop.next_batch_custom($1, $2, $3, $4::interval, $5::int4, $6::interval, $7::interval) b(batch_id)" +
    " left join lateral pgq.get_batch_info(b.batch_id) i on true",
  // the heartbeat of a subconsumer busy with its batch: next_batch returns
  // the batch it holds and marks it seen; a min_lag no tick can meet keeps
  // it from opening a new one should the batch have been taken over
  coopTouch: "select pgq_coop.next_batch_custom($1, $2, $3, '1000 years', null, null, null) as batch_id",
  coopFinishBatch: "select pgq_coop.finish_batch($1) as ok",
  intervalMs: "select pg_catalog.date_part('epoch', $1::interval) * 1000 as ms",
  // exactly once for subconsumers: done when any of the names (this one
  // and the peers whose batches it may take over) recorded it
  isBatchDoneAny:
    "select coalesce(pg_catalog.bool_or(pgq_ext.is_batch_done($1, s, $3)), false) as done from pg_catalog.unnest($2::text[]) s",
  setBatchDoneSub: "select pgq_ext.set_batch_done($1, $2, $3) as ok",
  lastTicksAny: "select pgq_ext.get_last_tick($1, s)::text as tick_id from pg_catalog.unnest($2::text[]) s",
  setLastTickSub: "select pgq_ext.set_last_tick($1, $2, $3) as ok",

  // Trust: the first object that a role other than a superuser or the
  // session's own role owns, among the schemas $1 (the schema, its
  // functions, relations, types, operators, and the functions of triggers
  // on its tables), or among schema $1 and its functions named $2.
  untrustedObject: `
    with objs(ord, kind, name, owner) as (
        select 1, 'schema', n.nspname::text, n.nspowner
          from pg_catalog.pg_namespace n
         where n.nspname::text = any($1::text[])
        union all
        select 2, 'function', p.oid::regprocedure::text, p.proowner
          from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
         where n.nspname::text = any($1::text[])
        union all
        select 3, case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'view'
                                 when 'i' then 'index' when 'I' then 'index' else 'table' end,
               c.oid::regclass::text, c.relowner
          from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
         where n.nspname::text = any($1::text[])
        union all
        select 4, 'type', t.oid::regtype::text, t.typowner
          from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
         where n.nspname::text = any($1::text[])
        union all
        select 4, 'operator', o.oid::regoperator::text, o.oprowner
          from pg_catalog.pg_operator o join pg_catalog.pg_namespace n on n.oid = o.oprnamespace
         where n.nspname::text = any($1::text[])
        union all
        select 5, 'trigger function', p.oid::regprocedure::text, p.proowner
          from pg_catalog.pg_trigger g
          join pg_catalog.pg_class c on c.oid = g.tgrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          join pg_catalog.pg_proc p on p.oid = g.tgfoid
         where n.nspname::text = any($1::text[]) and not g.tgisinternal
    )
    select o.kind, o.name, r.rolname::text as owner
      from objs o join pg_catalog.pg_roles r on r.oid = o.owner
     where not r.rolsuper and r.rolname <> current_user
     order by o.ord, o.name
     limit 1`,
  untrustedFunction: `
    with objs(ord, kind, name, owner) as (
        select 1, 'schema', n.nspname::text, n.nspowner
          from pg_catalog.pg_namespace n
         where n.nspname = $1
        union all
        select 2, 'function', p.oid::regprocedure::text, p.proowner
          from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
         where n.nspname = $1 and p.proname = $2
    )
    select o.kind, o.name, r.rolname::text as owner
      from objs o join pg_catalog.pg_roles r on r.oid = o.owner
     where not r.rolsuper and r.rolname <> current_user
     order by o.ord, o.name
     limit 1`,
  // A function of schema $1 named $2 that is no maintenance function: one
  // returning a set or anything but an integer (every maintenance function
  // of PgQ, pgq_node and londiste returns int4).
  unfitMaintFunction: `
    select p.oid::pg_catalog.regprocedure::pg_catalog.text as name,
           case when p.proretset then 'setof ' else '' end || pg_catalog.format_type(p.prorettype, null) as returns
      from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     where n.nspname = $1 and p.proname = $2
       and (p.proretset or p.prorettype not in ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype,
                                                'pg_catalog.int8'::pg_catalog.regtype))
     order by 1
     limit 1`,
} as const;
