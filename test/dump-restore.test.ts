// pg_dump a database with queues, consumers, an open batch and pending
// events; restore it into a new database; the consumers go on from where
// they were, and new queues and consumers get fresh ids.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { createTestDb, createTickingQueue, value, type TestDb } from "./support/db.js";
import { cliEnv, PGQ_VERSION, serverConfig } from "./support/env.js";
import { pgDumpCannot } from "./support/pgdump.js";

let db: TestDb;
const RESTORED = `pgq_restored_${process.pid}`;
let admin: pg.Client;

beforeAll(async () => {
  db = await createTestDb();
  admin = new pg.Client(serverConfig(inject("pgServer"), "postgres"));
  await admin.connect();
});
afterAll(async () => {
  await admin?.query(`drop database if exists ${RESTORED} with (force)`);
  await admin?.end();
  await db?.drop();
});

async function batch(c: pg.Client, queue: string, consumer: string): Promise<string[] | null> {
  const id = await value<string | null>(c, "select pgq.next_batch($1, $2)", [queue, consumer]);
  if (id === null) return null;
  const r = await c.query("select ev_data from pgq.get_batch_events($1)", [id]);
  await c.query("select pgq.finish_batch($1)", [id]);
  return r.rows.map((x: { ev_data: string }) => x.ev_data);
}

describe("pg_dump and restore", () => {
  it("keeps queues, consumers, positions and pending events", async (ctx) => {
    const c = await db.connect();
    const cannot = await pgDumpCannot(c);
    if (cannot) ctx.skip(cannot);
    for (const q of ["orders", "mail"]) await createTickingQueue(c, q);
    await c.query("select pgq.register_consumer('orders', 'done')");
    await c.query("select pgq.register_consumer('orders', 'behind')");
    await c.query("select pgq.register_consumer('orders', 'open')");
    await c.query("select pgq.register_consumer('mail', 'm')");
    await c.query("select pgq.insert_event('orders', 'o', 'first')");
    await c.query("select pgq.ticker()");
    expect(await batch(c, "orders", "done")).toEqual(["first"]);
    const openBatch = await value<string>(c, "select pgq.next_batch('orders', 'open')");
    await c.query("select pgq.insert_event('orders', 'o', 'second')");
    await c.query("select pgq.insert_event('mail', 'm', 'hello')");
    await c.query("select pgq.event_retry_raw('orders', 'behind', now(), null, now(), 0, 'o', 'retried', null, null, null, null)");
    // a dead letter (4.1)
    await c.query(`insert into pgq.dead_letter (dl_queue, dl_consumer, dl_retry_count, dl_reason, ev_id, ev_time, ev_data)
                   values (1, 'behind', 3, 'gave up', 1, now(), 'first')`);

    const dump = execFileSync("pg_dump", ["--no-owner"], { env: cliEnv(inject("pgServer"), db.name), maxBuffer: 64 << 20 });
    await admin.query(`create database ${RESTORED}`);
    execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1"], {
      input: dump,
      env: cliEnv(inject("pgServer"), RESTORED),
      stdio: ["pipe", "ignore", "pipe"],
    });

    const r = new pg.Client(serverConfig(inject("pgServer"), RESTORED));
    await r.connect();
    try {
      expect(await value(r, "select pgq.version()")).toBe(PGQ_VERSION);
      expect(await value(r, "select count(*)::int from pgq.get_consumer_info()")).toBe(4);
      expect(await value(r, "select pgq.next_batch('orders', 'open')")).toBe(openBatch);
      expect((await r.query("select ev_data from pgq.get_batch_events($1)", [openBatch])).rows).toEqual([
        { ev_data: "first" },
      ]);
      await r.query("select pgq.finish_batch($1)", [openBatch]);
      expect(await value(r, "select pgq.maint_retry_events()")).toBe(1);
      await r.query("select pgq.ticker()");
      expect(await batch(r, "orders", "done")).toEqual(["second"]);
      expect(await batch(r, "orders", "open")).toEqual(["second"]);
      expect(await batch(r, "orders", "behind")).toEqual(["first"]);
      expect(await batch(r, "orders", "behind")).toEqual(["second", "retried"]);
      expect(await batch(r, "mail", "m")).toEqual([]); // ticks 1..2, before 'hello'
      expect(await batch(r, "mail", "m")).toEqual(["hello"]);

      // the restored database keeps working: new events, queues, consumers
      expect(await value(r, "select pgq.insert_event('orders', 'o', 'third')")).toBe("5");
      expect(await value(r, "select pgq.create_queue('new')")).toBe(1);
      expect(await value(r, "select queue_id from pgq.queue where queue_name = 'new'")).toBe(3);
      expect(await value(r, "select pgq.register_consumer('new', 'n')")).toBe(1);
      expect(await value(r, "select co_id from pgq.consumer where co_name = 'n'")).toBe(5);
      await r.query("select pgq.ticker()");
      expect(await batch(r, "orders", "done")).toEqual(["third"]);
      expect(await value(r, "select count(*)::int from pg_extension e, unnest(e.extconfig) where extname = 'pgq'")).toBe(9);
      // dead letters kept, their ids go on
      expect((await r.query("select dl_id::int, consumer_name, dl_retry_count, dl_reason, ev_data from pgq.get_dead_letters('orders', null)")).rows)
        .toEqual([{ dl_id: 1, consumer_name: "behind", dl_retry_count: 3, dl_reason: "gave up", ev_data: "first" }]);
      await r.query("select pgq.set_queue_config('orders', 'max_retries', '0')");
      await r.query("select pgq.insert_event('orders', 'o', 'fourth')");
      await r.query("select pgq.ticker()");
      const b = await value<string>(r, "select pgq.next_batch('orders', 'done')");
      await r.query("select pgq.event_dead($1, ev_id, 'no') from pgq.get_batch_events($1)", [b]);
      expect(await value(r, "select max(dl_id)::int from pgq.dead_letter")).toBe(2);
    } finally {
      await r.end();
    }
  });
});
