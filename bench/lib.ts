// Helpers shared by the TypeScript benchmarks: connections, medians, fresh
// databases with each system installed, and the result rows that
// bench/summary.ts turns into the one combined table.
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { resolve } from "node:path";
import pg from "pg";

export const here = import.meta.dirname;
export const quick = process.argv.includes("--quick");
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The systems a result row can belong to (bench/summary.ts knows their names). */
export type SystemId = "ours" | "c" | "pl" | "pgboss" | "graphile" | "plain";

export async function client(database: string): Promise<pg.Client> {
  const c = new pg.Client({ database });
  await c.connect();
  return c;
}

export async function scalar<T>(c: pg.Client, text: string, params: unknown[] = []): Promise<T> {
  const r = await c.query(text, params);
  return Object.values(r.rows[0] as Record<string, unknown>)[0] as T;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-th quantile (0..1) of xs, nearest rank. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/**
 * One figure for the combined table: appended to the file named by
 * BENCH_ROWS (make bench sets it) as "key<TAB>system<TAB>value".
 */
export function record(key: string, system: SystemId, value: number): void {
  const file = process.env.BENCH_ROWS;
  if (file) appendFileSync(file, `${key}\t${system}\t${value}\n`);
}

/** Runs statements one after another in database postgres. */
async function onPostgres(...statements: string[]): Promise<void> {
  const admin = await client("postgres");
  try {
    for (const s of statements) await admin.query(s);
  } finally {
    await admin.end();
  }
}

/** Drops and creates database db (a plain name: the benchmarks' own). */
export function freshDb(db: string): Promise<void> {
  return onPostgres(`drop database if exists ${db} with (force)`, `create database ${db}`);
}

export function dropDb(db: string): Promise<void> {
  return onPostgres(`drop database if exists ${db} with (force)`);
}

/** A fresh database with PgQ 3.5 (variant c or pl) loaded by reference.sh. */
export function referenceDb(db: string, variant: "c" | "pl"): void {
  execFileSync(resolve(here, "reference.sh"), [db, variant], { stdio: ["ignore", "ignore", "inherit"] });
}

/** The path of Debian's pgqd binary, unpacked by reference.sh. */
export function pgqdBinary(): string {
  return execFileSync(resolve(here, "reference.sh"), ["--pgqd"], { encoding: "utf8" }).trim();
}

/** Calls fn(system) for every round and system, rotating who goes first. */
export async function interleaved<S>(systems: S[], rounds: number, fn: (s: S, round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < systems.length; i++) await fn(systems[(i + round) % systems.length]!, round);
  }
}

export function fail(what: string): (err: unknown) => void {
  return (err) => {
    console.error(`${what} failed:`, err);
    process.exit(1);
  };
}
