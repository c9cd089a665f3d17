// Dead letters (pgq 4.1) through the driver: a handler that always throws
// for one event: the event is retried max_retries times, then becomes a
// dead letter with the handler's message, and the other events (those
// queued after it too) go through meanwhile; listing, replay and purge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { Consumer, ConsumerPool, perEvent, PgqClient, QueueNotFoundError, type PgqEvent } from "../src/index.js";
import { createTestDb, createTickingQueue, type TestDb } from "./support/db.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let db: TestDb;
let c: pg.Client;
let client: PgqClient;
beforeAll(async () => {
  db = await createTestDb("pgq_dl");
  c = await db.connect();
  await c.query("create extension pgq_coop");
  client = new PgqClient(db.config);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

/** Ticks and moves retried events back, every 20 ms, until stopped. */
function ticking(queue: string): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    const t = await db.connect();
    while (on) {
      await t.query("select pgq.maint_retry_events()");
      await t.query("select pgq.ticker($1)", [queue]);
      await sleep(20);
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("dead letters", () => {
  it("an always-throwing handler: the event is a dead letter after max_retries, nothing else is held up", async () => {
    await createTickingQueue(c, "dlq", { max_retries: "3" });
    await client.registerConsumer("dlq", "worker");
    const consumer = new Consumer({ connection: db.config, queue: "dlq", consumer: "worker", pollIntervalMs: 10 });
    const tries = new Map<string, number>();
    const done: string[] = [];
    let doneWhilePoisonRetried = 0;
    const stop = new AbortController();
    const stopTicking = ticking("dlq");
    const run = consumer.run(perEvent(async (ev: PgqEvent) => {
      tries.set(ev.ev_data!, (tries.get(ev.ev_data!) ?? 0) + 1);
      if (ev.ev_data === "poison") throw new Error(`cannot handle ${ev.ev_data}`);
      done.push(ev.ev_data!);
      if ((tries.get("poison") ?? 0) > 0 && (tries.get("poison") ?? 0) < 4) doneWhilePoisonRetried++;
    }, { retrySeconds: 0 }), stop.signal);
    await client.insertEvents("dlq", [{ type: "t", data: "a" }, { type: "t", data: "poison" }, { type: "t", data: "b" }]);
    // more events while the poison one goes round
    for (let i = 0; i < 20; i++) {
      await client.insertEvent("dlq", { type: "t", data: `later${i}` });
      await sleep(15);
    }
    await until("the dead letter", async () => (await client.deadLetters("dlq")).length === 1);
    await until("every other event", () => done.length === 22);
    await sleep(200); // nothing comes back
    stop.abort();
    await run;
    await stopTicking();
    expect(tries.get("poison")).toBe(4); // the first try and 3 retries
    expect([...tries.entries()].filter(([k]) => k !== "poison").every(([, n]) => n === 1)).toBe(true);
    expect(doneWhilePoisonRetried).toBeGreaterThan(0);
    const [dl] = await client.deadLetters("dlq", "worker");
    expect(dl).toMatchObject({ queue_name: "dlq", consumer_name: "worker", dl_retry_count: 3,
                               dl_reason: "cannot handle poison", ev_type: "t", ev_data: "poison" });
    expect(dl!.dl_time).toBeInstanceOf(Date);
    expect(await client.deadLetters("dlq", "someone else")).toEqual([]);

    // replay: the consumer gets it again (and now handles it)
    expect(await client.replayDeadLetters("dlq", "worker", dl!.dl_id)).toBe(1);
    expect(await client.deadLetters("dlq")).toEqual([]);
    const again: PgqEvent[] = [];
    const stop2 = new AbortController();
    const stopTicking2 = ticking("dlq");
    const run2 = consumer.run(perEvent(async (ev) => { again.push(ev); }), stop2.signal);
    await until("the replayed event", () => again.length === 1);
    stop2.abort();
    await run2;
    await stopTicking2();
    expect(again[0]).toMatchObject({ ev_id: dl!.ev_id, ev_data: "poison", ev_retry: null });
  });

  it("Batch.dead, purge, and a pool's dead letters are its consumer's", async () => {
    await createTickingQueue(c, "dlq2");
    const pool = new ConsumerPool({ connection: db.config, queue: "dlq2", consumer: "p", concurrency: 2, pollIntervalMs: 10 });
    await pool.register();
    await client.insertEvents("dlq2", [{ type: "t", data: "x" }, { type: "t", data: "y" }]);
    const stop = new AbortController();
    const stopTicking = ticking("dlq2");
    const run = pool.run(async (batch) => {
      for await (const evs of batch.events()) for (const ev of evs) batch.dead(ev, `no ${ev.ev_data}`);
    }, stop.signal);
    await until("two dead letters", async () => (await client.deadLetters("dlq2")).length === 2);
    stop.abort();
    await run;
    await stopTicking();
    const dls = await client.deadLetters("dlq2");
    expect(dls.map((d) => [d.consumer_name, d.dl_reason, d.dl_retry_count])).toEqual([["p", "no x", 0], ["p", "no y", 0]]);
    expect(await client.purgeDeadLetters("dlq2", "p", dls[0]!.dl_id)).toBe(1);
    expect(await client.purgeDeadLetters("dlq2")).toBe(1);
    expect(await client.deadLetters("dlq2")).toEqual([]);
    await expect(client.deadLetters("nope")).rejects.toBeInstanceOf(QueueNotFoundError);
    await pool.close();
  });

  it("exactly once: a failing event's writes are rolled back, the others' kept", async () => {
    const dst = await createTestDb("pgq_dl_dst");
    try {
      const t = await dst.connect();
      await t.query("create extension pgq_ext; create table applied (data text primary key)");
      await createTickingQueue(c, "dlq3", { max_retries: "0" });
      await client.registerConsumer("dlq3", "once");
      await client.insertEvents("dlq3", ["a", "bad", "b"].map((d) => ({ type: "t", data: d })));
      const consumer = new Consumer({ connection: db.config, queue: "dlq3", consumer: "once", pollIntervalMs: 10,
                                      exactlyOnce: { target: dst.config } });
      const stop = new AbortController();
      const stopTicking = ticking("dlq3");
      const run = consumer.run(perEvent(async (ev, batch) => {
        await batch.target!.query("insert into applied values ($1)", [ev.ev_data]);
        if (ev.ev_data === "bad") throw new Error("bad one");
      }, { retrySeconds: 0 }), stop.signal);
      await until("the dead letter", async () => (await client.deadLetters("dlq3")).length === 1);
      stop.abort();
      await run;
      await stopTicking();
      expect((await t.query("select data from applied order by 1")).rows.map((r) => r.data)).toEqual(["a", "b"]);
      expect((await client.deadLetters("dlq3"))[0]).toMatchObject({ ev_data: "bad", dl_reason: "bad one", dl_retry_count: 0 });
    } finally {
      await dst.drop();
    }
  });
});
