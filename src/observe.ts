// What an operator asks of a database with pgq: is the ticker running, is
// a consumer falling behind, is anything holding rotation.  One statement
// (sql.observe) reads the facts; problems() turns them into the list that
// pgq-runner's status page shows first and logs when it changes, and that
// pgqadm status --json prints.  Times are seconds (floats).
import type pg from "pg";
import { sql } from "./sql/index.js";

export interface QueueState {
  queue: string;
  /** Seconds; null when the queue never rotates. */
  rotation_period: number | null;
  /** Seconds since the last rotation. */
  rotation_age: number;
  external_ticker: boolean;
  ticker_paused: boolean;
  ticker_max_count: number;
  ticker_max_lag: number;
  ticker_idle_period: number;
  /** Seconds since the newest tick; null without ticks. */
  ticker_lag: number | null;
  ev_per_sec: number | null;
  /** Events since the newest tick (not yet in any batch). */
  ev_new: number | null;
  last_tick: string | null;
  rotation_due: boolean;
  rotation_blocked: boolean;
  /** The oldest running transaction (oldest_xact) holds rotation. */
  blocking_xact: boolean;
}

export interface ConsumerState {
  queue: string;
  consumer: string;
  /** Seconds since the time of the consumer's last tick (PgQ's lag). */
  lag: number | null;
  /** Seconds between the consumer's last tick and the queue's newest tick. */
  behind: number | null;
  last_seen: number;
  last_tick: string | null;
  batch: string | null;
  next_tick: string | null;
  /** PgQ's count: the newest tick's event sequence minus the consumer's tick's. */
  pending_events: number | null;
  /** Its position is what keeps rotation from going ahead. */
  blocks_rotation: boolean;
}

export interface XactState {
  txid: string;
  pid: number | null;
  database: string | null;
  user: string | null;
  application: string | null;
  state: string | null;
  /** Set for a prepared transaction. */
  gid: string | null;
  /** Seconds since it started (prepared: since PREPARE). */
  age: number | null;
}

export interface DbState {
  /** The server's clock, epoch seconds. */
  now: number;
  pgq_version: string | null;
  server_version: string;
  queues: QueueState[];
  consumers: ConsumerState[];
  /** The oldest transaction with a txid anywhere in the cluster: it holds every new tick's xmin. */
  oldest_xact: XactState | null;
  /** Age in transactions of the oldest xmin (backends, replication slots, prepared): vacuum keeps rows newer than it. */
  xmin_horizon_age: number | null;
}

/** Reads the state of the database c is connected to (pgq must be there). */
export async function readState(c: pg.Client | pg.PoolClient): Promise<DbState> {
  const r = await c.query(sql.observe);
  const st = r.rows[0] as DbState;
  // now() is the statement's start: a tick committed just after it reads
  // as a few microseconds in the future
  const z = (v: number | null) => (v !== null && v < 0 ? 0 : v);
  for (const q of st.queues) {
    q.ticker_lag = z(q.ticker_lag);
    q.rotation_age = z(q.rotation_age)!;
  }
  for (const x of st.consumers) {
    x.lag = z(x.lag);
    x.last_seen = z(x.last_seen)!;
  }
  if (st.oldest_xact) st.oldest_xact.age = z(st.oldest_xact.age);
  return st;
}

export interface Thresholds {
  /** Seconds a consumer may be behind the newest tick before it counts as lagging. */
  lag: number;
  /** Seconds a ticker may be late (past the queue's idle period or max lag) before it counts as stalled. */
  tickerGrace: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { lag: 300, tickerGrace: 10 };

export type ProblemKind = "ticker_stalled" | "consumer_lagging" | "rotation_blocked";

export interface Problem {
  kind: ProblemKind;
  queue: string;
  consumer?: string;
  /** What it is, for people: "ticker stalled: last tick 5m 3s ago". */
  text: string;
  /** Identifies the problem across observations (its state changes are logged). */
  key: string;
}

/** The ticker as the status shows it: external, paused, ok, stalled, or none (never ticked). */
export function tickerState(q: QueueState, grace: number): "external" | "paused" | "ok" | "stalled" | "none" {
  if (q.external_ticker) return "external";
  if (q.ticker_paused) return "paused";
  if (q.ticker_lag === null) return "none";
  // an idle queue ticks at least every idle period, a busy one every max lag
  return q.ticker_lag > Math.max(q.ticker_idle_period, q.ticker_max_lag) + grace ? "stalled" : "ok";
}

/** A duration for people: "0.4s", "59.0s", "1m 05s", "2h 03m", "3d 04h". */
export function human(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "-";
  if (s < 60) return `${s.toFixed(1)}s`;
  const t = Math.floor(s);
  const p = (n: number) => String(n).padStart(2, "0");
  if (t < 3600) return `${Math.floor(t / 60)}m ${p(t % 60)}s`;
  if (t < 86400) return `${Math.floor(t / 3600)}h ${p(Math.floor(t / 60) % 60)}m`;
  return `${Math.floor(t / 86400)}d ${p(Math.floor(t / 3600) % 24)}h`;
}

/** Describes a transaction: "pid 123 (app psql, user bob, db app, idle in transaction, 5m 02s)". */
export function describeXact(x: XactState): string {
  const parts = [
    x.gid !== null ? `prepared transaction "${x.gid}"` : `pid ${x.pid ?? "?"}`,
  ];
  const more = [
    x.application ? `application ${x.application}` : "",
    x.user ? `user ${x.user}` : "",
    x.database ? `database ${x.database}` : "",
    x.gid === null && x.state ? x.state : "",
    `open ${human(x.age)}`,
    `txid ${x.txid}`,
  ].filter((s) => s !== "");
  return `${parts[0]} (${more.join(", ")})`;
}

/** The problems of one database, in the order the status page shows them. */
export function problems(st: DbState, th: Thresholds = DEFAULT_THRESHOLDS): Problem[] {
  const out: Problem[] = [];
  for (const q of st.queues) {
    if (tickerState(q, th.tickerGrace) === "stalled") {
      out.push({ kind: "ticker_stalled", queue: q.queue, key: `ticker_stalled/${q.queue}`,
        text: `ticker stalled: last tick ${human(q.ticker_lag)} ago (idle period ${human(q.ticker_idle_period)})` });
    }
  }
  for (const q of st.queues) {
    if (!q.rotation_blocked) continue;
    const by: string[] = [];
    if (q.blocking_xact && st.oldest_xact) by.push(`transaction ${describeXact(st.oldest_xact)}`);
    for (const c of st.consumers) {
      if (c.queue === q.queue && c.blocks_rotation) by.push(`consumer ${c.consumer} (behind ${human(c.behind)})`);
    }
    if (by.length === 0) by.push("no one now: waiting for the next tick");
    out.push({ kind: "rotation_blocked", queue: q.queue, key: `rotation_blocked/${q.queue}`,
      text: `rotation blocked (last rotation ${human(q.rotation_age)} ago, period ${human(q.rotation_period)}) by ${by.join("; ")}` });
  }
  for (const c of st.consumers) {
    if (c.behind !== null && c.behind > th.lag) {
      out.push({ kind: "consumer_lagging", queue: c.queue, consumer: c.consumer, key: `consumer_lagging/${c.queue}/${c.consumer}`,
        text: `consumer lagging: ${human(c.behind)} behind the newest tick, ${c.pending_events ?? "?"} pending events, last seen ${human(c.last_seen)} ago` });
    }
  }
  return out;
}
