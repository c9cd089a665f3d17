// pgq-runner's work: on each database, pgq.ticker() every ticker_period
// (and, between, pgq.ticker(queue) for on-demand queues as soon as their
// producers signal new events),
// the rows of pgq.maint_operations() every maint_period and
// pgq.maint_retry_events() every retry_period, each on its own connection
// (as pgqd does), so a slow maintenance step never delays ticks.
// Databases come from database_list or are discovered every check_period.
// Errors are logged, never fatal: a lost connection is opened again with
// backoff.  stop() lets every loop finish the step it is in.
import pg from "pg";
import type { RunnerConfig } from "./config.js";
import { SafeClient, type SafeClientConfig } from "../db.js";
import { sql } from "../sql/index.js";
import { Waker } from "../loop/waker.js";
import { sleep } from "../loop/sleep.js";
import { BACKOFF, runLoop } from "../loop/backoff.js";
import { Reconnecting } from "../loop/connection.js";
import { errorText, type Logger } from "../log.js";
import { untrustedFunction, untrustedSchemas } from "../trust.js";
import { problems, readState, type DbState, type Problem, type Thresholds } from "../observe.js";
import { RunnerMetrics, type Loop } from "./metrics.js";
import { startHttp, type HttpServer } from "./http.js";

interface Counters {
  ticks: number;
  maint: number;
  retries: number;
}

/** Milliseconds since t0 (performance.now()), for log lines: "12 ms". */
function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(0)} ms`;
}

/** How often the maint and retry loops look whether the ticker loop has found pgq. */
const NOT_READY_POLL_MS = 200;

/** How long an observation is reused: scrapes and the problem watch share it. */
const OBSERVE_CACHE_MS = 2000;

/** What the status page shows of a database besides its observation. */
export interface WorkerStatus {
  /** pgq found and trusted: the loops run. */
  ready: boolean;
  /** Why not, when not ready (no pgq schema, untrusted owner, bad version). */
  notServed: string | undefined;
  /** Date.now() of the last successful pgq.ticker() call. */
  lastTickAt: number | undefined;
  /** The last failed step, while it is the latest thing that happened in its loop. */
  lastError: { loop: Loop; text: string; at: number } | undefined;
}

/** An observation of a database, or why there is none. */
export interface Observation {
  state?: DbState;
  error?: string;
  /** Date.now() when read. */
  at: number;
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
  readonly status: WorkerStatus = { ready: false, notServed: undefined, lastTickAt: undefined, lastError: undefined };
  private readonly observeConn: Reconnecting<SafeClient>;
  private cached: Observation | undefined;
  private inflight: Promise<Observation> | undefined;
  /** Problems seen by the last observation, by key (their changes are logged). */
  private known: Map<string, Problem> | undefined;

  constructor(readonly dbname: string, private readonly cfg: RunnerConfig, private readonly log: Logger,
              private readonly metrics: RunnerMetrics = new RunnerMetrics()) {
    this.ctx = { db: dbname };
    const conf: SafeClientConfig = { ...cfg.base, database: dbname, application_name: "pgq-runner", pooler: cfg.pooler };
    const sig = this.ctl.signal;
    // one connection per loop, opened again after errors or its lifetime
    const conn = (loop: string, onLost?: (err: unknown) => void) => new Reconnecting({
      create: () => new SafeClient(conf),
      lifetimeMs: cfg.connectionLifetime * 1000,
      // the server ended an idle connection (a restart, a terminated
      // backend): the next step opens a new one
      onError: (err, current) => current && onLost?.(err),
      debug: (m) => this.log.debug(`${loop}: ${m}`, this.ctx),
    });
    this.observeConn = conn("observe");
    this.metrics.up.set({ database: dbname }, 0);
    this.done = Promise.all([
      this.tickerLoop(conn("ticker",
        (err) => this.log.warning(`ticker: connection lost (${errorText(err)}); reconnecting`, this.ctx)), sig),
      this.periodic("maint", cfg.maintPeriod, conn("maint"), (c) => this.maint(c), sig),
      this.periodic("retry", cfg.retryPeriod, conn("retry"), (c) => this.retry(c), sig),
    ]);
  }

  /** Lets the current steps finish, then closes the connections. */
  async stop(): Promise<void> {
    this.ctl.abort();
    await this.done;
    await this.inflight?.catch(() => undefined);
    await this.observeConn.close();
  }

  /** Failures in a row, per loop, and the error last logged. */
  private readonly failing = new Map<Loop, { n: number; text: string }>();

  /** Counts a failed step; logs it when its error differs from the last one logged (else at debug). */
  private failed(loop: Loop, err: unknown, line: string): void {
    this.metrics.errors.inc({ database: this.dbname, loop });
    this.status.lastError = { loop, text: errorText(err), at: Date.now() };
    const f = this.failing.get(loop);
    if (f && f.text === errorText(err)) {
      f.n++;
      this.log.debug(`${line} (${f.n} failures in a row)`, this.ctx);
    } else {
      this.failing.set(loop, { n: 1, text: errorText(err) });
      this.log.error(line, this.ctx);
    }
  }

  private succeeded(loop: Loop): void {
    if (this.status.lastError?.loop === loop) this.status.lastError = undefined;
    const f = this.failing.get(loop);
    if (f) {
      this.failing.delete(loop);
      this.log.info(`${loop}: works again after ${f.n} failure${f.n === 1 ? "" : "s"}`, this.ctx);
    }
  }

  /**
   * The database's state: one catalog query, reused for OBSERVE_CACHE_MS
   * (concurrent callers share the query in flight).  Problems that appeared
   * or went away since the previous observation are logged, one line each.
   */
  async observe(th: Thresholds): Promise<Observation> {
    if (!this.ready) return { error: this.status.notServed ?? "not served yet", at: Date.now() };
    if (this.cached && Date.now() - this.cached.at < OBSERVE_CACHE_MS) return this.cached;
    this.inflight ??= (async (): Promise<Observation> => {
      const t0 = performance.now();
      try {
        const state = await readState(await this.observeConn.get());
        this.metrics.observeSeconds.set({ database: this.dbname }, (performance.now() - t0) / 1000);
        this.log.debug(`observe: ${state.queues.length} queues, ${state.consumers.length} consumers in ${ms(t0)}`, this.ctx);
        this.noteProblems(problems(state, th));
        return { state, at: Date.now() };
      } catch (err) {
        this.metrics.observeErrors.inc({ database: this.dbname });
        // said once, not every round
        if (errorText(err) !== this.cached?.error) this.log.warning(`observe: ${errorText(err)}`, this.ctx);
        await this.observeConn.close();
        return { error: errorText(err), at: Date.now() };
      }
    })().then((o) => {
      if (this.cached?.error !== undefined && o.error === undefined) this.log.info("observe: reading the state works again", this.ctx);
      this.cached = o;
      this.inflight = undefined;
      return o;
    });
    return await this.inflight;
  }

  /** One log line per problem that starts (warning) or ends (info). */
  private noteProblems(now: Problem[]): void {
    const next = new Map(now.map((p) => [p.key, p]));
    const before = this.known ?? new Map<string, Problem>();
    for (const [key, p] of next) {
      if (!before.has(key)) this.log.warning(p.text, { ...this.ctx, queue: p.queue, ...(p.consumer ? { consumer: p.consumer } : {}) });
    }
    for (const [key, p] of before) {
      if (!next.has(key)) {
        const what = p.kind === "ticker_stalled" ? "ticker runs again" : p.kind === "rotation_blocked" ? "rotation no longer blocked"
          : "consumer caught up";
        this.log.info(what, { ...this.ctx, queue: p.queue, ...(p.consumer ? { consumer: p.consumer } : {}) });
      }
    }
    this.known = next;
  }

  /**
   * Queues whose producers signalled new events (on-demand ticking, pgq
   * 4.1: NOTIFY pgq_new_events), by the Date.now() at which to try them;
   * the ticker loop wakes for them between its periodic pgq.ticker() calls.
   */
  private readonly onDemand = new Map<string, number>();
  private readonly tickerWaker = new Waker();
  private listening: pg.Client | undefined;

  /**
   * LISTENs for on-demand queues' signals on the ticker connection (again
   * after a reconnect); not through a transaction pooler, where on-demand
   * queues are ticked by the periodic pgq.ticker() alone.
   */
  private async listenOnDemand(c: SafeClient): Promise<void> {
    if (this.listening === c || !c.canListen) return;
    c.on("notification", (n) => {
      if (n.channel !== "pgq_new_events" || !n.payload) return;
      if (!this.onDemand.has(n.payload)) this.onDemand.set(n.payload, 0);
      this.tickerWaker.interrupt();
    });
    await c.query(sql.listenNewEvents);
    this.listening = c;
  }

  /**
   * Ticks the signalled queues that are due; one not yet due (its newest
   * tick younger than its queue_ticker_on_demand) is tried again then.
   */
  private async tickOnDemand(c: pg.Client): Promise<void> {
    const now = Date.now();
    const due = [...this.onDemand].filter(([, at]) => at <= now).map(([q]) => q);
    for (const queue of due) {
      this.onDemand.delete(queue);
      const t0 = performance.now();
      try {
        const r = await c.query<{ tick_id: string | null; wait_s: number | null }>(sql.tickOnDemand, [queue]);
        const row = r.rows[0];
        if (row?.tick_id != null) {
          const d = { database: this.dbname };
          this.counters.ticks += 1;
          this.metrics.ticks.inc(d, 1);
          this.metrics.lastTick.set(d, Date.now() / 1000);
          this.log.debug(`ticker: on demand: queue ${queue} tick ${row.tick_id} in ${ms(t0)}`, this.ctx);
        } else if (row && row.wait_s !== null && row.wait_s > 0 && !this.onDemand.has(queue)) {
          this.onDemand.set(queue, Date.now() + Math.ceil(row.wait_s * 1000));
        }
      } catch (err) {
        // the connection: the loop reconnects
        const code = (err as { code?: string }).code;
        if (!(err instanceof pg.DatabaseError) || /^(08|57)/.test(code ?? "")) throw err;
        // a queue's own error, once: a signal for a queue of an older pgq
        // (or any NOTIFY on the channel) must not fill the log
        const msg = `ticker: on demand: queue ${queue}: ${errorText(err)}`;
        if (!this.warned.has(msg)) this.log.warning(msg, this.ctx);
        this.warned.add(msg);
      }
    }
  }

  /** Milliseconds until `until` (Date.now()) or until a signalled queue comes due, whichever is first. */
  private untilNextTick(until: number): number {
    return Math.max(0, Math.min(until, ...this.onDemand.values()) - Date.now());
  }

  /**
   * pgq.ticker() every ticker_period and the signalled on-demand queues
   * between; first (again after a failure) whether pgq is there and
   * trusted, every check_period until it is.  Its waits end early for an
   * on-demand signal.
   */
  private async tickerLoop(conn: Reconnecting<SafeClient>, signal: AbortSignal): Promise<void> {
    let reported = "";
    let nextTick = 0;
    await runLoop(async () => {
      const c = await conn.get();
      if (!this.ready) {
        const why = await this.notServable(c);
        if (why) {
          if (why.msg !== reported) {
            if (why.untrusted) this.log.warning(why.msg, this.ctx);
            else this.log.info(`${why.msg}; checking again every ${this.cfg.checkPeriod}s`, this.ctx);
          }
          reported = why.msg;
          this.status.notServed = why.msg;
          await conn.close();
          return this.cfg.checkPeriod * 1000;
        }
        this.ready = this.status.ready = true;
        this.status.notServed = undefined;
        this.metrics.up.set({ database: this.dbname }, 1);
        reported = "";
        this.log.info("pgq found, ticking", this.ctx);
      }
      await this.listenOnDemand(c);
      if (Date.now() >= nextTick) {
        const t0 = performance.now();
        const r = await c.query(sql.ticker);
        const n = Number(r.rows[0].ticks);
        const took = (performance.now() - t0) / 1000;
        this.counters.ticks += n;
        const d = { database: this.dbname };
        this.metrics.ticks.inc(d, n);
        this.metrics.tickerCalls.inc(d);
        this.metrics.loopSeconds.observe({ ...d, loop: "ticker" }, took);
        this.metrics.lastTick.set(d, Date.now() / 1000);
        this.status.lastTickAt = Date.now();
        this.succeeded("ticker");
        this.log.debug(`ticker: ${n} ${n === 1 ? "tick" : "ticks"} in ${ms(t0)}`, this.ctx);
        nextTick = Date.now() + this.cfg.tickerPeriod * 1000;
      }
      await this.tickOnDemand(c);
      return this.untilNextTick(nextTick);
    }, {
      signal,
      backoff: BACKOFF.ticker,
      // only the ticker connection LISTENs: nothing else wakes this loop
      wait: (t, s) => this.tickerWaker.sleep(t, s),
      onError: async (err, wait) => {
        this.failed("ticker", err, `ticker: ${errorText(err)}; reconnecting in ${wait / 1000}s`);
        this.ready = this.status.ready = false;
        this.metrics.up.set({ database: this.dbname }, 0);
        this.listening = undefined;
        nextTick = 0;
        await conn.close();
      },
    });
    await conn.close();
  }

  /**
   * Why this database cannot be served now, or undefined.  Nothing in pgq
   * is called before its owners are known to be trusted.
   */
  private async notServable(c: pg.Client): Promise<{ msg: string; untrusted?: boolean } | undefined> {
    const ns = await c.query(sql.installed, ["pgq"]);
    if (!ns.rows[0].has_schema) return { msg: "no pgq schema" };
    const bad = await untrustedSchemas(c, ["pgq"]);
    if (bad) return { msg: `${bad}, skipping`, untrusted: true };
    const v = await c.query(sql.version);
    const version = (v.rows[0]?.version as string | null) ?? "";
    if (!(version.charAt(0) >= "3")) return { msg: `bad pgq version "${version}", ignoring` };
    return undefined;
  }

  /** step every period seconds, while the ticker loop has found pgq (checked every NOT_READY_POLL_MS). */
  private async periodic(name: "maint" | "retry", period: number, conn: Reconnecting<SafeClient>,
                         step: (c: pg.Client) => Promise<void>, signal: AbortSignal): Promise<void> {
    await runLoop(async () => {
      if (!this.ready) return NOT_READY_POLL_MS;
      const c = await conn.get();
      const t0 = performance.now();
      await step(c);
      this.metrics.loopSeconds.observe({ database: this.dbname, loop: name }, (performance.now() - t0) / 1000);
      this.succeeded(name);
      return period * 1000;
    }, {
      signal,
      backoff: BACKOFF.maintenance,
      onError: async (err, wait) => {
        this.failed(name, err, `${name}: ${errorText(err)}; again in ${wait / 1000}s`);
        await conn.close();
      },
    });
    await conn.close();
  }

  /**
   * pgq.maint_operations(): each row repeated while it returns non-zero;
   * 'vacuum' rows as statements.  A pgq without maint_operations (before
   * 3.1) gets what pgqd did then: step 1 per queue, step 2, and VACUUM of
   * pgq.maint_tables_to_vacuum().
   */
  private async maint(c: pg.Client): Promise<void> {
    const has = await c.query(sql.hasMaintOperations);
    const ops = await c.query(has.rowCount ? sql.maintOperations : sql.maintOperationsBefore31);
    const round = performance.now();
    const d = { database: this.dbname };
    for (const op of ops.rows as { func_name: string; func_arg: string | null }[]) {
      const fn = op.func_name;
      const t0 = performance.now();
      if (/^vacuum( analyze)?$/i.test(fn)) {
        await c.query(sql.vacuum(fn, op.func_arg ?? ""));
        this.counters.maint++;
        this.metrics.maintCalls.inc(d);
        this.log.debug(`maint: ${fn} ${op.func_arg ?? ""} done in ${ms(t0)}`, this.ctx);
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
      const call = sql.maintCall(fn, op.func_arg !== null);
      let calls = 0;
      let last: unknown = null;
      for (let i = 0; i < 1000; i++) {
        const r = await c.query(call, op.func_arg === null ? [] : [op.func_arg]);
        this.counters.maint++;
        this.metrics.maintCalls.inc(d);
        calls++;
        last = r.rows[0] ? Object.values(r.rows[0] as object)[0] : 0;
        // again only for a non-zero leading integer, as pgqd's atoi(): a
        // row of OUT parameters ("(200,ok)", londiste.root_check_seqs) or
        // a boolean is called once
        if (!again(last)) break;
      }
      this.log.debug(`maint: ${fn}(${op.func_arg === null ? "" : op.func_arg}) returned ${String(last)}`
        + `${calls > 1 ? ` after ${calls} calls` : ""} in ${ms(t0)}`, op.func_arg === null ? this.ctx : { ...this.ctx, queue: op.func_arg });
    }
    this.log.debug(`maint: round of ${ops.rowCount ?? 0} operations done in ${ms(round)}`, this.ctx);
  }

  /** pgq.maint_retry_events() until it moves nothing. */
  private async retry(c: pg.Client): Promise<void> {
    const t0 = performance.now();
    let moved = 0;
    for (;;) {
      const r = await c.query(sql.maintRetry);
      const n = Number(r.rows[0].moved);
      this.counters.retries += n;
      this.metrics.retryEvents.inc({ database: this.dbname }, n);
      moved += n;
      if (n === 0) break;
    }
    this.log.debug(`retry: ${moved} events moved back in ${ms(t0)}`, this.ctx);
  }
}

/** Whether a maintenance function's result asks to be called again now: pgqd's atoi(value) != 0. */
export function again(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  const m = /^\s*[+-]?\d+/.exec(String(value));
  return m !== null && Number(m[0]) !== 0;
}

/** All databases: discovery, workers, stats. */
export class Runner {
  private readonly workers = new Map<string, DbWorker>();
  private readonly ctl = new AbortController();
  private running: Promise<unknown> | undefined;
  private cfg: RunnerConfig;
  readonly metrics = new RunnerMetrics();
  readonly started = Date.now();
  private http: HttpServer | undefined;

  constructor(cfg: RunnerConfig, private readonly log: Logger) {
    this.cfg = cfg;
  }

  start(): void {
    this.log.info(`starting, config ${this.cfg.source}`);
    this.running = Promise.all([this.discoverLoop(), this.statsLoop()]);
    void this.listen();
  }

  /** Serves HTTP on http_listen when set; a bind failure is logged, the runner goes on. */
  private async listen(): Promise<void> {
    const want = this.cfg.httpListen;
    const have = this.http?.listen;
    if (want?.host === have?.host && want?.port === have?.port) return;
    await this.http?.close();
    this.http = undefined;
    if (!want) return;
    try {
      this.http = await startHttp(want, this, this.log);
    } catch (err) {
      this.log.error(`http_listen ${want.host}:${want.port}: ${errorText(err)}; not serving HTTP`);
    }
  }

  config(): RunnerConfig {
    return this.cfg;
  }

  thresholds(): Thresholds {
    return { lag: this.cfg.lagThreshold, tickerGrace: Math.max(10, 3 * this.cfg.tickerPeriod) };
  }

  /** Every database's worker status and observation (one catalog query each at most, cached briefly). */
  async observeAll(): Promise<{ db: string; status: WorkerStatus; obs: Observation }[]> {
    const th = this.thresholds();
    const ws = [...this.workers.values()].sort((a, b) => (a.dbname < b.dbname ? -1 : a.dbname > b.dbname ? 1 : 0));
    return await Promise.all(ws.map(async (w) => ({ db: w.dbname, status: w.status, obs: await w.observe(th) })));
  }

  /** Replaces the configuration (SIGHUP) and re-checks the databases. */
  async reload(cfg: RunnerConfig): Promise<void> {
    this.log.info(`reloaded config ${cfg.source}`);
    this.cfg = cfg;
    for (const w of [...this.workers.values()]) await this.drop(w.dbname);
    await this.listen();
    this.wakeDiscovery?.();
  }

  /** Graceful stop: every loop finishes its current step. */
  async stop(): Promise<void> {
    this.ctl.abort();
    await this.running;
    await this.http?.close();
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
    this.log.info("stopped");
  }

  databases(): string[] {
    return [...this.workers.keys()].sort();
  }

  worker(db: string): DbWorker | undefined {
    return this.workers.get(db);
  }

  private wakeDiscovery: (() => void) | undefined;

  private async discoverLoop(): Promise<void> {
    const signal = this.ctl.signal;
    while (!signal.aborted) {
      try {
        const wanted = this.cfg.databaseList.length > 0 ? [...this.cfg.databaseList] : await this.discover();
        for (const db of wanted) if (!this.workers.has(db)) this.workers.set(db, new DbWorker(db, this.cfg, this.log, this.metrics));
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
    this.metrics.forget(db);
  }

  private async discover(): Promise<string[]> {
    const c = new SafeClient({ ...this.cfg.base, database: this.cfg.initialDatabase, application_name: "pgq-runner",
      pooler: this.cfg.pooler });
    c.on("error", () => undefined);
    await c.connect();
    try {
      const r = await c.query(sql.databases);
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
      // the problem watch: logs problems that start or end (observe() does)
      if (!signal.aborted) await this.observeAll().catch((err) => this.log.error(`observe: ${errorText(err)}`));
    }
  }
}
