// pgq-runner's work: on each database, pgq.ticker() every ticker_period,
// the rows of pgq.maint_operations() every maint_period and
// pgq.maint_retry_events() every retry_period, each on its own connection
// (as pgqd does), so a slow maintenance step never delays ticks.
// Databases come from database_list or are discovered every check_period.
// Errors are logged, never fatal: a lost connection is opened again with
// backoff.  stop() lets every loop finish the step it is in.
import pg from "pg";
import format from "pg-format";
import type { RunnerConfig } from "./config.js";
import { safeSession } from "../db.js";
import { errorText, type Logger } from "../log.js";
import { untrustedFunction, untrustedSchemas } from "../trust.js";

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

interface Counters {
  ticks: number;
  maint: number;
  retries: number;
}

/** One connection, opened on demand and again after errors or its lifetime. */
class Conn {
  private client: pg.Client | undefined;
  private since = 0;
  constructor(private readonly config: pg.ClientConfig, private readonly lifetimeMs: number,
              private readonly onLost: (err: unknown) => void = () => undefined) {}

  async get(): Promise<pg.Client> {
    if (this.client && Date.now() - this.since > this.lifetimeMs) await this.close();
    if (!this.client) {
      const c = new pg.Client(this.config);
      c.on("error", (err) => {
        // the server ended an idle connection (a restart, a terminated
        // backend): the next step opens a new one
        if (this.client === c) {
          this.client = undefined;
          this.onLost(err);
        }
      });
      await c.connect();
      this.client = c;
      this.since = Date.now();
    }
    return this.client;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}

/** The three loops of one database. */
export class DbWorker {
  readonly counters: Counters = { ticks: 0, maint: 0, retries: 0 };
  private readonly ctl = new AbortController();
  private readonly done: Promise<unknown>;
  private ready = false;
  private readonly ctx: { db: string };
  /** Warnings given already (an untrusted maintenance function is named every round). */
  private readonly warned = new Set<string>();

  constructor(readonly dbname: string, private readonly cfg: RunnerConfig, private readonly log: Logger) {
    this.ctx = { db: dbname };
    const conf = safeSession({ ...cfg.base, database: dbname, application_name: "pgq-runner" });
    const sig = this.ctl.signal;
    this.done = Promise.all([
      this.tickerLoop(new Conn(conf, cfg.connectionLifetime * 1000,
        (err) => this.log.warning(`ticker: connection lost (${errorText(err)}); reconnecting`, this.ctx)), sig),
      this.periodic("maint", cfg.maintPeriod, new Conn(conf, cfg.connectionLifetime * 1000), (c) => this.maint(c), sig),
      this.periodic("retry", cfg.retryPeriod, new Conn(conf, cfg.connectionLifetime * 1000), (c) => this.retry(c), sig),
    ]);
  }

  /** Lets the current steps finish, then closes the connections. */
  async stop(): Promise<void> {
    this.ctl.abort();
    await this.done;
  }

  private async tickerLoop(conn: Conn, signal: AbortSignal): Promise<void> {
    let backoff = 500;
    let reported = "";
    while (!signal.aborted) {
      try {
        const c = await conn.get();
        if (!this.ready) {
          const why = await this.notServable(c);
          if (why) {
            if (why.msg !== reported) {
              if (why.untrusted) this.log.warning(why.msg, this.ctx);
              else this.log.info(`${why.msg}; checking again every ${this.cfg.checkPeriod}s`, this.ctx);
            }
            reported = why.msg;
            await conn.close();
            await sleep(this.cfg.checkPeriod * 1000, signal);
            continue;
          }
          this.ready = true;
          reported = "";
          this.log.info("pgq found, ticking", this.ctx);
        }
        const r = await c.query("select pgq.ticker() as n");
        this.counters.ticks += Number(r.rows[0].n);
        backoff = 500;
        await sleep(this.cfg.tickerPeriod * 1000, signal);
      } catch (err) {
        this.log.error(`ticker: ${errorText(err)}; reconnecting in ${backoff / 1000}s`, this.ctx);
        this.ready = false;
        await conn.close();
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
    await conn.close();
  }

  /**
   * Why this database cannot be served now, or undefined.  Nothing in pgq
   * is called before its owners are known to be trusted.
   */
  private async notServable(c: pg.Client): Promise<{ msg: string; untrusted?: boolean } | undefined> {
    const ns = await c.query("select 1 from pg_catalog.pg_namespace where nspname = 'pgq'");
    if (ns.rowCount === 0) return { msg: "no pgq schema" };
    const bad = await untrustedSchemas(c, ["pgq"]);
    if (bad) return { msg: `${bad}, skipping`, untrusted: true };
    const v = await c.query("select pgq.version() as v");
    const version = (v.rows[0]?.v as string | null) ?? "";
    if (!(version.charAt(0) >= "3")) return { msg: `bad pgq version "${version}", ignoring` };
    return undefined;
  }

  private async periodic(name: string, period: number, conn: Conn, step: (c: pg.Client) => Promise<void>,
                         signal: AbortSignal): Promise<void> {
    let backoff = 500;
    while (!signal.aborted) {
      if (!this.ready) {
        await sleep(200, signal);
        continue;
      }
      try {
        await step(await conn.get());
        backoff = 500;
        await sleep(period * 1000, signal);
      } catch (err) {
        this.log.error(`${name}: ${errorText(err)}; again in ${backoff / 1000}s`, this.ctx);
        await conn.close();
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 20_000);
      }
    }
    await conn.close();
  }

  /**
   * pgq.maint_operations(): each row repeated while it returns non-zero;
   * 'vacuum' rows as statements.  A pgq without maint_operations (before
   * 3.1) gets what pgqd did then: step 1 per queue, step 2, and VACUUM of
   * pgq.maint_tables_to_vacuum().
   */
  private async maint(c: pg.Client): Promise<void> {
    const has = await c.query(`select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                                where n.nspname = 'pgq' and p.proname = 'maint_operations'`);
    const ops = has.rowCount
      ? await c.query("select func_name, func_arg from pgq.maint_operations()")
      : await c.query(`select 'pgq.maint_rotate_tables_step1' as func_name, queue_name as func_arg from pgq.get_queue_info()
                       union all select 'pgq.maint_rotate_tables_step2', null
                       union all select 'vacuum', t from pgq.maint_tables_to_vacuum() t`);
    for (const op of ops.rows as { func_name: string; func_arg: string | null }[]) {
      const fn = op.func_name;
      if (/^vacuum( analyze)?$/i.test(fn)) {
        await c.query(`${fn} ${quoteName(op.func_arg ?? "")}`);
        this.counters.maint++;
        continue;
      }
      // maint_operations names functions outside pgq too (queue_extra_maint,
      // pgq_node, londiste): only those of trusted owners are called
      const bad = await untrustedFunction(c, fn.split("."));
      if (bad) {
        const msg = `maint: not calling ${fn}: ${bad}`;
        if (!this.warned.has(msg)) this.log.warning(msg, this.ctx);
        this.warned.add(msg);
        continue;
      }
      const call = op.func_arg === null ? `select ${quoteName(fn)}() as r` : `select ${quoteName(fn)}($1) as r`;
      for (let i = 0; i < 1000; i++) {
        const r = await c.query(call, op.func_arg === null ? [] : [op.func_arg]);
        this.counters.maint++;
        const first = r.rows[0] ? Object.values(r.rows[0] as object)[0] : 0;
        if (first === null || String(first) === "0") break;
      }
      if (fn.endsWith("maint_rotate_tables_step1")) this.log.debug("rotation step 1", { ...this.ctx, queue: op.func_arg ?? "" });
    }
  }

  /** pgq.maint_retry_events() until it moves nothing. */
  private async retry(c: pg.Client): Promise<void> {
    for (;;) {
      const r = await c.query("select pgq.maint_retry_events() as n");
      const n = Number(r.rows[0].n);
      this.counters.retries += n;
      if (n === 0) break;
    }
  }
}

/** 'schema.name' with each part quoted as an identifier. */
export function quoteName(name: string): string {
  return name.split(".").map((p) => format.ident(p)).join(".");
}

/** All databases: discovery, workers, stats. */
export class Runner {
  private readonly workers = new Map<string, DbWorker>();
  private readonly ctl = new AbortController();
  private running: Promise<unknown> | undefined;
  private cfg: RunnerConfig;

  constructor(cfg: RunnerConfig, private readonly log: Logger) {
    this.cfg = cfg;
  }

  start(): void {
    this.log.info(`starting, config ${this.cfg.source}`);
    this.running = Promise.all([this.discoverLoop(), this.statsLoop()]);
  }

  /** Replaces the configuration (SIGHUP) and re-checks the databases. */
  async reload(cfg: RunnerConfig): Promise<void> {
    this.log.info(`reloaded config ${cfg.source}`);
    this.cfg = cfg;
    for (const w of [...this.workers.values()]) await this.drop(w.dbname);
    this.wakeDiscovery?.();
  }

  /** Graceful stop: every loop finishes its current step. */
  async stop(): Promise<void> {
    this.ctl.abort();
    await this.running;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
    this.log.info("stopped");
  }

  databases(): string[] {
    return [...this.workers.keys()].sort();
  }

  private wakeDiscovery: (() => void) | undefined;

  private async discoverLoop(): Promise<void> {
    const signal = this.ctl.signal;
    while (!signal.aborted) {
      try {
        const wanted = this.cfg.databaseList.length > 0 ? [...this.cfg.databaseList] : await this.discover();
        for (const db of wanted) if (!this.workers.has(db)) this.workers.set(db, new DbWorker(db, this.cfg, this.log));
        for (const db of [...this.workers.keys()]) {
          if (!wanted.includes(db)) {
            this.log.info("database gone, stopping", { db });
            await this.drop(db);
          }
        }
      } catch (err) {
        this.log.error(`database discovery: ${errorText(err)}`, { db: this.cfg.initialDatabase });
      }
      await new Promise<void>((resolve) => {
        this.wakeDiscovery = resolve;
        void sleep(this.cfg.checkPeriod * 1000, signal).then(resolve);
      });
    }
  }

  private async drop(db: string): Promise<void> {
    const w = this.workers.get(db);
    this.workers.delete(db);
    await w?.stop();
  }

  private async discover(): Promise<string[]> {
    const c = new pg.Client(safeSession({ ...this.cfg.base, database: this.cfg.initialDatabase, application_name: "pgq-runner" }));
    c.on("error", () => undefined);
    await c.connect();
    try {
      const r = await c.query("select datname from pg_catalog.pg_database where not datistemplate and datallowconn order by 1");
      return r.rows.map((x: { datname: string }) => x.datname);
    } finally {
      await c.end();
    }
  }

  private async statsLoop(): Promise<void> {
    const signal = this.ctl.signal;
    while (!signal.aborted) {
      await sleep(this.cfg.statsPeriod * 1000, signal);
      for (const w of this.workers.values()) {
        const { ticks, maint, retries } = w.counters;
        if (ticks + maint + retries > 0) {
          this.log.info(`${ticks} ticks, ${maint} maintenance calls, ${retries} events back from retry`, { db: w.dbname });
        }
        w.counters.ticks = w.counters.maint = w.counters.retries = 0;
      }
    }
  }
}
