// The queue systems the consumer-side benchmarks compare, behind one shape:
// a channel that each of k consumers must read whole, a producer that
// writes events in one transaction, and readers that take what is ready
// and acknowledge it.
//   - pgq (ours) and PgQ 3.5 (C, or its PL/pgSQL variant): one queue, k
//     registered consumers; batches end at ticks (boundary() ticks); the
//     producer is the driver's insertEvents (ours: pgq.insert_events, one
//     set-based INSERT; PgQ 3.5 has none: one insert_event per event).
//   - pg-boss 10 and graphile-worker 0.17 have no fan-out: a channel read by
//     k consumers is k queues (k task identifiers), and the producer writes
//     one job per consumer.
import pg from "pg";
import PgBoss from "pg-boss";
import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from "graphile-worker";
import { PgqClient } from "../src/index.js";
import { client, freshDb, referenceDb, scalar, sleep, type SystemId } from "./lib.js";

/** A consumer's view of a channel. */
export interface Reader {
  /** Payloads now ready, already acknowledged; null when there were none. */
  take(): Promise<string[] | null>;
  close(): Promise<void>;
}

export interface QueueSystem {
  readonly id: SystemId;
  readonly label: string;
  readonly db: string;
  /** Whether readers poll (take() returns null until the next poll may find work). */
  readonly polls: boolean;
  setup(): Promise<void>;
  /** A channel that `consumers` consumers each read whole. */
  create(channel: string, consumers: number): Promise<void>;
  /** Writes payloads to channel in one transaction (one copy per consumer where there is no fan-out). */
  produce(channel: string, payloads: string[]): Promise<void>;
  /** Ends a batch: events produced so far become visible to readers (pgq: a tick). */
  boundary(channel: string): Promise<void>;
  /** Reader number i of channel; batch = most events one take() returns. */
  reader(channel: string, i: number, batch: number): Promise<Reader>;
  /** Runs the ticker every ms milliseconds until the returned stop is called (no-op without ticks). */
  startTicker(channel: string, ms: number): Promise<() => Promise<void>>;
  /** Bytes of event/job storage (tables, indexes and TOAST). */
  storage(): Promise<number>;
  close(): Promise<void>;
}

const consumerName = (i: number) => `c${i}`;

/** Bytes of the tables (with indexes and TOAST) of schema whose names are LIKE pattern. */
async function schemaBytes(c: pg.Client, schema: string, pattern = "%"): Promise<number> {
  return Number(await scalar<string>(c, `select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname like $2 and c.relkind = 'r'`, [schema, pattern]));
}

/** pgq (ours) or PgQ 3.5: same SQL API, different installation. */
export class PgqSystem implements QueueSystem {
  readonly polls = true;
  private admin!: pg.Client;
  /** onDemand: the queues' ticker_on_demand (ours, pgq 4.1): a tick as soon as events commit, at most this often. */
  constructor(readonly id: "ours" | "c" | "pl", readonly label: string, readonly db: string,
              readonly onDemand?: string) {}

  async setup(): Promise<void> {
    if (this.id === "ours") {
      await freshDb(this.db);
      this.admin = await client(this.db);
      await this.admin.query("create extension pgq");
    } else {
      referenceDb(this.db, this.id);
      this.admin = await client(this.db);
    }
  }

  async create(channel: string, consumers: number): Promise<void> {
    await this.admin.query("select pgq.create_queue($1)", [channel]);
    // pgq.ticker(queue) then ticks whenever there are new events
    // on demand, the interval decides (max_lag 0 would tick at every call)
    if (this.onDemand === undefined) {
      await this.admin.query("update pgq.queue set queue_ticker_max_lag = '0' where queue_name = $1", [channel]);
    } else {
      await this.admin.query("select pgq.set_queue_config($1, 'ticker_on_demand', $2)", [channel, this.onDemand]);
    }
    for (let i = 0; i < consumers; i++) {
      await this.admin.query("select pgq.register_consumer($1, $2)", [channel, consumerName(i)]);
    }
  }

  /** Through the driver's insertEvents: pgq.insert_events for ours, insert_event per event for PgQ 3.5. */
  async produce(channel: string, payloads: string[]): Promise<void> {
    await new PgqClient(this.admin).insertEvents(channel, payloads.map((data) => ({ type: "t", data })));
  }

  async boundary(channel: string): Promise<void> {
    await this.admin.query("select pgq.ticker($1)", [channel]);
  }

  async startTicker(channel: string, ms: number): Promise<() => Promise<void>> {
    const c = await client(this.db);
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        await c.query("select pgq.ticker($1)", [channel]);
        await sleep(ms);
      }
    })();
    return async () => {
      stop = true;
      await loop;
      await c.end();
    };
  }

  async reader(channel: string, i: number): Promise<Reader> {
    const c = await client(this.db);
    return {
      async take() {
        const r = await c.query("select pgq.next_batch($1, $2) as batch_id", [channel, consumerName(i)]);
        const batch = r.rows[0]?.batch_id as string | null;
        if (batch == null) return null;
        const ev = await c.query("select ev_data from pgq.get_batch_events($1)", [batch]);
        await c.query("select pgq.finish_batch($1)", [batch]);
        return ev.rows.map((x) => x.ev_data as string);
      },
      close: () => c.end(),
    };
  }

  storage(): Promise<number> {
    return schemaBytes(this.admin, "pgq", "event\\_%");
  }

  /**
   * Rotates the event tables until every one of them has been truncated:
   * consumer c0 (done with its events) passes each switch with an empty
   * batch, as a live consumer would.
   */
  async rotate(channel: string): Promise<void> {
    const a = this.admin;
    await a.query("update pgq.queue set queue_rotation_period = '0' where queue_name = $1", [channel]);
    const ntables = await scalar<number>(a, "select queue_ntables from pgq.queue where queue_name = $1", [channel]);
    for (let i = 0; i <= ntables; i++) {
      await a.query("select pgq.maint_rotate_tables_step1($1)", [channel]);
      await a.query("select pgq.maint_rotate_tables_step2()");
      await a.query("select pgq.force_tick($1)", [channel]);
      await a.query("select pgq.ticker($1)", [channel]);
      const batch = await scalar<string | null>(a, "select pgq.next_batch($1, 'c0')", [channel]);
      if (batch !== null) await a.query("select pgq.finish_batch($1)", [batch]);
    }
  }

  async close(): Promise<void> {
    await this.admin.end();
  }
}

const quietLogger = new Logger(() => () => {});

/**
 * A job queue without fan-out: a channel read by k consumers is k queues
 * (`<channel>_<i>`), nothing to tick, storage = the tables of its schema.
 */
abstract class JobQueueSystem {
  protected admin!: pg.Client;
  private fanout = new Map<string, number>();
  constructor(readonly db: string, private readonly schema: string) {}

  protected consumers(channel: string, consumers: number): void {
    this.fanout.set(channel, consumers);
  }

  /** One job per payload for each consumer of channel. */
  protected copies<J>(channel: string, payloads: string[], job: (queue: string, p: string) => J): J[] {
    const jobs: J[] = [];
    for (let i = 0; i < this.fanout.get(channel)!; i++) {
      for (const p of payloads) jobs.push(job(`${channel}_${i}`, p));
    }
    return jobs;
  }

  async boundary(): Promise<void> {}

  async startTicker(): Promise<() => Promise<void>> {
    return async () => {};
  }

  storage(): Promise<number> {
    return schemaBytes(this.admin, this.schema);
  }
}

export class PgBossSystem extends JobQueueSystem implements QueueSystem {
  readonly id = "pgboss" as const;
  readonly label = "pg-boss 10.4.2";
  readonly polls = true;
  private boss!: PgBoss;
  constructor(db: string) {
    super(db, "pgboss");
  }

  async setup(): Promise<void> {
    await freshDb(this.db);
    this.boss = new PgBoss({ database: this.db, max: 24, supervise: false, schedule: false });
    this.boss.on("error", (err) => console.error("pg-boss:", err));
    await this.boss.start();
    this.admin = await client(this.db);
  }

  async create(channel: string, consumers: number): Promise<void> {
    for (let i = 0; i < consumers; i++) await this.boss.createQueue(`${channel}_${i}`);
    this.consumers(channel, consumers);
  }

  async produce(channel: string, payloads: string[]): Promise<void> {
    await this.boss.insert(this.copies(channel, payloads, (name, p): PgBoss.JobInsert => ({ name, data: { p } })));
  }

  async reader(channel: string, i: number, batch: number): Promise<Reader> {
    const boss = this.boss;
    const name = `${channel}_${i}`;
    return {
      async take() {
        const jobs = await boss.fetch<{ p: string }>(name, { batchSize: batch });
        if (jobs.length === 0) return null;
        await boss.complete(name, jobs.map((j) => j.id));
        return jobs.map((j) => j.data.p);
      },
      close: async () => {},
    };
  }

  async vacuum(): Promise<void> {
    const r = await this.admin.query(`select format('%I.%I', n.nspname, c.relname) as t
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'pgboss' and c.relkind = 'r'`);
    for (const row of r.rows) await this.admin.query(`vacuum ${row.t as string}`);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
    await this.admin.end();
  }
}

export class GraphileSystem extends JobQueueSystem implements QueueSystem {
  readonly id = "graphile" as const;
  readonly label = "graphile-worker 0.17.3";
  readonly polls = false;
  private utils!: WorkerUtils;
  /** Jobs one runner works on at once. */
  static readonly CONCURRENCY = 4;
  constructor(db: string) {
    super(db, "graphile_worker");
  }

  async setup(): Promise<void> {
    await freshDb(this.db);
    this.utils = await makeWorkerUtils({ connectionString: `postgres:///${this.db}`, logger: quietLogger });
    await this.utils.migrate();
    this.admin = await client(this.db);
  }

  async create(channel: string, consumers: number): Promise<void> {
    this.consumers(channel, consumers);
  }

  async produce(channel: string, payloads: string[]): Promise<void> {
    await this.utils.addJobs(this.copies(channel, payloads, (identifier, p) => ({ identifier, payload: { p } })));
  }

  /**
   * A runner that works only on this consumer's task; take() hands over what
   * it completed.  Its local queue fetches (and locks) `batch` jobs at a time
   * and completions are batched (graphile-worker 0.16's batching).
   */
  async reader(channel: string, i: number, batch: number): Promise<Reader> {
    let done: string[] = [];
    const runner: Runner = await run({
      connectionString: `postgres:///${this.db}`,
      concurrency: GraphileSystem.CONCURRENCY,
      maxPoolSize: GraphileSystem.CONCURRENCY + 1,
      pollInterval: 1000,
      noHandleSignals: true,
      logger: quietLogger,
      preset: { worker: { localQueue: { size: batch }, completeJobBatchDelay: 0 } },
      taskList: {
        [`${channel}_${i}`]: async (payload) => {
          done.push((payload as { p: string }).p);
        },
      },
    });
    return {
      async take() {
        if (done.length === 0) {
          await sleep(2);
          return null;
        }
        const out = done;
        done = [];
        return out;
      },
      close: () => runner.stop(),
    };
  }

  async vacuum(): Promise<void> {
    await this.admin.query("vacuum graphile_worker._private_jobs");
  }

  async close(): Promise<void> {
    await this.utils.release();
    await this.admin.end();
  }
}
