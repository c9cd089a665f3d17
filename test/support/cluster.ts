// A private throwaway cluster, for tests that must not disturb the shared
// one: database discovery (it would tick every test's queues) and server
// restarts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";

const script = resolve(import.meta.dirname, "../../scripts/pgcluster.sh");

export interface PrivateCluster {
  env: { PGHOST: string; PGPORT: string; PGUSER: string };
  config(database: string): pg.ClientConfig;
  /** Creates a database with pgq. */
  createDb(name: string): Promise<void>;
  /** Runs one statement on a database (a connection of its own). */
  query<T = Record<string, unknown>>(db: string, text: string, params?: unknown[]): Promise<T[]>;
  /** fast (the default) or immediate: a crash and recovery. */
  restart(mode?: "fast" | "immediate"): void;
  /** The cluster's directory (data/, server.log). */
  dir: string;
  stop(): void;
}

/**
 * Starts a cluster of its own; `pgbin` picks other PostgreSQL binaries (a
 * prefix of scripts/pgq35.sh: PgQ 3.5 as its pgq).
 */
export function startPrivateCluster(opts: { pgbin?: string } = {}): PrivateCluster {
  const dir = mkdtempSync(join(tmpdir(), "pgq-private."));
  rmdirSync(dir);
  const env = opts.pgbin ? { ...process.env, PGBIN: opts.pgbin } : process.env;
  const out = execFileSync(script, ["start", dir], { encoding: "utf8", env });
  const vars: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const e = { PGHOST: vars.PGHOST!, PGPORT: vars.PGPORT!, PGUSER: vars.PGUSER ?? "postgres" };
  const config = (database: string): pg.ClientConfig => ({ host: e.PGHOST, port: Number(e.PGPORT), user: e.PGUSER, database });
  return {
    env: e,
    config,
    async createDb(name: string) {
      const a = new pg.Client(config("postgres"));
      await a.connect();
      await a.query(`create database ${name}`);
      await a.end();
      const c = new pg.Client(config(name));
      await c.connect();
      await c.query("create extension pgq");
      await c.end();
    },
    async query<T>(db: string, text: string, params: unknown[] = []): Promise<T[]> {
      const c = new pg.Client(config(db));
      await c.connect();
      try {
        return (await c.query(text, params)).rows as T[];
      } finally {
        await c.end();
      }
    },
    restart: (mode = "fast") => execFileSync(script, ["restart", dir, mode], { env }),
    dir,
    stop: () => execFileSync(script, ["stop", dir], { env }),
  };
}
