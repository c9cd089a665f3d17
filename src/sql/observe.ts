// Observability: pgq-runner's /metrics and status page, pgqadm status.
export const observe = {
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
