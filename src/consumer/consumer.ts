// The batch loop: next_batch -> events (through a cursor) -> handler ->
// retries -> finish_batch.  At least once by default; exactly once into a
// target database through pgq_ext when asked.
//
// Cooperative (option subconsumer, pgq_coop): the consumer is one of several
// subconsumers sharing one consumer's stream, each taking whole batches in
// turn; with deadInterval it takes over the batch of a subconsumer silent
// that long, and while its own handler runs it marks itself seen every
// third of that (on a connection of its own), so a slow batch is not
// taken from it.  ConsumerPool runs n of them in one process.
//
// Wake-up: the consumer LISTENs on the queue's tick channel, so a batch is
// taken as soon as the ticking transaction commits; without a notification
// it polls every pollIntervalMs, and it falls back to polling alone while
// its connection is broken (reconnecting with backoff).  Against PgQ 3.5,
// whose ticker sends no notifications, and behind a transaction pooler
// (pooler "transaction"), it polls.
import pg from "pg";
import { clientConfig, POOLERS, SafeClient, scalar, withTx, type ConnectionInput, type Pooler } from "../db.js";
import { mapErrors, PgqError } from "../errors.js";
import { check, connectionProblems, InvalidOptionError, optionProblems, type Check } from "../options.js";
import { sql } from "../sql/index.js";
import { Waker } from "../loop/waker.js";
import { BACKOFF, runLoop } from "../loop/backoff.js";
import { Reconnecting } from "../loop/connection.js";

export interface PgqEvent {
  ev_id: string;
  ev_time: Date;
  ev_txid: string;
  ev_retry: number | null;
  ev_type: string | null;
  ev_data: string | null;
  ev_extra1: string | null;
  ev_extra2: string | null;
  ev_extra3: string | null;
  ev_extra4: string | null;
}

export interface BatchInfo {
  batch_id: string;
  cur_tick_id: string;
  prev_tick_id: string;
  cur_tick_time: Date;
  prev_tick_time: Date;
  cur_tick_event_seq: string;
  prev_tick_event_seq: string;
}

/** What the handler gets for one batch. */
export interface Batch {
  readonly info: BatchInfo;
  /** The batch's events, fetched from a cursor fetchSize at a time. */
  events(): AsyncIterable<PgqEvent[]>;
  /**
   * Puts an event aside: it comes back to this consumer after `seconds`.
   * Where the queue has max_retries (pgq 4.1) and the event was retried
   * that often, it becomes a dead letter instead, with `reason`.
   */
  retry(ev: PgqEvent | string, seconds: number, reason?: string): void;
  /** Gives up on an event at once: a dead letter with `reason` (pgq 4.1). */
  dead(ev: PgqEvent | string, reason?: string): void;
  /** In exactly-once mode: the target connection, inside the transaction that records the batch. */
  readonly target: pg.Client | undefined;
}

export type Handler = (batch: Batch) => Promise<void>;

export interface ConsumerOptions {
  connection: ConnectionInput;
  queue: string;
  consumer: string;
  /** Events per FETCH from the batch cursor (default 300, as python pgq). */
  fetchSize?: number;
  /** next_batch_custom limits. */
  minLag?: string;
  minCount?: number;
  minInterval?: string;
  /**
   * Cooperative consumer (pgq_coop): this subconsumer's name.  Batches of
   * `consumer` are shared out between its subconsumers, one batch each at a
   * time.  Needs pgq_coop in the source database.
   */
  subconsumer?: string;
  /**
   * Cooperative only: a subconsumer not seen for this long (a PostgreSQL
   * interval, e.g. '30 seconds') is dead; its batch is taken over.  Default:
   * none is.
   */
  deadInterval?: string;
  /**
   * Cooperative, exactly-once only: the other subconsumers whose batches
   * this one may take over; a batch any of them recorded as applied counts
   * as applied (ConsumerPool sets it to all of its names).
   */
  peers?: string[];
  /** SQL condition on the event columns (get_batch_cursor's extra_where). */
  filter?: string;
  /** Poll even without notifications this often (default 1000 ms). */
  pollIntervalMs?: number;
  /**
   * What stands between the consumer and the source server (default
   * "none"): "session" for a pooler in session mode (PgBouncer's
   * pool_mode = session), "transaction" for one in transaction mode, where
   * the consumer keeps nothing in the session and polls every
   * pollIntervalMs instead of LISTENing.
   */
  pooler?: Pooler;
  /**
   * Exactly once into the database `target`: the handler writes through
   * batch.target, inside a target transaction that commits before the
   * source batch is finished.  mode says who records which batches the
   * target has applied, in that transaction:
   * - "batch" (default): the driver, with pgq_ext.set_batch_done;
   * - "tick": the driver, with pgq_ext.set_last_tick (a target whose
   *   recorded tick is neither the batch's start nor its end throws
   *   OutOfStepError, PQ011);
   * - "handler": the handler itself (queue_splitter's
   *   pgq_ext.queue_splitter_apply does); the driver records nothing.
   * "none" is the old name of "handler": deprecated, accepted until the
   * next release.
   * safeSearchPath: the target session gets search_path pg_catalog,
   * pg_temp too (as queue_splitter's does; default: the connection's own),
   * through pooler (default: the consumer's).
   */
  exactlyOnce?: {
    target: ConnectionInput;
    /** Who records applied batches (see above); "none" is deprecated, use "handler". */
    mode?: "batch" | "tick" | "handler" | "none";
    safeSearchPath?: boolean;
    pooler?: Pooler;
  };
  /** Called for errors the loop survives (lost connection, handler failure). */
  onError?: (err: unknown) => void;
  /**
   * Called on every new connection before anything runs on it (e.g. to
   * check who owns pgq there); when it throws, the connection is dropped and
   * the error handled like a lost connection.
   */
  onConnect?: (client: pg.Client, which: "source" | "target") => Promise<void>;
}

const EXACTLY_ONCE_MODES = ["batch", "tick", "handler"] as const;
type ExactlyOnceMode = (typeof EXACTLY_ONCE_MODES)[number];

/** exactlyOnce.mode as it means, the deprecated "none" read as "handler". */
function exactlyOnceMode(e: ConsumerOptions["exactlyOnce"]): ExactlyOnceMode {
  return e?.mode === "none" || e?.mode === "handler" ? "handler" : e?.mode ?? "batch";
}

let warnedNone = false;

/** Every problem of a Consumer's options, at once (InvalidOptionError). */
function checkOptions(o: ConsumerOptions): void {
  const problems = optionProblems(o, {
    connection: check.any,
    queue: check.string,
    consumer: check.string,
    fetchSize: check.int(1),
    minLag: check.string,
    minCount: check.int(1),
    minInterval: check.string,
    filter: check.string,
    subconsumer: check.string,
    deadInterval: check.string,
    peers: ((v, k) => Array.isArray(v) && v.every((x) => typeof x === "string" && x !== "")
      ? undefined : `${k} must be an array of non-empty strings`),
    pollIntervalMs: check.ms(),
    pooler: check.oneOf(POOLERS),
    exactlyOnce: check.any,
    onError: check.func,
    onConnect: check.func,
  }, ["connection", "queue", "consumer"]);
  if (typeof o === "object" && o !== null) {
    if (o.subconsumer === undefined) {
      for (const k of ["deadInterval", "peers"] as const) {
        if (o[k] !== undefined) problems.push(`${k} needs subconsumer`);
      }
    }
    if (o.connection !== undefined) problems.push(...connectionProblems(o.connection, "connection"));
    if (o.exactlyOnce !== undefined) {
      // "none": the deprecated name of "handler", still accepted
      const mode: Check = (v, k) => (v === "none" ? undefined : check.oneOf(EXACTLY_ONCE_MODES)(v, k));
      const e = optionProblems(o.exactlyOnce, { target: check.any, mode,
        safeSearchPath: check.bool, pooler: check.oneOf(POOLERS) }, ["target"], "exactlyOnce");
      if (typeof o.exactlyOnce === "object" && o.exactlyOnce?.target !== undefined) {
        e.push(...connectionProblems(o.exactlyOnce.target, "exactlyOnce.target"));
      }
      problems.push(...e);
    }
  }
  if (problems.length) throw new InvalidOptionError("Consumer", problems);
  if (o.exactlyOnce?.mode === "none" && !warnedNone) {
    warnedNone = true;
    process.emitWarning('Consumer: exactlyOnce.mode "none" is deprecated; use "handler" (same meaning)',
      { type: "DeprecationWarning", code: "PGQ_EXACTLY_ONCE_NONE" });
  }
}

const CURSOR = "pgq_batch_walker";

export class Consumer {
  private readonly o: Required<Pick<ConsumerOptions, "fetchSize" | "pollIntervalMs">> & ConsumerOptions;
  /** Who records applied batches in the target (exactlyOnce.mode, "none" read as "handler"). */
  private readonly mode: ExactlyOnceMode;
  /** The source connection (see setupSource), the heartbeat's, the target (see exactlyOnce). */
  private readonly src: Reconnecting<SafeClient>;
  private readonly beat: Reconnecting<SafeClient>;
  private readonly dst: Reconnecting;
  private beatMs: number | undefined;
  /** Ends the wait for a batch: a tick notification (remembered until run() looks again), a lost connection. */
  private readonly waker = new Waker();
  /** The tick channel; null where the server's pgq sends no notifications. */
  private channel: string | null | undefined;

  /** Throws InvalidOptionError, naming every bad option, before anything connects. */
  constructor(options: ConsumerOptions) {
    checkOptions(options);
    this.o = { ...options, fetchSize: options.fetchSize ?? 300, pollIntervalMs: options.pollIntervalMs ?? 1000 };
    this.mode = exactlyOnceMode(options.exactlyOnce);
    const o = this.o;
    const source = () => new SafeClient({ ...clientConfig(o.connection), pooler: o.pooler });
    this.src = new Reconnecting({
      create: source,
      setup: (c) => this.setupSource(c),
      onError: (err) => {
        o.onError?.(err);
        // a broken connection ends the wait for a batch
        this.waker.interrupt();
      },
    });
    this.beat = new Reconnecting({
      create: source,
      setup: (c) => this.connected(c, "source"),
      onError: (err) => o.onError?.(err),
    });
    // the target, which the handler writes through: its search_path is the
    // connection's own (the driver's calls on it are schema-qualified),
    // unless safeSearchPath.  The driver uses it only inside transactions,
    // so any pooler mode serves.
    this.dst = new Reconnecting<pg.Client>({
      create: () => {
        const e = o.exactlyOnce!;
        return e.safeSearchPath
          ? new SafeClient({ ...clientConfig(e.target), pooler: e.pooler ?? o.pooler })
          : new pg.Client(clientConfig(e.target));
      },
      setup: (c) => this.connected(c, "target"),
      onError: (err) => o.onError?.(err),
    });
  }

  /**
   * Registers the consumer on its queue (true if new); a subconsumer
   * joins its consumer (registered too when it is not).
   */
  async register(): Promise<boolean> {
    const c = await this.source();
    const o = this.o;
    if (o.subconsumer !== undefined) {
      return (await mapErrors(() => scalar<number>(c, sql.coopRegister, [o.queue, o.consumer, o.subconsumer]))) === 1;
    }
    return (await mapErrors(() => scalar<number>(c, sql.registerConsumer, [o.queue, o.consumer]))) === 1;
  }

  /**
   * Subconsumers: leaves the consumer (true if it was registered).  A batch
   * it holds makes this fail (PQ012), or with dropBatch is given up: its
   * events are not handed to anyone again.
   */
  async unregister(dropBatch = false): Promise<boolean> {
    const o = this.o;
    if (o.subconsumer === undefined) throw new Error("unregister: only for subconsumers (use PgqClient.unregisterConsumer)");
    const c = await this.source();
    return (await mapErrors(() =>
      scalar<number>(c, sql.coopUnregister, [o.queue, o.consumer, o.subconsumer, dropBatch ? 1 : 0]))) === 1;
  }

  /**
   * Runs until signal aborts: takes batches and hands them to handler.  A
   * batch whose handler throws is not finished; it comes again (at least
   * once).  The current batch is completed before run() returns.
   */
  async run(handler: Handler, signal?: AbortSignal): Promise<void> {
    try {
      await runLoop(async () => {
        this.waker.clear();
        return (await this.runOnce(handler)) ? 0 : this.o.pollIntervalMs;
      }, {
        signal,
        backoff: BACKOFF.consumer,
        // a tick notification ends a wait at once
        wait: (ms, s) => this.waker.sleep(ms, s),
        onError: async (err) => {
          this.o.onError?.(err);
          await this.reset();
        },
      });
    } finally {
      await this.close();
    }
  }

  /** Takes and processes at most one batch; false when there was none. */
  async runOnce(handler: Handler): Promise<boolean> {
    const src = await this.source();
    const o = this.o;
    const coop = o.subconsumer !== undefined;
    const r = coop
      ? await mapErrors(() => src.query(sql.coopNextBatch,
        [o.queue, o.consumer, o.subconsumer, o.minLag ?? null, o.minCount ?? null, o.minInterval ?? null,
          o.deadInterval ?? null]))
      : await mapErrors(() => src.query(sql.nextBatch,
        [o.queue, o.consumer, o.minLag ?? null, o.minCount ?? null, o.minInterval ?? null]));
    const info = r.rows[0] as BatchInfo | undefined;
    if (!info || info.batch_id === null) return false;

    const retries = new Map<string, { seconds: number | null; reason: string | undefined }>();
    const id = (ev: PgqEvent | string) => (typeof ev === "string" ? ev : ev.ev_id);
    const target = o.exactlyOnce ? await this.target() : undefined;
    const batch: Batch = {
      info,
      target,
      retry: (ev, seconds, reason) => retries.set(id(ev), { seconds, reason }),
      dead: (ev, reason) => retries.set(id(ev), { seconds: null, reason }),
      events: () => this.walk(src, info.batch_id),
    };

    const stopBeat = coop && o.deadInterval !== undefined ? await this.heartbeat() : undefined;
    try {
      await this.process(src, target, batch, handler, retries, coop);
    } finally {
      stopBeat?.();
    }
    return true;
  }

  private async process(src: pg.Client, target: pg.Client | undefined, batch: Batch, handler: Handler,
                        retries: Map<string, { seconds: number | null; reason: string | undefined }>,
                        coop: boolean): Promise<void> {
    const info = batch.info;
    await withTx(src, async () => {
      if (target) {
        await withTx(target, async () => {
          if (await this.alreadyApplied(target, info)) return;
          await handler(batch);
          await this.recordApplied(target, info);
        });
      } else {
        await handler(batch);
      }
      for (const [evId, { seconds, reason }] of retries) {
        // without a reason, PgQ 3.5's own event_retry (no dead letters there)
        await mapErrors(() => seconds === null
          ? src.query(sql.eventDead, [info.batch_id, evId, reason ?? null])
          : reason === undefined
            ? src.query(sql.eventRetry, [info.batch_id, evId, seconds])
            : src.query(sql.eventRetryReason, [info.batch_id, evId, seconds, reason]));
      }
      await mapErrors(() => src.query(coop ? sql.coopFinishBatch : sql.finishBatch, [info.batch_id]));
    });
  }

  /**
   * Marks the subconsumer seen every third of deadInterval until the
   * returned function is called, on a connection of its own (the source
   * connection is inside the batch's transaction).  Failures go to onError.
   */
  private async heartbeat(): Promise<() => void> {
    const o = this.o;
    if (this.beatMs === undefined) {
      const src = await this.source();
      const ms = await scalar<number>(src, sql.intervalMs, [o.deadInterval]);
      this.beatMs = Math.max(50, Math.min(ms / 3, 2 ** 31 - 1));
    }
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      (async () => {
        await (await this.beat.get()).query(sql.coopTouch, [o.queue, o.consumer, o.subconsumer]);
      })().catch((err: unknown) => o.onError?.(err)).finally(() => { busy = false; });
    }, this.beatMs);
    return () => clearInterval(timer);
  }

  /** Ends the connections. */
  async close(): Promise<void> {
    await Promise.allSettled([this.src.close(), this.dst.close(), this.beat.close()]);
  }

  private async *walk(src: pg.Client, batchId: string): AsyncIterable<PgqEvent[]> {
    const first = await mapErrors(() =>
      src.query(sql.batchCursor, [batchId, CURSOR, this.o.fetchSize, this.o.filter ?? null]));
    try {
      let rows = first.rows as PgqEvent[];
      while (rows.length > 0) {
        yield rows;
        if (rows.length < this.o.fetchSize) break;
        rows = (await src.query(sql.fetchCursor(this.o.fetchSize, CURSOR))).rows as PgqEvent[];
      }
    } finally {
      await src.query(sql.closeCursor(CURSOR));
    }
  }

  /** A subconsumer's names in pgq_ext: its own, then its peers'. */
  private names(): string[] {
    const own = this.o.subconsumer!;
    return [own, ...(this.o.peers ?? []).filter((p) => p !== own)];
  }

  private async alreadyApplied(target: pg.Client, info: BatchInfo): Promise<boolean> {
    if (this.mode === "handler") return false;
    if (this.o.subconsumer !== undefined) {
      // batches of a subconsumer are not consecutive: a batch is done when
      // it, or its end tick, is what one of the names recorded last
      if (this.mode === "batch") {
        return (await scalar<boolean>(target, sql.isBatchDoneAny, [this.o.consumer, this.names(), info.batch_id])) === true;
      }
      const ticks = await target.query(sql.lastTicksAny, [this.o.consumer, this.names()]);
      return ticks.rows.some((t: { tick_id: string | null }) => t.tick_id === String(info.cur_tick_id));
    }
    if (this.mode === "batch") {
      return (await scalar<boolean>(target, sql.isBatchDone, [this.o.consumer, info.batch_id])) === true;
    }
    // applied, next, or out of step (PQ011: OutOfStepError): pgq_ext decides
    try {
      return (await mapErrors(() =>
        scalar<boolean>(target, sql.isTickDone, [this.o.consumer, info.prev_tick_id, info.cur_tick_id]))) === true;
    } catch (err) {
      // a target whose pgq_ext predates 4.1 (ours or SkyTools') has no
      // is_tick_done: say what to do rather than "function does not exist"
      if (err instanceof PgqError && err.code === "42883") {
        throw new PgqError('exactlyOnce mode "tick" needs pgq_ext 4.1 or later on the target (pgq_ext.is_tick_done): '
          + "run ALTER EXTENSION pgq_ext UPDATE there", err.code, err);
      }
      throw err;
    }
  }

  private async recordApplied(target: pg.Client, info: BatchInfo): Promise<void> {
    if (this.mode === "handler") return;
    if (this.o.subconsumer !== undefined) {
      if (this.mode === "batch") {
        await target.query(sql.setBatchDoneSub, [this.o.consumer, this.o.subconsumer, info.batch_id]);
      } else {
        await target.query(sql.setLastTickSub, [this.o.consumer, this.o.subconsumer, info.cur_tick_id]);
      }
      return;
    }
    if (this.mode === "batch") {
      await target.query(sql.setBatchDone, [this.o.consumer, info.batch_id]);
    } else {
      await target.query(sql.setLastTick, [this.o.consumer, info.cur_tick_id]);
    }
  }

  /** The source connection (opened when needed). */
  private source(): Promise<pg.Client> {
    return this.src.get();
  }

  /**
   * Sets up a new source connection: the driver's alone, so with the safe
   * search_path (pg_catalog, pg_temp).  Through a transaction pooler it
   * does not LISTEN: a notification would reach whichever client the
   * pooler's server session serves next, if any.
   */
  private async setupSource(c: SafeClient): Promise<void> {
    await this.connected(c, "source");
    if (this.channel === undefined) {
      this.channel = c.canListen && (await scalar<boolean>(c, sql.hasTickChannel))
        ? await scalar<string>(c, sql.tickChannel, [this.o.queue])
        : null;
    }
    if (this.channel !== null) {
      c.on("notification", (n) => {
        if (n.payload !== this.o.queue) return;
        // a tick that lands while a batch is being looked for or worked on
        // must not wait for the next poll
        this.waker.notify();
      });
      await c.query(sql.listen(this.channel));
    }
  }

  /** The target connection (opened when needed). */
  private target(): Promise<pg.Client> {
    return this.dst.get();
  }

  /** Runs onConnect (a connection it refuses is closed by its holder). */
  private async connected(c: pg.Client, which: "source" | "target"): Promise<void> {
    await this.o.onConnect?.(c, which);
  }

  private async reset(): Promise<void> {
    await this.close();
  }
}

export interface ConsumerPoolOptions extends Omit<ConsumerOptions, "subconsumer" | "peers"> {
  /** Number of subconsumers (default 1). */
  concurrency?: number;
  /**
   * Their names are this followed by 1 .. concurrency (default "w": w1,
   * w2, ...).  Two pools of one consumer that run at once need different
   * prefixes: one name is one subconsumer, whose batch both would get.
   */
  subconsumerPrefix?: string;
}

/**
 * n cooperative subconsumers of one consumer in this process (pgq_coop):
 * batches are shared out between them, each handled by one at a time, so
 * up to n batches are handled at once.  Each is a Consumer with the same
 * options; their peers are each other (exactly once holds across a
 * takeover between them).
 */
export class ConsumerPool {
  readonly consumers: readonly Consumer[];

  /** Throws InvalidOptionError, naming every bad option, before anything connects. */
  constructor(options: ConsumerPoolOptions) {
    const { concurrency = 1, subconsumerPrefix = "w", ...rest } = options ?? ({} as ConsumerPoolOptions);
    const problems = optionProblems({ concurrency, subconsumerPrefix },
      { concurrency: check.int(1, 1000), subconsumerPrefix: check.string });
    if (problems.length) throw new InvalidOptionError("ConsumerPool", problems);
    const names = Array.from({ length: concurrency }, (_, i) => `${subconsumerPrefix}${i + 1}`);
    this.consumers = names.map((n) => new Consumer({ ...rest, subconsumer: n, peers: names }));
  }

  /** Registers every subconsumer (true if any was new). */
  async register(): Promise<boolean> {
    let created = false;
    for (const c of this.consumers) created = (await c.register()) || created;
    return created;
  }

  /** Subconsumers leave the consumer (see Consumer.unregister). */
  async unregister(dropBatch = false): Promise<void> {
    for (const c of this.consumers) await c.unregister(dropBatch);
    await this.close();
  }

  /** Runs every subconsumer until signal aborts (see Consumer.run). */
  async run(handler: Handler, signal?: AbortSignal): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.run(handler, signal)));
  }

  /** Ends every subconsumer's connections. */
  async close(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.close()));
  }
}

/**
 * A batch handler that handles one event at a time: an event whose
 * handler throws is retried after retrySeconds (default 60) with the
 * error's message as reason, and the rest of the batch goes on, so one bad
 * event holds nothing up; with the queue's max_retries (pgq 4.1) it ends
 * among the dead letters.  In exactly-once mode each event runs in a
 * savepoint of the target transaction, so a failed one leaves nothing
 * behind there.
 */
export function perEvent(fn: (ev: PgqEvent, batch: Batch) => Promise<void>,
                         options: { retrySeconds?: number; onError?: (err: unknown, ev: PgqEvent) => void } = {}): Handler {
  const seconds = options.retrySeconds ?? 60;
  return async (batch) => {
    for await (const events of batch.events()) {
      for (const ev of events) {
        if (batch.target) await batch.target.query(sql.eventSavepoint);
        try {
          await fn(ev, batch);
          if (batch.target) await batch.target.query(sql.eventRelease);
        } catch (err) {
          if (batch.target) await batch.target.query(sql.eventRollback);
          options.onError?.(err, ev);
          batch.retry(ev, seconds, err instanceof Error ? err.message : String(err));
        }
      }
    }
  };
}
