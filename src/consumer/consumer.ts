// The batch loop: next_batch -> events (through a cursor) -> handler ->
// retries -> finish_batch.  At least once by default; exactly once into a
// target database through pgq_ext when asked.
//
// Wake-up: the consumer LISTENs on the queue's tick channel, so a batch is
// taken as soon as the ticking transaction commits; without a notification
// it polls every pollIntervalMs, and it falls back to polling alone while
// its connection is broken (reconnecting with backoff).  Against PgQ 3.5,
// whose ticker sends no notifications, it polls.
import pg from "pg";
import format from "pg-format";
import { clientConfig, safeSession, scalar, withTx, type ConnectionInput } from "../db.js";
import { mapErrors } from "../errors.js";
import { check, connectionProblems, InvalidOptionError, optionProblems } from "../options.js";
import { sql } from "../sql.js";

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
  /** Puts an event aside: it comes back to this consumer after `seconds`. */
  retry(ev: PgqEvent | string, seconds: number): void;
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
  /** SQL condition on the event columns (get_batch_cursor's extra_where). */
  filter?: string;
  /** Poll even without notifications this often (default 1000 ms). */
  pollIntervalMs?: number;
  /**
   * Exactly once into this database through pgq_ext ('batch':
   * set_batch_done, 'tick': set_last_tick; 'none': the handler records
   * progress itself, in the target transaction it is given).
   */
  exactlyOnce?: { target: ConnectionInput; mode?: "batch" | "tick" | "none" };
  /** Called for errors the loop survives (lost connection, handler failure). */
  onError?: (err: unknown) => void;
  /**
   * Called on every new connection before anything runs on it (e.g. to
   * check who owns pgq there); when it throws, the connection is dropped and
   * the error handled like a lost connection.
   */
  onConnect?: (client: pg.Client, which: "source" | "target") => Promise<void>;
}

const EXACTLY_ONCE_MODES = ["batch", "tick", "none"] as const;

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
    pollIntervalMs: check.ms(),
    exactlyOnce: check.any,
    onError: check.func,
    onConnect: check.func,
  }, ["connection", "queue", "consumer"]);
  if (typeof o === "object" && o !== null) {
    if (o.connection !== undefined) problems.push(...connectionProblems(o.connection, "connection"));
    if (o.exactlyOnce !== undefined) {
      const e = optionProblems(o.exactlyOnce, { target: check.any, mode: check.oneOf(EXACTLY_ONCE_MODES) }, ["target"],
        "exactlyOnce");
      if (typeof o.exactlyOnce === "object" && o.exactlyOnce?.target !== undefined) {
        e.push(...connectionProblems(o.exactlyOnce.target, "exactlyOnce.target"));
      }
      problems.push(...e);
    }
  }
  if (problems.length) throw new InvalidOptionError("Consumer", problems);
}

const CURSOR = "pgq_batch_walker";

export class Consumer {
  private readonly o: Required<Pick<ConsumerOptions, "fetchSize" | "pollIntervalMs">> & ConsumerOptions;
  private src: pg.Client | undefined;
  private dst: pg.Client | undefined;
  private wake: (() => void) | undefined;
  /** The tick channel; null where the server's pgq sends no notifications. */
  private channel: string | null | undefined;

  /** Throws InvalidOptionError, naming every bad option, before anything connects. */
  constructor(options: ConsumerOptions) {
    checkOptions(options);
    this.o = { ...options, fetchSize: options.fetchSize ?? 300, pollIntervalMs: options.pollIntervalMs ?? 1000 };
  }

  /** Registers the consumer on its queue (true if new). */
  async register(): Promise<boolean> {
    const c = await this.source();
    return (await mapErrors(() => scalar<number>(c, sql.registerConsumer, [this.o.queue, this.o.consumer]))) === 1;
  }

  /**
   * Runs until signal aborts: takes batches and hands them to handler.  A
   * batch whose handler throws is not finished; it comes again (at least
   * once).  The current batch is completed before run() returns.
   */
  async run(handler: Handler, signal?: AbortSignal): Promise<void> {
    let backoff = 100;
    try {
      while (!signal?.aborted) {
        try {
          const worked = await this.runOnce(handler);
          backoff = 100;
          if (!worked) await this.sleep(this.o.pollIntervalMs, signal);
        } catch (err) {
          this.o.onError?.(err);
          await this.reset();
          await this.sleep(backoff, signal);
          backoff = Math.min(backoff * 2, 10_000);
        }
      }
    } finally {
      await this.close();
    }
  }

  /** Takes and processes at most one batch; false when there was none. */
  async runOnce(handler: Handler): Promise<boolean> {
    const src = await this.source();
    const o = this.o;
    const r = await mapErrors(() => src.query(sql.nextBatch,
      [o.queue, o.consumer, o.minLag ?? null, o.minCount ?? null, o.minInterval ?? null]));
    const info = r.rows[0] as BatchInfo | undefined;
    if (!info || info.batch_id === null) return false;

    const retries = new Map<string, number>();
    const target = o.exactlyOnce ? await this.target() : undefined;
    const batch: Batch = {
      info,
      target,
      retry: (ev, seconds) => retries.set(typeof ev === "string" ? ev : ev.ev_id, seconds),
      events: () => this.walk(src, info.batch_id),
    };

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
      for (const [evId, seconds] of retries) {
        await mapErrors(() => src.query(sql.eventRetry, [info.batch_id, evId, seconds]));
      }
      await mapErrors(() => src.query(sql.finishBatch, [info.batch_id]));
    });
    return true;
  }

  /** Ends the connections. */
  async close(): Promise<void> {
    const s = this.src;
    const d = this.dst;
    this.src = this.dst = undefined;
    await Promise.allSettled([s?.end(), d?.end()]);
  }

  private async *walk(src: pg.Client, batchId: string): AsyncIterable<PgqEvent[]> {
    const first = await mapErrors(() =>
      src.query(sql.batchCursor, [batchId, CURSOR, this.o.fetchSize, this.o.filter ?? null]));
    try {
      let rows = first.rows as PgqEvent[];
      while (rows.length > 0) {
        yield rows;
        if (rows.length < this.o.fetchSize) break;
        rows = (await src.query(format("fetch %s from %I", this.o.fetchSize, CURSOR))).rows as PgqEvent[];
      }
    } finally {
      await src.query(format("close %I", CURSOR));
    }
  }

  private async alreadyApplied(target: pg.Client, info: BatchInfo): Promise<boolean> {
    if (this.o.exactlyOnce?.mode === "none") return false;
    if ((this.o.exactlyOnce?.mode ?? "batch") === "batch") {
      return (await scalar<boolean>(target, sql.isBatchDone, [this.o.consumer, info.batch_id])) === true;
    }
    const last = await scalar<string | null>(target, sql.getLastTick, [this.o.consumer]);
    if (last === null || last === info.prev_tick_id) return false;
    if (last === info.cur_tick_id) return true;
    throw new Error(`Lost position: batch ${info.prev_tick_id}..${info.cur_tick_id}, dst has ${last}`);
  }

  private async recordApplied(target: pg.Client, info: BatchInfo): Promise<void> {
    if (this.o.exactlyOnce?.mode === "none") return;
    if ((this.o.exactlyOnce?.mode ?? "batch") === "batch") {
      await target.query(sql.setBatchDone, [this.o.consumer, info.batch_id]);
    } else {
      await target.query(sql.setLastTick, [this.o.consumer, info.cur_tick_id]);
    }
  }

  /**
   * The source connection: the driver's alone, so with the safe search_path
   * (pg_catalog, pg_temp).
   */
  private async source(): Promise<pg.Client> {
    if (this.src) return this.src;
    const c = new pg.Client(safeSession(clientConfig(this.o.connection)));
    c.on("error", (err) => {
      this.o.onError?.(err);
      if (this.src === c) this.src = undefined;
      this.wake?.();
    });
    await c.connect();
    await this.connected(c, "source");
    if (this.channel === undefined) {
      this.channel = (await scalar<boolean>(c, sql.hasTickChannel))
        ? await scalar<string>(c, sql.tickChannel, [this.o.queue])
        : null;
    }
    if (this.channel !== null) {
      c.on("notification", (n) => {
        if (n.payload === this.o.queue) this.wake?.();
      });
      await c.query(format("listen %I", this.channel));
    }
    this.src = c;
    return c;
  }

  /**
   * The target connection, which the handler writes through: its
   * search_path is the connection's own (the driver's calls on it are
   * schema-qualified).
   */
  private async target(): Promise<pg.Client> {
    if (this.dst) return this.dst;
    const c = new pg.Client(clientConfig(this.o.exactlyOnce!.target));
    c.on("error", (err) => {
      this.o.onError?.(err);
      if (this.dst === c) this.dst = undefined;
    });
    await c.connect();
    await this.connected(c, "target");
    this.dst = c;
    return c;
  }

  /** Runs onConnect; a connection it refuses is closed. */
  private async connected(c: pg.Client, which: "source" | "target"): Promise<void> {
    if (!this.o.onConnect) return;
    try {
      await this.o.onConnect(c, which);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
  }

  private async reset(): Promise<void> {
    await this.close();
  }

  /** Sleeps ms, or until a tick notification or abort. */
  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.wake = done;
    });
  }
}
