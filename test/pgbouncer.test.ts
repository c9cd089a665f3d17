// The driver, the Consumer, queue_splitter and pgq-runner through Debian's
// PgBouncer (1.18, which refuses the startup parameter `options`): in
// transaction pooling mode (pooler = transaction: nothing kept in the
// session, SET LOCAL in every transaction, polling) and in session mode
// (pooler = session: SET after connecting, LISTEN).  The database's owner
// has made a hostile search_path its default, which every server session
// of the pooler starts with: the tools' statements must still run with
// pg_catalog, pg_temp and never reach the trap.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Consumer, PgqClient, SafeClient, type PgqEvent } from "../src/index.js";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { killDaemons, runCli, waitFor, type Run } from "./support/cli.js";
import { startPgBouncer, type PgBouncer } from "./support/pgbouncer.js";

let cluster: PrivateCluster;
let txPool: PgBouncer;
let sessionPool: PgBouncer;
const dir = mkdtempSync(join(tmpdir(), "pgq-pgbouncer-test."));
const runs: Run[] = [];

beforeAll(async () => {
  cluster = startPrivateCluster();
  const server = { serverHost: cluster.env.PGHOST, serverPort: cluster.env.PGPORT };
  // two server sessions per database: the clients share them
  txPool = await startPgBouncer({ ...server, mode: "transaction", poolSize: 2 });
  sessionPool = await startPgBouncer({ ...server, mode: "session", poolSize: 10 });
});
afterAll(() => {
  for (const r of runs) if (r.child.exitCode === null) r.child.kill("SIGKILL");
  killDaemons(dir);
  txPool?.stop();
  sessionPool?.stop();
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const q = <T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []) =>
  cluster.query<T>(db, text, params);

/** pgq's entry points the tools call, to be wrapped in probes: name, argument types, result type. */
const PROBED = [
  ["register_consumer", ["text", "text"], "integer"],
  ["ticker", [], "bigint"],
  ["finish_batch", ["bigint"], "integer"],
  ["version", [], "text"],
  ["_tick_channel", ["text"], "text"],
] as const;

/**
 * A database with pgq (and pgq_ext), probes that record the search_path
 * pgq's entry points are called with, and a default search_path that puts
 * a trap operator ahead of pg_catalog's.
 */
async function hostileDb(name: string, queues: string[]): Promise<void> {
  await cluster.createDb(name);
  await q(name, "create extension pgq_ext");
  for (const queue of queues) {
    await q(name, "select pgq.create_queue($1)", [queue]);
    await q(name, "update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0' where queue_name = $1", [queue]);
  }
  await q(name, "create table public.seen (fn text, app text, path text)");
  for (const [fn, types, result] of PROBED) {
    const args = types.map((t, i) => `a${i} ${t}`).join(", ");
    const call = types.map((_, i) => `a${i}`).join(", ");
    await q(name, `alter function pgq.${fn}(${types.join(", ")}) rename to ${fn}_real`);
    await q(name, `create function pgq.${fn}(${args}) returns ${result} language plpgsql as $$
        begin
            insert into public.seen values ('${fn}', current_setting('application_name'), current_setting('search_path'));
            return pgq.${fn}_real(${call});
        end $$`);
  }
  await q(name, "create schema evil");
  await q(name, "create table evil.hits (at timestamptz default now(), app text)");
  await q(name, `create function evil.name_eq(a name, b name) returns boolean language sql as $$
      insert into evil.hits (app) values (current_setting('application_name'));
      select a operator(pg_catalog.=) b $$`);
  await q(name, "create operator evil.= (leftarg = name, rightarg = name, function = evil.name_eq)");
  await q("postgres", `alter database ${name} set search_path = evil, pg_catalog`);
}

/** What the probes and the trap saw: the search_paths pgq's entry points were called with, the trap's hits. */
async function witnessed(db: string): Promise<{ paths: string[]; hits: number; calls: { fn: string; app: string }[] }> {
  const paths = (await q<{ path: string }>(db, "select distinct path from public.seen order by 1")).map((r) => r.path);
  const calls = await q<{ fn: string; app: string }>(db, "select distinct fn, app from public.seen order by 1, 2");
  const hits = Number((await q<{ n: string }>(db, "select count(*)::text n from evil.hits"))[0]!.n);
  return { paths, hits, calls };
}

/** Produces events from .. from+n-1 through the pooler: the first alone, the others ten to a statement. */
async function produce(client: PgqClient, queue: string, from: number, n: number): Promise<void> {
  await client.insertEvent(queue, { type: "t", data: String(from) });
  for (let i = from + 1; i < from + n; i += 10) {
    await client.insertEvents(queue, Array.from({ length: Math.min(10, from + n - i) }, (_, k) => ({ type: "t", data: String(i + k) })));
  }
}

describe("through PgBouncer in transaction mode", () => {
  it("a producer and a consumer (pooler transaction) deliver every event, pinned, polling, without session state", async () => {
    await hostileDb("pb_tx", ["q"]);
    const client = new PgqClient(`${txPool.conn("pb_tx")} application_name=pb_client`, { pooler: "transaction" });
    // without the setting, PgBouncer refuses the session: it says so
    const unset = new PgqClient(txPool.conn("pb_tx"));
    await expect(unset.version()).rejects.toThrow(
      /unsupported startup parameter: options \(through a connection pooler\? set pooler to session or transaction\)/);
    await unset.end();

    const consumer = new Consumer({ connection: `${txPool.conn("pb_tx")} application_name=pb_consumer`, queue: "q",
      consumer: "c1", pooler: "transaction", pollIntervalMs: 100, fetchSize: 7 });
    await consumer.register();
    const got: string[] = [];
    const ctl = new AbortController();
    const running = consumer.run(async (batch) => {
      for await (const evs of batch.events()) got.push(...evs.map((e: PgqEvent) => e.ev_data!));
    }, ctl.signal);
    try {
      // another client of the pooler leaves session state behind on the
      // shared server sessions: the tools must not see it
      const other = new pg.Client({ host: txPool.host, port: txPool.port, user: "postgres", database: "pb_tx" });
      other.on("error", () => undefined);
      await other.connect();
      await other.query("set search_path = evil, pg_catalog");
      await other.query("set datestyle = 'SQL, DMY'");
      for (let round = 0; round < 5; round++) {
        await produce(client, "q", round * 50 + 1, 50);
        await client.tick();
      }
      await waitFor(() => got.length >= 250, 20_000, "250 events consumed");
      await other.end();
      const rows = await client.db.query("select pg_catalog.current_setting('search_path') as p, pg_catalog.now() as t");
      expect(rows.rows[0].p).toBe("pg_catalog, pg_temp");
      expect(rows.rows[0].t).toBeInstanceOf(Date);
    } finally {
      ctl.abort();
      await running;
      await client.end();
    }
    expect(got.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    const w = await witnessed("pb_tx");
    expect(w.paths).toEqual(["pg_catalog, pg_temp"]);
    expect(w.hits).toBe(0);
    // it took batches and produced events, but never asked for its tick
    // channel: it did not LISTEN
    expect(w.calls).toContainEqual({ fn: "finish_batch", app: "pb_consumer" });
    expect(w.calls).toContainEqual({ fn: "ticker", app: "pb_client" });
    expect(w.calls.filter((c) => c.fn === "_tick_channel" && c.app === "pb_consumer")).toEqual([]);
  });

  it("a SafeClient in transaction mode: a failed statement leaves no transaction open, VACUUM runs, a pool's callbacks work", async () => {
    await cluster.createDb("pb_safe");
    const c = new SafeClient({ host: txPool.host, port: txPool.port, user: "postgres", database: "pb_safe", pooler: "transaction" });
    await c.connect();
    try {
      expect(c.canListen).toBe(false);
      await expect(c.query("select 1/0")).rejects.toThrow(/division by zero/);
      // the statement's own transaction was rolled back: the session is usable, not "aborted"
      expect((await c.query("select pg_catalog.current_setting('search_path') as p")).rows[0].p).toBe("pg_catalog, pg_temp");
      // outside a transaction, as VACUUM must be
      await c.query("vacuum pgq.tick");
      // an explicit transaction: SET LOCAL once, then the statements as they are
      await c.query("begin");
      await c.query("create table public.t (x int)");
      await c.query("savepoint a");
      await expect(c.query("select 1/0")).rejects.toThrow(/division by zero/);
      await c.query("rollback transaction to savepoint a");
      // still inside the transaction (a statement given one of its own would commit it)
      expect((await c.query("select pg_catalog.current_setting('search_path') as p")).rows[0].p).toBe("pg_catalog, pg_temp");
      await c.query("rollback");
      expect((await c.query("select pg_catalog.to_regclass('public.t') as r")).rows[0].r).toBe(null);
    } finally {
      await c.end();
    }
    const pool = new pg.Pool({ host: txPool.host, port: txPool.port, user: "postgres", database: "pb_safe",
      Client: SafeClient as unknown as new () => pg.ClientBase, pooler: "transaction" } as pg.PoolConfig);
    try {
      const path = await new Promise<string>((resolve, reject) =>
        pool.query("select pg_catalog.current_setting('search_path') as p", (err, r) => (err ? reject(err) : resolve(r.rows[0].p))));
      expect(path).toBe("pg_catalog, pg_temp");
    } finally {
      await pool.end();
    }
  });

  it("pgq-runner ticks and queue_splitter moves between two databases, both with pooler = transaction", async () => {
    await hostileDb("pb_src", ["src"]);
    await hostileDb("pb_dst", ["a", "b"]);
    const runnerIni = join(dir, "runner.ini");
    writeFileSync(runnerIni, `[pgq-runner]
base_connstr = host=${txPool.host} port=${txPool.port} user=postgres sslmode=disable
database_list = pb_src, pb_dst
ticker_period = 0.2
maint_period = 0.5
retry_period = 0.5
pooler = transaction
`);
    const splitIni = join(dir, "split.ini");
    writeFileSync(splitIni, `[queue_splitter3]
job_name = pb_split
src_db = ${txPool.conn("pb_src")}
dst_db = ${txPool.conn("pb_dst")}
pgq_queue_name = src
loop_delay = 0.1
pooler = transaction
`);
    const runner = runCli("pgq-runner", [runnerIni]);
    const split = runCli("queue_splitter", [splitIni]);
    runs.push(runner, split);
    const client = new PgqClient(txPool.conn("pb_src"), { pooler: "transaction" });
    try {
      await waitFor(() => /registered on the source queue/.test(split.output()), 20_000, "splitter registered");
      for (let i = 0; i < 10; i++) {
        await client.insertEvents("src", Array.from({ length: 20 }, (_, k) => ({
          type: "t", data: `e${i * 20 + k}`, extra1: k % 2 === 0 ? "a" : "b" })));
      }
      const moved = async () => Number((await q<{ n: string }>("pb_dst",
        "select count(*)::text n from pgq.event_template where ev_data like 'e%'"))[0]!.n);
      await waitFor(async () => (await moved()) === 200, 30_000, "200 events moved");
      await new Promise((r) => setTimeout(r, 500));
      expect(await moved()).toBe(200);
      const data = await q<{ d: string; t: string }>("pb_dst",
        "select ev_data d, tableoid::regclass::text t from pgq.event_template where ev_data like 'e%'");
      expect(new Set(data.map((r) => r.d)).size).toBe(200);
    } finally {
      await client.end();
      runner.child.kill("SIGINT");
      split.child.kill("SIGINT");
    }
    expect(await runner.exit).toBe(0);
    expect(await split.exit).toBe(0);
    expect(runner.output()).not.toMatch(/ ERROR /);
    expect(split.output()).not.toMatch(/ ERROR /);
    for (const db of ["pb_src", "pb_dst"]) {
      const w = await witnessed(db);
      expect(w.hits, db).toBe(0);
      expect(w.paths.every((p) => p === "pg_catalog, pg_temp"), `${db}: ${w.paths.join(" | ")}`).toBe(true);
    }
    expect((await witnessed("pb_src")).paths).toEqual(["pg_catalog, pg_temp"]);
  });
});

describe("through PgBouncer in session mode", () => {
  it("a producer and a consumer (pooler session) deliver every event, woken by the tick notification", async () => {
    await hostileDb("pb_sess", ["q"]);
    const client = new PgqClient(sessionPool.conn("pb_sess"), { pooler: "session" });
    // a poll interval no test waits for: only LISTEN can wake it in time
    const consumer = new Consumer({ connection: sessionPool.conn("pb_sess"), queue: "q", consumer: "c1",
      pooler: "session", pollIntervalMs: 600_000 });
    await consumer.register();
    const got: string[] = [];
    const ctl = new AbortController();
    const running = consumer.run(async (batch) => {
      for await (const evs of batch.events()) got.push(...evs.map((e: PgqEvent) => e.ev_data!));
    }, ctl.signal);
    try {
      await new Promise((r) => setTimeout(r, 500)); // the consumer is asleep
      for (let round = 0; round < 3; round++) {
        const before = got.length;
        await produce(client, "q", round * 30 + 1, 30);
        await client.tick();
        await waitFor(() => got.length >= before + 30, 10_000, `round ${round} delivered`);
      }
      expect((await client.db.query("show search_path")).rows[0].search_path).toBe("pg_catalog, pg_temp");
    } finally {
      ctl.abort();
      await running;
      await client.end();
    }
    expect(got.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    const w = await witnessed("pb_sess");
    expect(w.paths).toEqual(["pg_catalog, pg_temp"]);
    expect(w.calls).toContainEqual({ fn: "_tick_channel", app: "" }); // the consumer's (no application_name)
    expect(w.hits).toBe(0);
  });
});
