// Batches are cut from committed snapshots: what needs several sessions.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, createTickingQueue, value, type TestDb } from "./support/db.js";

let db: TestDb;
let admin: pg.Client;
let queueNo = 0;
let queue: string;

beforeAll(async () => {
  db = await createTestDb();
  admin = await db.connect();
});
afterAll(async () => {
  await db?.drop();
});

/** A fresh queue that ticks on every ticker call, with consumer c1. */
beforeEach(async () => {
  queue = `q${++queueNo}`;
  await createTickingQueue(admin, queue);
  await admin.query("select pgq.register_consumer($1, 'c1')", [queue]);
});

const tick = () => value<string>(admin, "select pgq.ticker($1)", [queue]);

/** Opens, reads and finishes the next batch; null when there is none. */
async function takeBatch(c: pg.Client = admin): Promise<string[] | null> {
  const id = await value<string | null>(c, "select pgq.next_batch($1, 'c1')", [queue]);
  if (id === null) return null;
  const r = await c.query("select ev_data from pgq.get_batch_events($1)", [id]);
  await c.query("select pgq.finish_batch($1)", [id]);
  return r.rows.map((row: { ev_data: string }) => row.ev_data);
}

describe("batches across sessions", () => {
  it("an event committed after a tick lands in the next batch, once", async () => {
    const producer = await db.connect();
    await producer.query("begin");
    await producer.query("select pgq.insert_event($1, 'ev', 'late')", [queue]);
    await admin.query("select pgq.insert_event($1, 'ev', 'early')", [queue]);
    await tick(); // 'late' is still running here
    await producer.query("commit");
    await tick();

    expect(await takeBatch()).toEqual(["early"]);
    expect(await takeBatch()).toEqual(["late"]);
    await tick();
    expect(await takeBatch()).toEqual([]);
  });

  it("a transaction open across several ticks is delivered after its commit only", async () => {
    const producer = await db.connect();
    await producer.query("begin");
    await producer.query("select pgq.insert_event($1, 'ev', 'long')", [queue]);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      await admin.query("select pgq.insert_event($1, 'ev', $2)", [queue, `short${i}`]);
      await tick();
      seen.push(...((await takeBatch()) ?? []));
    }
    expect(seen).toEqual(["short0", "short1", "short2"]);
    await producer.query("commit");
    await tick();
    expect(await takeBatch()).toEqual(["long"]);
  });

  it("an aborted transaction's events never appear", async () => {
    const producer = await db.connect();
    await producer.query("begin");
    await producer.query("select pgq.insert_event($1, 'ev', 'aborted')", [queue]);
    await tick();
    await producer.query("rollback");
    await producer.query("begin");
    await producer.query("select pgq.insert_event($1, 'ev', 'kept')", [queue]);
    await producer.query("savepoint s");
    await producer.query("select pgq.insert_event($1, 'ev', 'rolled back to savepoint')", [queue]);
    await producer.query("rollback to savepoint s");
    await producer.query("commit");
    await tick();
    const all = [...((await takeBatch()) ?? []), ...((await takeBatch()) ?? [])];
    expect(all).toEqual(["kept"]);
  });

  it("an open batch is handed out again until it is finished", async () => {
    await admin.query("select pgq.insert_event($1, 'ev', 'x')", [queue]);
    await tick();
    const other = await db.connect();
    const first = await value<string>(admin, "select pgq.next_batch($1, 'c1')", [queue]);
    const again = await value<string>(other, "select pgq.next_batch($1, 'c1')", [queue]);
    expect(again).toBe(first);
    await admin.query("select pgq.finish_batch($1)", [first]);
    expect(await value(other, "select pgq.next_batch($1, 'c1')", [queue])).toBeNull();
  });

  it("two sessions asking at once get the same batch, not two", async () => {
    await admin.query("select pgq.insert_event($1, 'ev', 'x')", [queue]);
    await tick();
    await tick();
    const a = await db.connect();
    const b = await db.connect();
    await a.query("begin");
    const idA = await value<string>(a, "select pgq.next_batch($1, 'c1')", [queue]);
    // b waits for a's row lock, then sees a's batch
    const pending = value<string>(b, "select pgq.next_batch($1, 'c1')", [queue]);
    await new Promise((r) => setTimeout(r, 200));
    await a.query("commit");
    expect(await pending).toBe(idA);
  });

  it("the ticker warns about a sequence behind the newest tick", async () => {
    const notices: string[] = [];
    const c = await db.connect();
    c.on("notice", (n) => notices.push(n.message ?? ""));
    await c.query(
      `update pgq.tick set tick_event_seq = tick_event_seq + 1000
        where tick_queue = (select queue_id from pgq.queue where queue_name = $1)`,
      [queue],
    );
    await c.query("select pgq.ticker($1)", [queue]);
    expect(notices.some((m) => /^Negative new_events\?  old=\d+ cur=\d+$/.test(m))).toBe(true);
  });

  it("the ticker warns about a tick whose xmax is ahead of the txid counter", async () => {
    const notices: string[] = [];
    const c = await db.connect();
    c.on("notice", (n) => notices.push(n.message ?? ""));
    const cur = await value<string>(c, "select txid_snapshot_xmax(txid_current_snapshot())");
    await c.query(
      `update pgq.tick set tick_snapshot = ($2::bigint - 1 || ':' || $2::bigint + 1000000 || ':')::txid_snapshot
        where tick_queue = (select queue_id from pgq.queue where queue_name = $1)`,
      [queue, cur],
    );
    await c.query("select pgq.ticker($1)", [queue]);
    expect(notices.some((m) => /^Dubious PgQ state: old xmax=\d+, cur txid=\d+$/.test(m))).toBe(true);
  });
});
