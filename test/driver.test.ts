// The TypeScript driver: PgqClient and the Consumer loop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import {
  Consumer, PgqClient, QueueNotFoundError, NotSubscriberError, InvalidArgumentError, OutOfStepError, parseKeywordValue,
  type Batch, type PgqEvent,
} from "../src/index.js";
import { createTestDb, type TestDb } from "./support/db.js";
import { PGQ_VERSION } from "./support/env.js";

let db: TestDb;
let client: PgqClient;
let admin: pg.Client;
let n = 0;
beforeAll(async () => {
  db = await createTestDb();
  client = new PgqClient(db.config);
  admin = await db.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

/** A fresh queue ticking on every ticker call. */
async function freshQueue(): Promise<string> {
  const q = `dq${++n}`;
  expect(await client.createQueue(q)).toBe(true);
  await client.setQueueConfig(q, "ticker_max_lag", "0");
  await client.setQueueConfig(q, "ticker_idle_period", "0");
  return q;
}

describe("PgqClient", () => {
  it("administers queues and produces events; ids stay strings", async () => {
    const q = await freshQueue();
    expect(await client.createQueue(q)).toBe(false);
    expect(await client.version()).toBe(PGQ_VERSION);
    const id = await client.insertEvent(q, { type: "t", data: "d", extra1: "x" });
    expect(id).toBe("1");
    const ids = await client.insertEvents(q, [
      { type: "a", data: "1" }, { type: "b", data: null, extra4: "z" }, { type: null, data: "3" },
    ]);
    expect(ids).toEqual(["2", "3", "4"]);
    const info = await client.queueInfo(q);
    expect(info).toHaveLength(1);
    expect(info[0]!.queue_name).toBe(q);
    expect(typeof info[0]!.last_tick_id).toBe("string");
    expect(await client.registerConsumer(q, "c")).toBe(true);
    expect(await client.registerConsumer(q, "c")).toBe(false);
    expect((await client.consumerInfo(q)).map((c) => c.consumer_name)).toEqual(["c"]);
    expect(await client.unregisterConsumer(q, "c")).toBe(true);
    await client.dropQueue(q);
    expect(await client.queueInfo(q)).toEqual([]);
  });

  it("raises error classes chosen by SQLSTATE", async () => {
    await expect(client.insertEvent("nope", { type: "t", data: "d" })).rejects.toBeInstanceOf(QueueNotFoundError);
    await expect(client.setQueueConfig("nope", "ticker_max_lag", "1")).rejects.toMatchObject({ code: "PQ001" });
    const q = await freshQueue();
    await expect(client.setQueueConfig(q, "ticker_max_count", "-5")).rejects.toBeInstanceOf(InvalidArgumentError);
    const c = new Consumer({ connection: db.config, queue: q, consumer: "ghost" });
    await expect(c.runOnce(async () => undefined)).rejects.toBeInstanceOf(NotSubscriberError);
    await c.close();
  });

  it("parses libpq keyword=value connection strings", () => {
    expect(parseKeywordValue("dbname=app host=/tmp port=5433 user='a b' password='x\\'y'")).toMatchObject({
      database: "app", host: "/tmp", port: 5433, user: "a b", password: "x'y",
    });
    expect(() => parseKeywordValue("dbname=app bogus=1")).toThrow('unknown connection parameter "bogus"');
  });
});

describe("Consumer", () => {
  it("hands batches to the handler through a cursor, fetchSize at a time", async () => {
    const q = await freshQueue();
    const consumer = new Consumer({ connection: db.config, queue: q, consumer: "c", fetchSize: 100 });
    expect(await consumer.register()).toBe(true);
    await client.insertEvents(q, Array.from({ length: 1050 }, (_, i) => ({ type: "t", data: String(i) })));
    await client.tickQueue(q);
    const chunks: number[] = [];
    const seen: string[] = [];
    expect(await consumer.runOnce(async (b) => {
      for await (const evs of b.events()) {
        chunks.push(evs.length);
        seen.push(...evs.map((e) => e.ev_data!));
      }
    })).toBe(true);
    expect(chunks).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 50]);
    expect(seen).toEqual(Array.from({ length: 1050 }, (_, i) => String(i)));
    expect(await consumer.runOnce(async () => undefined)).toBe(false);
    await consumer.close();
  });

  it("a handler that throws leaves the batch open: it comes again (at least once)", async () => {
    const q = await freshQueue();
    const consumer = new Consumer({ connection: db.config, queue: q, consumer: "c" });
    await consumer.register();
    await client.insertEvent(q, { type: "t", data: "x" });
    await client.tickQueue(q);
    await expect(consumer.runOnce(async () => { throw new Error("boom"); })).rejects.toThrow("boom");
    const got: string[] = [];
    await consumer.runOnce(async (b) => {
      for await (const evs of b.events()) got.push(...evs.map((e) => e.ev_data!));
    });
    expect(got).toEqual(["x"]);
    await consumer.close();
  });

  it("retries the events the handler marks; they come back to this consumer only", async () => {
    const q = await freshQueue();
    const a = new Consumer({ connection: db.config, queue: q, consumer: "a" });
    const b = new Consumer({ connection: db.config, queue: q, consumer: "b" });
    await a.register();
    await b.register();
    await client.insertEvents(q, [{ type: "t", data: "ok" }, { type: "t", data: "flaky" }]);
    await client.tickQueue(q);
    await a.runOnce(async (batch) => {
      for await (const evs of batch.events()) for (const e of evs) if (e.ev_data === "flaky") batch.retry(e, 0);
    });
    while (Number((await admin.query("select pgq.maint_retry_events() n")).rows[0].n) > 0);
    await client.tickQueue(q);
    const again: PgqEvent[] = [];
    await a.runOnce(async (batch) => { for await (const evs of batch.events()) again.push(...evs); });
    expect(again.map((e) => [e.ev_data, e.ev_retry])).toEqual([["flaky", 1]]);
    const bGot: string[] = [];
    while (await b.runOnce(async (batch) => { for await (const evs of batch.events()) bGot.push(...evs.map((e) => e.ev_data!)); }));
    expect(bGot).toEqual(["ok", "flaky"]);
    await a.close();
    await b.close();
  });

  it("wakes on the tick notification instead of waiting for its poll interval", async () => {
    const q = await freshQueue();
    const consumer = new Consumer({ connection: db.config, queue: q, consumer: "c", pollIntervalMs: 60_000 });
    await consumer.register();
    const ctl = new AbortController();
    let resolveGot: (t: number) => void;
    const got = new Promise<number>((r) => (resolveGot = r));
    const running = consumer.run(async (b) => {
      for await (const evs of b.events()) if (evs.length > 0) resolveGot(Date.now());
    }, ctl.signal);
    await new Promise((r) => setTimeout(r, 300)); // let it go to sleep
    await client.insertEvent(q, { type: "t", data: "wake" });
    const t0 = Date.now();
    await client.tickQueue(q);
    const t1 = await got;
    expect(t1 - t0).toBeLessThan(10_000); // woken, not the 60 s poll
    ctl.abort();
    await running;
  });

  it("insertEvents takes pgq.insert_events where there is one, insert_event per event where not", async () => {
    const own = await createTestDb();
    const c = await own.connect();
    const rename = (from: string, to: string) =>
      c.query(`alter function pgq.${from}(text, text, text, text, text, text, text) rename to ${to}`);
    try {
      await c.query("select pgq.create_queue('bulk')");
      const evs = [{ type: "t", data: "1", extra1: "x" }, { type: "t", data: "2" }];
      // without insert_event only the array function can have made these
      await rename("insert_event", "insert_event_gone");
      const viaArray = new PgqClient(own.config);
      expect(await viaArray.insertEvents("bulk", evs)).toEqual(["1", "2"]);
      await viaArray.end();
      await rename("insert_event_gone", "insert_event");
      // PgQ 3.5: no insert_events
      await c.query("alter function pgq.insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[])"
        + " rename to insert_events_gone");
      const old = new PgqClient(own.config);
      expect(await old.insertEvents("bulk", evs)).toEqual(["3", "4"]);
      await old.end();
      const rows = await c.query("select ev_data, ev_extra1 from pgq.event_template order by ev_id");
      expect(rows.rows).toEqual([
        { ev_data: "1", ev_extra1: "x" }, { ev_data: "2", ev_extra1: null },
        { ev_data: "1", ev_extra1: "x" }, { ev_data: "2", ev_extra1: null },
      ]);
    } finally {
      await c.end();
      await own.drop();
    }
  });

  it("polls where the server's pgq has no tick channel (PgQ 3.5)", async () => {
    const own = await createTestDb();
    const c = await own.connect();
    try {
      await c.query("select pgq.create_queue('old')");
      await c.query("select pgq.register_consumer('old', 'c')");
      await c.query("select pgq.insert_event('old', 't', 'polled')");
      await c.query("select pgq.force_tick('old')");
      await c.query("select pgq.ticker('old')");
      // what PgQ 3.5 looks like to the driver: no pgq._tick_channel
      await c.query("alter function pgq._tick_channel(text) rename to _tick_channel_gone");
      const errors: unknown[] = [];
      const consumer = new Consumer({ connection: own.config, queue: "old", consumer: "c", pollIntervalMs: 50,
        onError: (e) => errors.push(e) });
      const got: string[] = [];
      expect(await consumer.runOnce(async (b) => {
        for await (const evs of b.events()) got.push(...evs.map((e) => e.ev_data!));
      })).toBe(true);
      await consumer.close();
      expect(got).toEqual(["polled"]);
      expect(errors).toEqual([]);
    } finally {
      await c.end();
      await own.drop();
    }
  });

  it("survives its connection being terminated: nothing lost", async () => {
    const q = await freshQueue();
    const errors: unknown[] = [];
    const consumer = new Consumer({ connection: { ...db.config, application_name: "drv-victim" }, queue: q,
      consumer: "c", pollIntervalMs: 50, onError: (e) => errors.push(e) });
    await consumer.register();
    const got: string[] = [];
    const ctl = new AbortController();
    const running = consumer.run(async (b) => {
      for await (const evs of b.events()) got.push(...evs.map((e) => e.ev_data!));
    }, ctl.signal);
    const sent: string[] = [];
    for (let round = 0; round < 5; round++) {
      const data = Array.from({ length: 20 }, (_, i) => `r${round}-${i}`);
      await client.insertEvents(q, data.map((d) => ({ type: "t", data: d })));
      sent.push(...data);
      await client.tickQueue(q);
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'drv-victim'");
      await new Promise((r) => setTimeout(r, 150));
    }
    const deadline = Date.now() + 15_000;
    while (new Set(got).size < sent.length && Date.now() < deadline) {
      await client.tickQueue(q);
      await new Promise((r) => setTimeout(r, 100));
    }
    ctl.abort();
    await running;
    expect([...new Set(got)].sort()).toEqual([...sent].sort());
    expect(errors.length).toBeGreaterThan(0);
  });

  it("exactly once into a target database through pgq_ext (batch and tick tracking)", async () => {
    const target = await createTestDb("pgq_target");
    try {
      const t = await target.connect();
      await t.query("create extension pgq_ext");
      await t.query("create table sink (data text)");
      const write = async (b: Batch) => {
        for await (const evs of b.events()) {
          for (const e of evs) await b.target!.query("insert into sink values ($1)", [e.ev_data]);
        }
      };
      for (const mode of ["batch", "tick"] as const) {
        const q = await freshQueue();
        const name = `x_${mode}`;
        const consumer = new Consumer({ connection: db.config, queue: q, consumer: name,
          exactlyOnce: { target: target.config, mode } });
        await consumer.register();

        // a handler failure rolls back the target writes too; the batch comes again
        await client.insertEvents(q, [{ type: "t", data: `${mode}1` }, { type: "t", data: `${mode}2` }]);
        await client.tickQueue(q);
        await expect(consumer.runOnce(async (b) => { await write(b); throw new Error("crash"); })).rejects.toThrow();
        expect(await consumer.runOnce(write)).toBe(true);
        const sink = async () => (await t.query("select data from sink where data like $1 order by 1", [`${mode}%`]))
          .rows.map((r) => r.data);
        expect(await sink()).toEqual([`${mode}1`, `${mode}2`]);

        // a batch the target already has (the consumer died after committing
        // the target, before finish_batch) is finished without the handler
        await client.insertEvent(q, { type: "t", data: `${mode}3` });
        await client.tickQueue(q);
        const next = (await admin.query("select * from pgq.next_batch_info($1, $2)", [q, name])).rows[0];
        if (mode === "batch") await t.query("select pgq_ext.set_batch_done($1, $2)", [name, next.batch_id]);
        else await t.query("select pgq_ext.set_last_tick($1, $2)", [name, next.cur_tick_id]);
        let called = false;
        expect(await consumer.runOnce(async () => { called = true; })).toBe(true);
        expect(called).toBe(false);
        expect(await sink()).toEqual([`${mode}1`, `${mode}2`]);
        expect(await consumer.runOnce(write)).toBe(false);
        await consumer.close();
      }

      // tick tracking refuses a target that is somewhere else
      const q = await freshQueue();
      const lost = new Consumer({ connection: db.config, queue: q, consumer: "lost",
        exactlyOnce: { target: target.config, mode: "tick" } });
      await lost.register();
      await t.query("select pgq_ext.set_last_tick('lost', 999)");
      await client.tickQueue(q);
      await expect(lost.runOnce(write)).rejects.toThrow(/^Lost position: batch 1\.\.2, dst has 999$/);
      await expect(lost.runOnce(write)).rejects.toBeInstanceOf(OutOfStepError);
      await lost.close();

      // a target whose pgq_ext predates is_tick_done: an error that says what to do
      await t.query("alter extension pgq_ext drop function pgq_ext.is_tick_done(text, bigint, bigint)");
      await t.query("drop function pgq_ext.is_tick_done(text, bigint, bigint)");
      const old = new Consumer({ connection: db.config, queue: q, consumer: "lost",
        exactlyOnce: { target: target.config, mode: "tick" } });
      await expect(old.runOnce(write)).rejects.toThrow(/needs pgq_ext 4\.1 or later on the target .*ALTER EXTENSION pgq_ext UPDATE/);
      await old.close();

      // mode "handler" (and its deprecated name "none"): the handler's
      // writes commit in the target; the driver records nothing there
      for (const mode of ["handler", "none"] as const) {
        const hq = await freshQueue();
        const name = `h_${mode}`;
        const own = new Consumer({ connection: db.config, queue: hq, consumer: name, exactlyOnce: { target: target.config, mode } });
        await own.register();
        await client.insertEvent(hq, { type: "t", data: name });
        await client.tickQueue(hq);
        expect(await own.runOnce(write)).toBe(true);
        expect((await t.query("select data from sink where data = $1", [name])).rowCount).toBe(1);
        expect((await t.query("select pgq_ext.get_last_tick($1) t, pgq_ext.is_batch_done($1, 1) b", [name])).rows[0])
          .toEqual({ t: null, b: false });
        await own.close();
      }
    } finally {
      await target.drop();
    }
  });
});
