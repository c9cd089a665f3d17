// One connection, opened lazily by get() and again after an error or when
// its lifetime has passed; the loops' connection holder (the Consumer's
// source, target and heartbeat connections, pgq-runner's per-loop ones,
// queue_splitter's one-database connection).
import type pg from "pg";

export interface ReconnectingOptions<C extends pg.Client> {
  /** A new client, not yet connected (its listeners for notices and notifications attached). */
  create(): C;
  /**
   * Run on each new connection before get() hands it out (trust checks,
   * LISTEN); when it throws, the connection is ended and get() throws.
   */
  setup?(client: C): Promise<void>;
  /** After this long a connection is opened anew at the next get() (default: kept until an error). */
  lifetimeMs?: number;
  /**
   * An 'error' event of a client of this holder (the server ended an idle
   * connection, a network failure); current: it was the connection held,
   * which is dropped (the next get() opens another).
   */
  onError?(err: unknown, current: boolean): void;
  /** Debug lines: opened (how fast, which backend), lifetime reached, closed. */
  debug?(msg: string): void;
}

export class Reconnecting<C extends pg.Client = pg.Client> {
  private client: C | undefined;
  private since = 0;
  private opening: Promise<C> | undefined;

  constructor(private readonly o: ReconnectingOptions<C>) {}

  /** The connection held now, if any (nothing is opened). */
  get current(): C | undefined {
    return this.client;
  }

  /** The connection: the one held, else a new one (callers at the same time share it). */
  async get(): Promise<C> {
    if (this.client && this.o.lifetimeMs !== undefined && Date.now() - this.since > this.o.lifetimeMs) {
      this.o.debug?.("connection lifetime reached, reconnecting");
      await this.close();
    }
    if (this.client) return this.client;
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return await this.opening;
  }

  private async open(): Promise<C> {
    const c = this.o.create();
    c.on("error", (err) => {
      const current = this.client === c;
      if (current) {
        this.client = undefined;
        c.end().catch(() => undefined);
      }
      this.o.onError?.(err, current);
    });
    const t0 = performance.now();
    await c.connect();
    try {
      await this.o.setup?.(c);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    this.client = c;
    this.since = Date.now();
    this.o.debug?.(`connection opened in ${(performance.now() - t0).toFixed(0)} ms`
      + ` (backend pid ${(c as unknown as { processID?: number }).processID ?? "?"})`);
    return c;
  }

  /** Ends the connection held, if any; the next get() opens a new one. */
  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) this.o.debug?.("connection closed");
    await c?.end().catch(() => undefined);
  }
}
