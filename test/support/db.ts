// Per-file test databases, cloned from the template that has pgq installed.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { serverConfig, TEMPLATE_DB } from "./env.js";

export interface TestDb {
  name: string;
  config: pg.ClientConfig;
  /** A new connected client; closed by drop(). */
  connect(): Promise<pg.Client>;
  drop(): Promise<void>;
}

/** Creates a fresh database with pgq, for one test file. */
export async function createTestDb(prefix = "pgq_t"): Promise<TestDb> {
  const server = inject("pgServer");
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client(serverConfig(server, "postgres"));
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const config = serverConfig(server, name);
  const clients: pg.Client[] = [];
  return {
    name,
    config,
    async connect() {
      const c = new pg.Client(config);
      await c.connect();
      clients.push(c);
      return c;
    },
    async drop() {
      await Promise.allSettled(clients.map((c) => c.end()));
      const a = new pg.Client(serverConfig(server, "postgres"));
      await a.connect();
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Returns the single value of the first row. */
export async function value<T = unknown>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const r = await c.query(sql, params);
  const row = r.rows[0] as Record<string, unknown> | undefined;
  if (!row) throw new Error(`no row from: ${sql}`);
  return Object.values(row)[0] as T;
}

/**
 * Creates a queue that ticks on every ticker call (max_lag and idle_period
 * 0), with optional further settings.
 */
export async function createTickingQueue(c: pg.Client, queue: string, settings: Record<string, string> = {}): Promise<void> {
  await c.query("select pgq.create_queue($1)", [queue]);
  for (const [k, v] of Object.entries({ ticker_max_lag: "0", ticker_idle_period: "0", ...settings })) {
    await c.query("select pgq.set_queue_config($1, $2, $3)", [queue, k, v]);
  }
}
