// pgq-runner's Prometheus metrics (prom-client, a registry of its own):
// the runner's counters, kept as its loops run, and each database's queue
// and consumer facts, set from one observation per database per scrape.
// Names follow Prometheus' conventions: the unit in the name, _total for
// counters; label values are the names as pgq has them.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { tickerState, type DbState, type Thresholds } from "../observe.js";

export type Loop = "ticker" | "maint" | "retry";

export class RunnerMetrics {
  readonly registry = new Registry();
  private readonly r = [this.registry];

  readonly ticks = new Counter({ name: "pgq_runner_ticks_total", help: "Ticks made by pgq.ticker() calls",
    labelNames: ["database"], registers: this.r });
  readonly tickerCalls = new Counter({ name: "pgq_runner_ticker_calls_total", help: "pgq.ticker() calls",
    labelNames: ["database"], registers: this.r });
  readonly maintCalls = new Counter({ name: "pgq_runner_maint_calls_total",
    help: "Maintenance calls (rows of pgq.maint_operations(), repeats included)", labelNames: ["database"], registers: this.r });
  readonly retryEvents = new Counter({ name: "pgq_runner_retry_events_total",
    help: "Events moved back from the retry queue by pgq.maint_retry_events()", labelNames: ["database"], registers: this.r });
  readonly errors = new Counter({ name: "pgq_runner_errors_total", help: "Failed steps, by loop",
    labelNames: ["database", "loop"], registers: this.r });
  readonly loopSeconds = new Histogram({ name: "pgq_runner_loop_duration_seconds",
    help: "Duration of one step of a loop (a pgq.ticker() call, a maintenance round, a retry round)",
    labelNames: ["database", "loop"], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: this.r });
  readonly up = new Gauge({ name: "pgq_runner_database_up",
    help: "1 while the runner ticks the database (pgq found and trusted), else 0", labelNames: ["database"], registers: this.r });
  readonly lastTick = new Gauge({ name: "pgq_runner_last_tick_timestamp_seconds",
    help: "When the last pgq.ticker() call succeeded (Unix time)", labelNames: ["database"], registers: this.r });
  readonly observeSeconds = new Gauge({ name: "pgq_observe_duration_seconds",
    help: "Duration of the last catalog query for these metrics", labelNames: ["database"], registers: this.r });
  readonly observeErrors = new Counter({ name: "pgq_observe_errors_total",
    help: "Failed catalog queries for these metrics", labelNames: ["database"], registers: this.r });

  private readonly facts = {
    oldestXact: this.g("pgq_oldest_xact_age_seconds",
      "Age of the oldest transaction holding a txid, in the whole cluster: it holds every new tick's xmin, so rotation", ["database"]),
    horizon: this.g("pgq_xmin_horizon_age_xids",
      "Age in transactions of the oldest xmin (backends, replication slots, prepared transactions)", ["database"]),
    queues: this.g("pgq_queues", "Queues in the database", ["database"]),
    tickerLag: this.g("pgq_queue_ticker_lag_seconds", "Seconds since the queue's newest tick", ["database", "queue"]),
    tickerStalled: this.g("pgq_queue_ticker_stalled",
      "1 when the newest tick is older than the queue's idle period (or max lag) plus a grace: no ticker runs", ["database", "queue"]),
    tickerPaused: this.g("pgq_queue_ticker_paused", "1 when the queue's ticker is paused", ["database", "queue"]),
    evPerSec: this.g("pgq_queue_events_per_second", "Events per second over the last 20 ticks", ["database", "queue"]),
    evNew: this.g("pgq_queue_new_events", "Events since the newest tick (in no batch yet)", ["database", "queue"]),
    lastTick: this.g("pgq_queue_last_tick_id", "Id of the queue's newest tick", ["database", "queue"]),
    rotationAge: this.g("pgq_queue_rotation_age_seconds", "Seconds since the queue's last table rotation", ["database", "queue"]),
    rotationPeriod: this.g("pgq_queue_rotation_period_seconds", "The queue's rotation period", ["database", "queue"]),
    rotationBlocked: this.g("pgq_queue_rotation_blocked",
      "1 when rotation is due but a consumer's position or an old transaction keeps it from going ahead", ["database", "queue"]),
    rotationByXact: this.g("pgq_queue_rotation_blocked_by_transaction",
      "1 when an open transaction (pgq_oldest_xact_age_seconds) is what blocks the queue's rotation", ["database", "queue"]),
    consumers: this.g("pgq_queue_consumers", "Consumers registered on the queue", ["database", "queue"]),
    cLag: this.g("pgq_consumer_lag_seconds", "Seconds since the time of the consumer's last tick (PgQ's lag)",
      ["database", "queue", "consumer"]),
    cBehind: this.g("pgq_consumer_behind_seconds", "Seconds between the consumer's last tick and the queue's newest tick",
      ["database", "queue", "consumer"]),
    cSeen: this.g("pgq_consumer_last_seen_seconds", "Seconds since the consumer last asked for or finished a batch",
      ["database", "queue", "consumer"]),
    cPending: this.g("pgq_consumer_pending_events", "Events between the consumer's last tick and the newest tick",
      ["database", "queue", "consumer"]),
    cBatch: this.g("pgq_consumer_batch_open", "1 while the consumer has a batch open", ["database", "queue", "consumer"]),
    cBlocks: this.g("pgq_consumer_blocks_rotation", "1 when the consumer's position blocks its queue's rotation",
      ["database", "queue", "consumer"]),
  };

  private g(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: this.r });
  }

  /** Sets the database facts from fresh observations (databases not given have none now). */
  setFacts(states: ReadonlyMap<string, DbState>, th: Thresholds): void {
    for (const g of Object.values(this.facts)) g.reset();
    const f = this.facts;
    const set = (g: Gauge, labels: Record<string, string>, v: number | null | undefined) => {
      if (v !== null && v !== undefined && Number.isFinite(v)) g.set(labels, v);
    };
    for (const [database, st] of states) {
      const d = { database };
      set(f.oldestXact, d, st.oldest_xact ? st.oldest_xact.age ?? 0 : 0);
      set(f.horizon, d, st.xmin_horizon_age ?? 0);
      set(f.queues, d, st.queues.length);
      const consumers = new Map<string, number>();
      for (const c of st.consumers) consumers.set(c.queue, (consumers.get(c.queue) ?? 0) + 1);
      for (const q of st.queues) {
        const l = { database, queue: q.queue };
        set(f.tickerLag, l, q.ticker_lag);
        set(f.tickerStalled, l, tickerState(q, th.tickerGrace) === "stalled" ? 1 : 0);
        set(f.tickerPaused, l, q.ticker_paused ? 1 : 0);
        set(f.evPerSec, l, q.ev_per_sec);
        set(f.evNew, l, q.ev_new);
        set(f.lastTick, l, q.last_tick === null ? null : Number(q.last_tick));
        set(f.rotationAge, l, q.rotation_age);
        set(f.rotationPeriod, l, q.rotation_period);
        set(f.rotationBlocked, l, q.rotation_blocked ? 1 : 0);
        set(f.rotationByXact, l, q.blocking_xact ? 1 : 0);
        set(f.consumers, l, consumers.get(q.queue) ?? 0);
      }
      for (const c of st.consumers) {
        const l = { database, queue: c.queue, consumer: c.consumer };
        set(f.cLag, l, c.lag);
        set(f.cBehind, l, c.behind);
        set(f.cSeen, l, c.last_seen);
        set(f.cPending, l, c.pending_events);
        set(f.cBatch, l, c.batch !== null ? 1 : 0);
        set(f.cBlocks, l, c.blocks_rotation ? 1 : 0);
      }
    }
  }

  /** Forgets a database's runner series (it is no longer served). */
  forget(database: string): void {
    for (const m of [this.ticks, this.tickerCalls, this.maintCalls, this.retryEvents, this.up, this.lastTick,
      this.observeSeconds, this.observeErrors]) m.remove({ database });
    for (const loop of ["ticker", "maint", "retry"]) {
      this.errors.remove({ database, loop });
      this.loopSeconds.remove({ database, loop });
    }
  }
}
