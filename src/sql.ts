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
  // On-demand ticking (pgq 4.1): producers of a queue with
  // queue_ticker_on_demand NOTIFY this channel with the queue's name.
  listenNewEvents: "listen pgq_new_events",
  // Ticks such a queue if it is due; when it is not (its newest tick is
  // younger than queue_ticker_on_demand), how many seconds until it is.
  // No row for a queue that is gone, not on demand, paused or external.
  tickOnDemand:
    "select t.tick_id, case when t.tick_id is null then pg_catalog.date_part('epoch', q.queue_ticker_on_demand" +
    " operator(pg_catalog.-) (pg_catalog.now() operator(pg_catalog.-) (select pg_catalog.max(k.tick_time) from pgq.tick k" +
    " where k.tick_queue operator(pg_catalog.=) q.queue_id))) end as wait_s" +
    " from pgq.queue q, lateral (select pgq.ticker(q.queue_name) as tick_id) t" +
    " where q.queue_name operator(pg_catalog.=) $1 and q.queue_ticker_on_demand is not null" +
    " and not q.queue_external_ticker and not q.queue_ticker_paused",
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

  // Dead letters (pgq 4.1)
  eventRetryReason: "select pgq.event_retry($1, $2, $3::integer, $4::text) as ok",
  eventDead: "select pgq.event_dead($1, $2, $3::text) as ok",
  deadLetters: "select * from pgq.get_dead_letters($1, $2::text)",
  replayDeadLetters: "select pgq.replay_dead_letters($1, $2, $3::bigint) as n",
  purgeDeadLetters: "select pgq.purge_dead_letters($1, $2::text, $3::bigint) as n",
  // perEvent in exactly-once mode: one event's writes in the target
  eventSavepoint: "savepoint pgq_event",
  eventRelease: "release savepoint pgq_event",
  eventRollback: "rollback to savepoint pgq_event",

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
  // returning a set, or anything but an integer or a row of OUT parameters
  // whose first is an integer (every maintenance function of PgQ and
  // pgq_node returns int4; londiste.root_check_seqs returns (ret_code int4,
  // ret_note text), which pgqd calls once: atoi() of the row is 0).
  unfitMaintFunction: `
    select p.oid::pg_catalog.regprocedure::pg_catalog.text as name,
           case when p.proretset then 'setof ' else '' end || pg_catalog.format_type(p.prorettype, null) as returns
      from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     where n.nspname = $1 and p.proname = $2
       and (p.proretset
            or p.prorettype not in ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype,
                                    'pg_catalog.int8'::pg_catalog.regtype, 'pg_catalog.record'::pg_catalog.regtype)
            or p.prorettype = 'pg_catalog.record'::pg_catalog.regtype
               and not coalesce((select a.typ
                                   from rows from (pg_catalog.unnest(p.proallargtypes), pg_catalog.unnest(p.proargmodes))
                                        with ordinality as a(typ, mode, ord)
                                  where a.mode operator(pg_catalog.=) any ('{o,b,t}'::"char"[])
                                  order by a.ord
                                  limit 1) in ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype,
                                               'pg_catalog.int8'::pg_catalog.regtype), false))
     order by 1
     limit 1`,

  // Observability (pgq-runner's /metrics and status page, pgqadm status
  // --json): everything about one database in one statement, from pgq's
  // tables (the same in PgQ 3.5), so a scrape costs one round trip however
  // many queues there are.  Reads only: it assigns no transaction id.
  // Rotation of a queue is due when its period has passed since the last
  // switch and step 2 of that switch is done; it is blocked when the
  // slowest consumer's tick has a snapshot xmin at or below step 2 (what
  // pgq.maint_rotate_tables_step1 checks).  Who blocks: a consumer whose
  // tick is that old while a newer tick would free it, and/or the oldest
  // running transaction with a txid at or below step 2 (it holds every new
  // tick's xmin down).  Transactions are cluster-wide: any database's
  // holds the snapshots.
  observe: `
    with snap as (
        select pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot()) as xmax, pg_catalog.now() as now
    ),
    xids as (
        select a.backend_xid::text::int8 as x32, a.pid, a.datname::text as db, a.usename::text as usr,
               a.application_name::text as app, a.state::text as state, a.xact_start as started, null::text as gid
          from pg_catalog.pg_stat_activity a
         where a.backend_xid is not null
        union all
        select p.transaction::text::int8, null, p.database::text, p.owner::text, null, 'prepared', p.prepared, p.gid
          from pg_catalog.pg_prepared_xacts p
    ),
    xacts as (
        -- a 32-bit xid made a 64-bit txid: a running one is within 2^31
        -- of the snapshot's xmax (on either side: one assigned after the
        -- last commit is at or past xmax, and not in the snapshot's list)
        select snap.xmax + ((x.x32 - snap.xmax % 4294967296) + 6442450944) % 4294967296 - 2147483648 as txid, x.*
          from snap cross join xids x
    ),
    oldest as (
        select * from xacts order by txid limit 1
    ),
    q as (
        select q.queue_id, q.queue_name, q.queue_rotation_period, q.queue_switch_time, q.queue_switch_step2,
               q.queue_external_ticker, q.queue_ticker_paused, q.queue_ticker_max_count, q.queue_ticker_max_lag,
               q.queue_ticker_idle_period, pgq.seq_getval(q.queue_event_seq) as ev_seq,
               lt.tick_id, lt.tick_time, lt.tick_event_seq, lt.xmin as last_xmin,
               ot.tick_time as old_time, ot.tick_event_seq as old_seq,
               (q.queue_rotation_period is not null and q.queue_switch_step2 is not null
                and q.queue_switch_time + q.queue_rotation_period < snap.now) as due
          from snap cross join pgq.queue q
          left join lateral (
                select t.tick_id, t.tick_time, t.tick_event_seq, pg_catalog.txid_snapshot_xmin(t.tick_snapshot) as xmin
                  from pgq.tick t where t.tick_queue = q.queue_id
                 order by t.tick_queue desc, t.tick_id desc limit 1) lt on true
          left join lateral (
                select t.tick_time, t.tick_event_seq
                  from pgq.tick t where t.tick_queue = q.queue_id and t.tick_id >= lt.tick_id - 20
                 order by t.tick_queue, t.tick_id limit 1) ot on true
    ),
    c as (
        select s.sub_queue, co.co_name, s.sub_last_tick, s.sub_batch, s.sub_next_tick, s.sub_active,
               t.tick_time, t.tick_event_seq, pg_catalog.txid_snapshot_xmin(t.tick_snapshot) as xmin
          from pgq.subscription s
          join pgq.consumer co on co.co_id = s.sub_consumer
          left join pgq.tick t on t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick
    ),
    low as (
        select distinct on (sub_queue) sub_queue, xmin
          from c where sub_last_tick is not null
         order by sub_queue, sub_last_tick
    ),
    qs as (
        select q.*, q.due and low.xmin <= q.queue_switch_step2 as blocked,
               q.due and low.xmin <= q.queue_switch_step2 and oldest.txid <= q.queue_switch_step2 as xact_blocks
          from q
          left join low on low.sub_queue = q.queue_id
          left join oldest on true
    )
    select extract(epoch from snap.now)::float8 as now,
           pgq.version() as pgq_version,
           pg_catalog.current_setting('server_version') as server_version,
           (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                'queue', qs.queue_name,
                'rotation_period', extract(epoch from qs.queue_rotation_period)::float8,
                'rotation_age', extract(epoch from snap.now - qs.queue_switch_time)::float8,
                'external_ticker', qs.queue_external_ticker,
                'ticker_paused', qs.queue_ticker_paused,
                'ticker_max_count', qs.queue_ticker_max_count,
                'ticker_max_lag', extract(epoch from qs.queue_ticker_max_lag)::float8,
                'ticker_idle_period', extract(epoch from qs.queue_ticker_idle_period)::float8,
                'ticker_lag', extract(epoch from snap.now - qs.tick_time)::float8,
                'ev_per_sec', case when qs.tick_time > qs.old_time
                                   then (qs.tick_event_seq - qs.old_seq)::float8
                                        / extract(epoch from qs.tick_time - qs.old_time)::float8 end,
                'ev_new', qs.ev_seq - qs.tick_event_seq,
                'last_tick', qs.tick_id::text,
                'rotation_due', qs.due,
                'rotation_blocked', coalesce(qs.blocked, false),
                'blocking_xact', coalesce(qs.xact_blocks, false)
            ) order by qs.queue_name), '[]') from qs) as queues,
           (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                'queue', q.queue_name,
                'consumer', c.co_name,
                'lag', extract(epoch from snap.now - c.tick_time)::float8,
                'behind', extract(epoch from q.tick_time - c.tick_time)::float8,
                'last_seen', extract(epoch from snap.now - c.sub_active)::float8,
                'last_tick', c.sub_last_tick::text,
                'batch', c.sub_batch::text,
                'next_tick', c.sub_next_tick::text,
                'pending_events', q.tick_event_seq - c.tick_event_seq,
                'blocks_rotation', coalesce(q.due and c.xmin <= q.queue_switch_step2
                                                       and q.last_xmin > q.queue_switch_step2, false)
            ) order by q.queue_name, c.co_name), '[]')
              from c join q on q.queue_id = c.sub_queue) as consumers,
           (select pg_catalog.json_build_object(
                'txid', o.txid::text, 'pid', o.pid, 'database', o.db, 'user', o.usr, 'application', o.app,
                'state', o.state, 'gid', o.gid, 'age', extract(epoch from snap.now - o.started)::float8)
              from oldest o) as oldest_xact,
           (select pg_catalog.max(a) from (
                select pg_catalog.age(backend_xmin) as a from pg_catalog.pg_stat_activity
                 where backend_xmin is not null and pid <> pg_catalog.pg_backend_pid()
                union all select pg_catalog.age(backend_xid) from pg_catalog.pg_stat_activity where backend_xid is not null
                union all select pg_catalog.age(xmin) from pg_catalog.pg_replication_slots where xmin is not null
                union all select pg_catalog.age(catalog_xmin) from pg_catalog.pg_replication_slots where catalog_xmin is not null
                union all select pg_catalog.age(transaction) from pg_catalog.pg_prepared_xacts) h) as xmin_horizon_age
      from snap`,
} as const;
