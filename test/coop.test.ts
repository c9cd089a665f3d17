// Cooperative consumers (pgq_coop) through the driver: subconsumers in
// one process (ConsumerPool) and as processes of their own, one of which is
// killed with SIGKILL in the middle of a batch; exactly once across a
// takeover.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { BatchOpenError, Consumer, ConsumerPool, InvalidOptionError, type PgqEvent } from "../src/index.js";
import { createTestDb, createTickingQueue, value, type TestDb } from "./support/db.js";

const workerScript = resolve(import.meta.dirname, "support/coop-worker.ts");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: TestDb;
let dst: TestDb;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDb("pgq_coop");
  dst = await createTestDb("pgq_coopdst");
  c = await db.connect();
  await c.query("create extension pgq_coop");
  await c.query("create table coop_seen (ev_id bigint, worker text, batch_id bigint, at timestamptz default clock_timestamp())");
});
afterAll(async () => {
  await db?.drop();
  await dst?.drop();
});

/** n events in batches of `per` (a tick after each). */
async function produce(queue: string, n: number, per: number): Promise<void> {
  for (let i = 0; i < n; i += per) {
    await c.query("select pgq.insert_event($1, 'ev', 'e' || g) from generate_series($2::int, $3::int) g",
      [queue, i + 1, Math.min(i + per, n)]);
    await c.query("select pgq.ticker($1)", [queue]);
  }
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("cooperative consumers", () => {
  it("options: deadInterval and peers need subconsumer; the pool checks its own", () => {
    expect(() => new Consumer({ connection: "dbname=x", queue: "q", consumer: "c", deadInterval: "1 s" }))
      .toThrow(/deadInterval needs subconsumer/);
    expect(() => new Consumer({ connection: "dbname=x", queue: "q", consumer: "c", subconsumer: "" }))
      .toThrow(InvalidOptionError);
    expect(() => new ConsumerPool({ connection: "dbname=x", queue: "q", consumer: "c", concurrency: 0 }))
      .toThrow(/concurrency must be an integer/);
  });

  it("a pool of 3 shares the batches: each batch to one subconsumer, every event once", async () => {
    await createTickingQueue(c, "qpool");
    const pool = new ConsumerPool({ connection: db.config, queue: "qpool", consumer: "pool", concurrency: 3,
                                    pollIntervalMs: 20 });
    expect(await pool.register()).toBe(true);
    expect(await pool.register()).toBe(false);
    await produce("qpool", 3000, 50);
    const seen: { ev: string; sub: string; batch: string }[] = [];
    const busy = new Set<string>();
    let overlap = 0;
    const stop = new AbortController();
    const run = pool.run(async (batch) => {
      const sub = (await c.query("select consumer_name from pgq.get_batch_info($1)", [batch.info.batch_id])).rows[0]
        .consumer_name as string;
      busy.add(sub);
      if (busy.size > 1) overlap++;
      for await (const evs of batch.events()) {
        for (const e of evs) seen.push({ ev: e.ev_id, sub, batch: batch.info.batch_id });
        await sleep(2);
      }
      busy.delete(sub);
    }, stop.signal);
    await until("3000 events", async () => seen.length >= 3000);
    stop.abort();
    await run;
    expect(seen.length).toBe(3000);
    expect(new Set(seen.map((s) => s.ev)).size).toBe(3000);
    // one batch, one subconsumer
    const owner = new Map<string, string>();
    for (const s of seen) {
      expect(owner.get(s.batch) ?? s.sub).toBe(s.sub);
      owner.set(s.batch, s.sub);
    }
    expect(new Set(seen.map((s) => s.sub))).toEqual(new Set(["pool.w1", "pool.w2", "pool.w3"]));
    expect(overlap).toBeGreaterThan(0); // batches were handled at the same time
    const info = await c.query("select consumer_name, last_tick, current_batch from pgq.get_consumer_info('qpool') order by 1");
    expect(info.rows.map((r) => r.consumer_name)).toEqual(["pool", "pool.w1", "pool.w2", "pool.w3"]);
    expect(info.rows.every((r) => r.current_batch === null)).toBe(true);
    await pool.unregister();
    expect((await c.query("select consumer_name from pgq.get_consumer_info('qpool')")).rows.map((r) => r.consumer_name))
      .toEqual(["pool"]);
  });

  it("unregister with a batch held: BatchOpenError (PQ012), or the batch dropped on request", async () => {
    await createTickingQueue(c, "qunreg");
    const w = new Consumer({ connection: db.config, queue: "qunreg", consumer: "u", subconsumer: "w1" });
    expect(await w.register()).toBe(true);
    await produce("qunreg", 5, 5);
    expect(await value<string | null>(c, "select pgq_coop.next_batch('qunreg', 'u', 'w1')::text")).not.toBeNull();
    await expect(w.unregister()).rejects.toBeInstanceOf(BatchOpenError);
    expect(await w.unregister(true)).toBe(true);
    expect(await w.unregister()).toBe(false);
    await w.close();
  });

  it("retry in a subconsumer's batch: the event comes back to the group", async () => {
    await createTickingQueue(c, "qretry");
    const pool = new ConsumerPool({ connection: db.config, queue: "qretry", consumer: "r", concurrency: 2,
                                    pollIntervalMs: 20 });
    await pool.register();
    await produce("qretry", 10, 10);
    const got: PgqEvent[] = [];
    const stop = new AbortController();
    const run = pool.run(async (batch) => {
      for await (const evs of batch.events()) {
        for (const e of evs) {
          got.push(e);
          if (e.ev_data === "e3" && e.ev_retry === null) batch.retry(e, 0);
        }
      }
    }, stop.signal);
    await until("the first 10", async () => got.length >= 10);
    await until("the retry", async () => (await value<number>(c, "select count(*)::int from pgq.retry_queue")) === 1);
    await c.query("select pgq.maint_retry_events()");
    await c.query("select pgq.ticker('qretry')");
    await until("the retried one", async () => got.length >= 11);
    stop.abort();
    await run;
    expect(got.filter((e) => e.ev_data === "e3").map((e) => e.ev_retry)).toEqual([null, 1]);
  });

  it("4 worker processes, one SIGKILLed mid-batch: its batch is taken over after dead_interval, every event seen", async () => {
    const DEAD_MS = 3000; // heartbeats every second: margin for a loaded machine
    await createTickingQueue(c, "qkill");
    for (const w of ["w1", "w2", "w3", "w4"]) {
      await c.query("select pgq_coop.register_subconsumer('qkill', 'kc', $1)", [w]);
    }
    await produce("qkill", 2000, 25);
    const spawnWorker = (sub: string, stall = false): ChildProcess =>
      spawn(process.execPath, ["--import", "tsx", workerScript, JSON.stringify({
        connection: db.config, queue: "qkill", consumer: "kc", subconsumer: sub, deadInterval: `${DEAD_MS} milliseconds`, stall,
      })], { stdio: ["ignore", "ignore", "inherit"], cwd: resolve(import.meta.dirname, "..") });
    const victim = spawnWorker("w1", true);
    // the victim takes a batch and hangs in it, part done
    await until("w1 in a batch", async () =>
      (await value<number>(c, "select count(*)::int from coop_seen where worker = 'w1'")) > 0);
    const held = await value<string>(c,
      "select current_batch::text from pgq.get_consumer_info('qkill', 'kc.w1')");
    expect(held).not.toBeNull();
    const others = ["w2", "w3", "w4"].map((w) => spawnWorker(w));
    try {
      // alive and silent in its handler for longer than dead_interval: its
      // heartbeat keeps the batch its own
      await sleep(DEAD_MS * 1.5);
      expect(await value<number>(c, "select count(*)::int from coop_seen where batch_id = $1 and worker <> 'w1'", [held]))
        .toBe(0);
      expect(await value<string>(c, "select current_batch::text from pgq.get_consumer_info('qkill', 'kc.w1')")).toBe(held);
      // its last heartbeat so far (a later one only moves the bound on)
      const seenAt = Number(await value<string>(c, `select extract(epoch from s.sub_active) * 1000
          from pgq.subscription s join pgq.consumer co on co.co_id = s.sub_consumer where co.co_name = 'kc.w1'`));
      victim.kill("SIGKILL");
      await until("the held batch taken over", async () =>
        (await value<number>(c, "select count(*)::int from coop_seen where batch_id = $1 and worker <> 'w1'", [held])) > 0,
      DEAD_MS * 10);
      // not before the dead interval, counted on the server's clock from
      // that heartbeat to the taker's first event of the batch
      const takenAt = Number(await value<string>(c,
        "select extract(epoch from min(at)) * 1000 from coop_seen where batch_id = $1 and worker <> 'w1'", [held]));
      expect(takenAt - seenAt).toBeGreaterThanOrEqual(DEAD_MS);
      await until("every event seen", async () =>
        (await value<number>(c, "select count(distinct ev_id)::int from coop_seen")) >= 2000,
      60_000);
      expect(await value<number>(c, "select count(distinct ev_id)::int from coop_seen")).toBe(2000);
      // the taker got w1's batch whole (its events are seen twice: w1's part and all by the taker)
      const whole = await c.query("select worker, count(*)::int n from coop_seen where batch_id = $1 group by 1 order by 1", [held]);
      expect(whole.rows.find((r) => r.worker === "w1")!.n).toBeGreaterThan(0);
      expect(whole.rows.find((r) => r.worker !== "w1")!.n).toBe(25);
      // the dead one is unregistered; the living three did the rest (how
      // they shared it depends on the machine: the pool test checks sharing)
      const subs = (await c.query("select consumer_name from pgq.get_consumer_info('qkill') order by 1")).rows.map((r) => r.consumer_name);
      expect(subs).toEqual(["kc", "kc.w2", "kc.w3", "kc.w4"]);
      expect(await value<number>(c, "select count(*)::int from coop_seen where worker = 'w1' and batch_id <> $1", [held])).toBe(0);
    } finally {
      victim.kill("SIGKILL");
      for (const o of others) o.kill("SIGINT");
      await Promise.all(others.map((o) => new Promise((r) => (o.exitCode !== null ? r(null) : o.on("exit", r)))));
    }
  }, 120_000);

  it.each(["batch", "tick"] as const)("exactly once (%s tracking): a batch a dead peer applied but did not finish is not applied again by the taker", async (mode) => {
    const q = `qonce_${mode}`;
    await createTickingQueue(c, q);
    const t = await dst.connect();
    await t.query("create extension if not exists pgq_ext");
    await t.query("drop table if exists applied; create table applied (ev_id bigint primary key, sub text)");
    const opts = { connection: db.config, queue: q, consumer: "once", concurrency: 2, pollIntervalMs: 20,
                   deadInterval: "1 second", exactlyOnce: { target: dst.config, mode } };
    const pool = new ConsumerPool(opts);
    await pool.register();
    await produce(q, 200, 20);
    // w1 takes the first batch, applies it into the target and records it,
    // then dies before finish_batch
    const b = await value<string>(c, "select pgq_coop.next_batch($1, 'once', 'w1')::text", [q]);
    const evs = await c.query("select ev_id from pgq.get_batch_events($1)", [b]);
    const end = await value<string>(c, "select tick_id::text from pgq.get_batch_info($1)", [b]);
    await t.query("begin");
    await t.query("insert into applied select unnest($1::bigint[]), 'w1-before-death'", [evs.rows.map((r) => r.ev_id)]);
    if (mode === "batch") await t.query("select pgq_ext.set_batch_done('once', 'w1', $1)", [b]);
    else await t.query("select pgq_ext.set_last_tick('once', 'w1', $1)", [end]);
    await t.query("commit");
    await c.query(`update pgq.subscription set sub_active = now() - interval '1 hour'
                    where sub_batch = $1`, [b]);
    // only w2 runs: it takes over w1's batch, finds it applied, skips it
    const [, w2] = pool.consumers;
    const stop = new AbortController();
    const run = w2!.run(async (batch) => {
      for await (const e of batch.events()) {
        await batch.target!.query("insert into applied select unnest($1::bigint[]), 'w2'", [e.map((x) => x.ev_id)]);
      }
    }, stop.signal);
    await until("200 applied", async () => (await value<number>(t, "select count(*)::int from applied")) >= 200);
    await until("w1's batch finished", async () =>
      (await value<number>(c, "select count(*)::int from pgq.subscription where sub_batch = $1", [b])) === 0);
    stop.abort();
    await run;
    expect(await value<number>(t, "select count(*)::int from applied")).toBe(200); // primary key: no event twice
    expect(await value<number>(t, "select count(*)::int from applied where sub = 'w1-before-death'")).toBe(evs.rows.length);
    if (mode === "batch") expect(await value<boolean>(t, "select pgq_ext.is_batch_done('once', 'w2', $1)", [b])).toBe(false);
    else expect(await value<string>(t, "select pgq_ext.get_last_tick('once', 'w2')::text")).not.toBe(end);
    await pool.close();
  });
});
