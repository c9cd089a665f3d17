// Moving a PgQ 3.5 database to another server that has only this pgq (a
// managed PostgreSQL): pg_dump on the old server (Debian's C PgQ 3.5),
// scripts/pgq-restore.sh into the new one, then pgqd and the python3-pgq
// consumer go on there.  A plain restore fails (3.5's per-queue tables
// INHERIT pgq.event_template, ours is partitioned); the script leaves
// their definitions out, makes them with pgq.restore_queue_storage(),
// loads the events and moves the stored txids below the new server's
// counter with pgq.restore_rebase_txids().  Every event reaches every
// consumer exactly once across the move; the catalog equals a fresh install.
//
// Needs scripts/pgq35.sh (Debian packages fetched with apt-get download):
// a failure to fetch them fails this test, with the reason.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { waitFor } from "./support/cli.js";
import { PGQ_VERSION } from "./support/env.js";
import { batch, drain, insert, one, pgq35, prepare35, sorted, startPgqd, startProducer, startRecorder, tick, type Daemon } from "./support/pgq35.js";
import { describeCatalog, diffLines } from "./upgrade/catalog.js";

const root = resolve(import.meta.dirname, "..");
const PREFIX = join(tmpdir(), "pgq35-prefix-migrate-test");
const dir = mkdtempSync(join(tmpdir(), "pgq35-migrate-test."));
const oldDir = join(dir, "old");
const newDir = join(dir, "new");
mkdirSync(oldDir);
mkdirSync(newDir);
let bin: string;
let oldc: PrivateCluster;
let newc: PrivateCluster;
const daemons: Daemon[] = [];
const clients: pg.Client[] = [];

beforeAll(() => {
  bin = pgq35("prefix", PREFIX);
  pgq35("old-pgq-ext", PREFIX);
  pgq35("pgqd");
  pgq35("python");
  oldc = startPrivateCluster({ pgbin: bin });
  newc = startPrivateCluster(); // the system's PostgreSQL, with this checkout's pgq installed
});
afterAll(async () => {
  for (const d of daemons) await d.stop();
  await Promise.allSettled(clients.map((c) => c.end()));
  oldc?.stop();
  newc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(cluster: PrivateCluster, db: string): Promise<pg.Client> {
  const c = new pg.Client(cluster.config(db));
  await c.connect();
  c.on("notice", () => {});
  clients.push(c);
  return c;
}

const env = (cluster: PrivateCluster) => ({ ...process.env, ...cluster.env, PATH: `/usr/lib/postgresql/15/bin:${process.env.PATH}` });

describe("from PgQ 3.5 on another server", () => {
  it("pg_dump, pgq-restore.sh, and pgqd and the python consumer go on: every event once", async () => {
    // --- the old server: C PgQ 3.5 at work ---
    await oldc.query("postgres", "create database app");
    const o = await connect(oldc, "app");
    await o.query("create extension pgq version '3.5'");
    await o.query("create extension pgq_ext version '3.3'");
    const { t2, t2b, side, open, retried } = await prepare35(o);
    const oldDaemons = [startPgqd(oldDir, oldc, ["app"]), startRecorder(oldDir, oldc, "app", "q_main", "pyc", "public.seen")];
    daemons.push(...oldDaemons);
    const producer = startProducer(await connect(oldc, "app"));
    await waitFor(() => producer.committed.length > 200, 20_000, "the producer on the old server");
    await producer.stop();
    await waitFor(async () => Number(await one(o, "select count(*) from seen")) > 100, 30_000, "the python consumer on the old server");
    // the move: daemons stop, then the last events (one of them after the last tick)
    for (const d of oldDaemons) await d.stop();
    // the old server's transaction counter well ahead of the new one's
    await o.query("do $$ begin for i in 1..3000 loop perform txid_current(); commit; end loop; end $$");
    const lateTicked = await insert(o, "q_main", "late", 3);
    await tick(o, "q_main");
    const lateUnticked = await insert(o, "q_main", "later", 2);
    const oldTxid = Number(await one(o, "select txid_current()"));
    const seenOld = Number(await one(o, "select count(*) from seen"));
    const dump = join(dir, "app.dump");
    execFileSync(join(bin, "pg_dump"), ["-Fc", "-d", "app", "-f", dump], { env: env(oldc) });

    // --- the new server: only this pgq ---
    // a plain restore fails on 3.5's per-queue tables
    await newc.query("postgres", "create database plain");
    const plain = spawnSync("pg_restore", ["--exit-on-error", "-d", "plain", dump], { env: env(newc), encoding: "utf8" });
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/cannot inherit from partitioned table "event_template"/);

    await newc.query("postgres", "create database app");
    const restore = spawnSync(resolve(root, "scripts/pgq-restore.sh"), [dump, "app"], { env: env(newc), encoding: "utf8" });
    expect(restore.stderr).toMatch(/tables made for 2 queue\(s\)/);
    expect(restore.stderr).toMatch(/2 queue\(s\) rebased/);
    expect(restore.status).toBe(0);
    const c = await connect(newc, "app");
    expect(Number(await one(c, "select txid_current()"))).toBeLessThan(oldTxid);
    expect(await one(c, "select extversion from pg_extension where extname = 'pgq'")).toBe(PGQ_VERSION);
    expect(await one(c, "select extversion from pg_extension where extname = 'pgq_ext'")).toBe(PGQ_VERSION);
    expect(Number(await one(c, "select count(*) from seen"))).toBe(seenOld);

    daemons.push(startPgqd(newDir, newc, ["app"]));
    const pyc = startRecorder(newDir, newc, "app", "q_main", "pyc", "public.seen");
    daemons.push(pyc);
    const producer2 = startProducer(await connect(newc, "app"));
    await waitFor(() => producer2.committed.length > 200, 20_000, "the producer on the new server");
    await producer2.stop();
    await c.query("insert into orders values (2, 'cup'); delete from orders where id = 2");
    await c.query("insert into accounts values (2, 'joe')");
    await c.query("insert into skipped values (2, 'after')");

    // the python consumer: every event once, across both servers
    const prod = [...producer.committed, ...producer2.committed];
    const rows = producer.rows.length + producer2.rows.length;
    const expectPyc = prod.length + 2 * rows + 6 + lateTicked.length + lateUnticked.length + 4;
    await waitFor(async () => Number(await one(c, "select count(*) from seen")) >= expectPyc, 30_000,
      `the python consumer to reach ${expectPyc} events`);
    await new Promise((r) => setTimeout(r, 1000));
    const rec = (await c.query<{ ev_id: string; ev_type: string; ev_data: string; ev_extra1: string | null }>(
      "select ev_id, ev_type, ev_data, ev_extra1 from seen order by ev_id")).rows;
    expect(rec).toHaveLength(expectPyc);
    expect(new Set(rec.map((r) => r.ev_id)).size).toBe(rec.length);
    expect(sorted(rec.filter((r) => r.ev_type === "prod" || r.ev_type === "ev").map((r) => r.ev_data)))
      .toEqual(sorted([...prod, ...lateTicked, ...lateUnticked]));
    const trig = rec.filter((r) => r.ev_type !== "prod" && r.ev_type !== "ev").map((r) => `${r.ev_type} ${r.ev_data} ${r.ev_extra1}`);
    expect(trig.slice(-4)).toEqual([
      "I:id id=2&item=cup public.orders",
      "D:id id=2&item=cup public.orders",
      "I (id,owner) values ('2','joe') public.accounts",
      "I:id id=2&note=after public.skipped",
    ]);

    // the SQL consumers resume where they were
    const again = await batch(c, "q_main", "c_open");
    expect(again?.id).toBe(open.id);
    expect(again?.data).toEqual(t2);
    const after = [...t2b, ...prod, ...lateTicked, ...lateUnticked];
    expect(sorted(await drain(c, "q_main", "c_open"))).toEqual(sorted(after));
    expect(sorted(await drain(c, "q_main", "c_lag"))).toEqual(sorted([...t2, ...after]));
    await waitFor(async () => Number(await one(c, "select count(*) from pgq.retry_queue")) === 0, 10_000, "retry events moved");
    expect(sorted(await drain(c, "q_main", "c_retry"))).toEqual(sorted([...retried, ...after]));
    expect(sorted(await drain(c, "q_side", "c_side"))).toEqual(side);
    expect((await c.query(`select pgq_ext.is_batch_done('ext_c', 11) a, pgq_ext.get_last_tick('ext_c', 'sub') t,
                                  pgq_ext.is_event_done('ext_c', 31, 41) e`)).rows[0]).toEqual({ a: true, t: "21", e: true });

    // pgqd rotates the restored queue once everybody has caught up
    const cur = await one<number>(c, "select queue_cur_table from pgq.queue where queue_id = 1");
    await c.query("select pgq.insert_event('q_main', 'prod', 'last')");
    await waitFor(async () => {
      for (const cons of ["c_open", "c_lag", "c_retry"]) await drain(c, "q_main", cons);
      return (await one<number>(c, "select queue_cur_table from pgq.queue where queue_id = 1")) !== cur;
    }, 20_000, "a rotation on the new server");
    await waitFor(async () => Number(await one(c, "select count(*) from seen where ev_data = 'last'")) === 1, 10_000, "the last event");

    for (const d of daemons) await d.stop();
    expect(pyc.output()).not.toMatch(/Traceback|ERROR/);

    // the same dump into a database with the plain install (psql -f pgq.sql,
    // where CREATE EXTENSION is not allowed): the queued work is there too
    await newc.query("postgres", "create database managed");
    const m = await connect(newc, "managed");
    await m.query(readFileSync(resolve(root, "extension/pgq.sql"), "utf8"));
    await m.query(readFileSync(resolve(root, "extension/pgq_ext.sql"), "utf8"));
    const restoreM = spawnSync(resolve(root, "scripts/pgq-restore.sh"), [dump, "managed"], { env: env(newc), encoding: "utf8" });
    // (by now this server's counter has passed q_side's txids, not q_main's)
    expect(restoreM.stderr, restoreM.stderr).toMatch(/[12] queue\(s\) rebased/);
    expect(restoreM.status).toBe(0);
    expect(Number(await one(m, "select count(*) from pg_extension where extname like 'pgq%'"))).toBe(0);
    const mOpen = await batch(m, "q_main", "c_open");
    expect(mOpen?.id).toBe(open.id);
    expect(mOpen?.data).toEqual(t2);
    await tick(m, "q_main");
    const oldAfter = [...t2b, ...producer.committed, ...lateTicked, ...lateUnticked];
    expect(sorted(await drain(m, "q_main", "c_open"))).toEqual(sorted(oldAfter));
    expect(sorted(await drain(m, "q_main", "c_lag"))).toEqual(sorted([...t2, ...oldAfter]));

    // the catalog equals a fresh install with the same queues
    await newc.query("postgres", "create database fresh");
    const f = await connect(newc, "fresh");
    await f.query("create extension pgq; create extension pgq_ext");
    for (const q of ["q_main", "q_side"]) await f.query("select pgq.create_queue($1)", [q]);
    expect(diffLines(await describeCatalog(c), await describeCatalog(f))).toEqual([]);
  });
});
