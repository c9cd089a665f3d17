// A thin typed client over pg for queue administration and producing.
import pg from "pg";
import { clientConfig, POOLERS, SafeClient, scalar, type Pooler, type Queryable } from "./db.js";
import { mapErrors } from "./errors.js";
import { check, connectionProblems, InvalidOptionError, optionProblems } from "./options.js";
import { sql } from "./sql/index.js";

export interface QueueInfo {
  queue_name: string;
  queue_ntables: number;
  queue_cur_table: number;
  queue_rotation_period: unknown;
  queue_switch_time: Date;
  queue_external_ticker: boolean;
  queue_ticker_paused: boolean;
  queue_ticker_max_count: number;
  queue_ticker_max_lag: unknown;
  queue_ticker_idle_period: unknown;
  ticker_lag: unknown;
  ev_per_sec: number | null;
  ev_new: string | null;
  last_tick_id: string | null;
}

export interface ConsumerInfo {
  queue_name: string;
  consumer_name: string;
  lag: unknown;
  last_seen: unknown;
  last_tick: string | null;
  current_batch: string | null;
  next_tick: string | null;
  pending_events: string | null;
}

/** One event to produce; extra1..extra4 are optional. */
export interface NewEvent {
  type: string | null;
  data: string | null;
  extra1?: string | null;
  extra2?: string | null;
  extra3?: string | null;
  extra4?: string | null;
}

export type QueueSetting = "ticker_max_count" | "ticker_max_lag" | "ticker_idle_period" | "ticker_paused"
  | "rotation_period" | "external_ticker" | "max_retries" | "ticker_on_demand";

/** An event given up on (pgq.get_dead_letters, pgq 4.1). */
export interface DeadLetter {
  dl_id: string;
  queue_name: string;
  consumer_name: string;
  dl_time: Date;
  dl_retry_count: number;
  dl_reason: string | null;
  ev_id: string;
  ev_time: Date;
  ev_txid: string | null;
  ev_type: string | null;
  ev_data: string | null;
  ev_extra1: string | null;
  ev_extra2: string | null;
  ev_extra3: string | null;
  ev_extra4: string | null;
}

/** pgq calls on a pool, a pool client or a client.  Event ids are strings. */
export class PgqClient {
  readonly db: Queryable;
  private readonly owned: pg.Pool | undefined;
  /** Whether the server has pgq.insert_events (pgq 4.0; PgQ 3.5 does not). */
  private hasInsertEvents: Promise<boolean> | undefined;

  /**
   * db: a pool or client of yours (used as it is), or what to connect to (a
   * libpq string or URI, or pg.Pool settings): then this client makes its
   * own pool, whose sessions use the safe search_path (pg_catalog, pg_temp).
   * options.pooler: what stands between it and the server (see Pooler;
   * "transaction" behind PgBouncer's transaction pooling).  Bad settings
   * throw InvalidOptionError here.
   */
  constructor(db: Queryable | string | pg.PoolConfig, options: { pooler?: Pooler } = {}) {
    const queryable = typeof db === "object" && db !== null && typeof (db as { query?: unknown }).query === "function";
    if (!queryable) {
      const problems = [...connectionProblems(db, "connection", true),
        ...optionProblems(options, { pooler: check.oneOf(POOLERS) })];
      if (problems.length) throw new InvalidOptionError("PgqClient", problems);
      const cfg = clientConfig(db as string | pg.PoolConfig) as pg.PoolConfig;
      // the pool hands its settings, pooler among them, to each SafeClient it makes
      this.owned = new pg.Pool({ ...cfg, Client: SafeClient as unknown as new () => pg.ClientBase, pooler: options.pooler ?? "none" } as pg.PoolConfig);
      this.db = this.owned;
    } else {
      this.db = db as Queryable;
    }
  }

  /** Closes the pool if this client made it. */
  async end(): Promise<void> {
    await this.owned?.end();
  }

  private one<T>(text: string, values: unknown[] = []): Promise<T> {
    return mapErrors(() => scalar<T>(this.db, text, values));
  }

  version(): Promise<string | null> {
    return this.one(sql.version);
  }
  /** true when created, false when it existed. */
  async createQueue(queue: string): Promise<boolean> {
    return (await this.one<number>(sql.createQueue, [queue])) === 1;
  }
  async dropQueue(queue: string, force = false): Promise<void> {
    await this.one(sql.dropQueue, [queue, force]);
  }
  async setQueueConfig(queue: string, setting: QueueSetting, value: string): Promise<void> {
    await this.one(sql.setQueueConfig, [queue, setting, value]);
  }
  async queueInfo(queue?: string): Promise<QueueInfo[]> {
    return mapErrors(async () => (await this.db.query(sql.queueInfo, [queue ?? null])).rows as QueueInfo[]);
  }
  async consumerInfo(queue?: string, consumer?: string): Promise<ConsumerInfo[]> {
    return mapErrors(async () =>
      (await this.db.query(sql.consumerInfo, [queue ?? null, consumer ?? null])).rows as ConsumerInfo[]);
  }
  /** Produces one event; returns its id. */
  insertEvent(queue: string, ev: NewEvent): Promise<string> {
    return this.one(sql.insertEvent, [queue, ev.type, ev.data, ev.extra1 ?? null, ev.extra2 ?? null,
      ev.extra3 ?? null, ev.extra4 ?? null]);
  }
  /**
   * Produces many events in one statement (one round trip); returns their
   * ids in order.  Uses pgq.insert_events (one set-based INSERT) where the
   * server has it, one insert_event call per event otherwise.
   */
  async insertEvents(queue: string, evs: readonly NewEvent[]): Promise<string[]> {
    const col = (f: (e: NewEvent) => string | null | undefined) => evs.map((e) => f(e) ?? null);
    return mapErrors(async () => {
      this.hasInsertEvents ??= scalar<boolean>(this.db, sql.hasInsertEvents).catch((err: unknown) => {
        this.hasInsertEvents = undefined;
        throw err;
      });
      const text = (await this.hasInsertEvents) ? sql.insertEventsArray : sql.insertEvents;
      const r = await this.db.query(text, [queue, col((e) => e.type), col((e) => e.data),
        col((e) => e.extra1), col((e) => e.extra2), col((e) => e.extra3), col((e) => e.extra4)]);
      return r.rows.map((row: { ev_id: string }) => row.ev_id);
    });
  }
  /** true for a new registration. */
  async registerConsumer(queue: string, consumer: string, tickId?: string): Promise<boolean> {
    const n = tickId === undefined
      ? await this.one<number>(sql.registerConsumer, [queue, consumer])
      : await this.one<number>(sql.registerConsumerAt, [queue, consumer, tickId]);
    return n === 1;
  }
  /** true when a registration was removed. */
  async unregisterConsumer(queue: string, consumer: string): Promise<boolean> {
    return (await this.one<number>(sql.unregisterConsumer, [queue, consumer])) > 0;
  }
  /**
   * Dead letters of a queue (pgq 4.1): events retried more often than its
   * max_retries allows, or given up on with Batch.dead; one consumer's or
   * everyone's, oldest first.
   */
  async deadLetters(queue: string, consumer?: string): Promise<DeadLetter[]> {
    return mapErrors(async () =>
      (await this.db.query(sql.deadLetters, [queue, consumer ?? null])).rows as DeadLetter[]);
  }
  /**
   * Puts a consumer's dead letters (one, or all) back into the queue for it
   * alone, their retries counted anew; returns how many (pgq_admin).
   */
  async replayDeadLetters(queue: string, consumer: string, dlId?: string): Promise<number> {
    return this.one<number>(sql.replayDeadLetters, [queue, consumer, dlId ?? null]);
  }
  /** Deletes dead letters (of one consumer, one id, or all); returns how many (pgq_admin). */
  async purgeDeadLetters(queue: string, consumer?: string, dlId?: string): Promise<number> {
    return this.one<number>(sql.purgeDeadLetters, [queue, consumer ?? null, dlId ?? null]);
  }
  /** Runs pgq.ticker() (every queue); returns how many ticks were made. */
  async tick(): Promise<number> {
    return Number(await this.one<string>(sql.ticker));
  }
  /** Ticks one queue if due; returns the new tick id or null. */
  tickQueue(queue: string): Promise<string | null> {
    return this.one(sql.tickerQueue, [queue]);
  }
  /**
   * Makes the queue's next tick due at once (pgq.force_tick): the next
   * ticker run ticks it whatever its ticker settings say.  Returns the
   * queue's current tick id.
   */
  forceTick(queue: string): Promise<string | null> {
    return this.one(sql.forceTick, [queue]);
  }
}
