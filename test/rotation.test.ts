// Table rotation across sessions: locks, stalled consumers, long
// transactions.  Nothing is lost while rotation waits.
//
// On a private cluster: rotation waits for every transaction that holds a
// transaction id when the consumer's tick is taken, in any database of the
// cluster, so other test files' transactions on the shared server would
// hold it back at random.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pg from "pg";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { createTickingQueue, value } from "./support/db.js";

let cluster: PrivateCluster;
const clients: pg.Client[] = [];
let admin: pg.Client;
let queueNo = 0;
let queue: string;

const db = {
  async connect(): Promise<pg.Client> {
    const c = new pg.Client(cluster.config("rotation"));
    await c.connect();
    clients.push(c);
    return c;
  },
};

beforeAll(async () => {
  cluster = startPrivateCluster();
  await cluster.createDb("rotation");
  admin = await db.connect();
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.end()));
  cluster?.stop();
});

beforeEach(async () => {
  queue = `rq${++queueNo}`;
  await createTickingQueue(admin, queue, { rotation_period: "0" });
});

const tick = () => admin.query("select pgq.ticker($1)", [queue]);
const curTable = () => value<number>(admin, "select queue_cur_table from pgq.queue where queue_name = $1", [queue]);
const queueId = () => value<number>(admin, "select queue_id from pgq.queue where queue_name = $1", [queue]);

/** Both rotation steps, each in its own transaction, as a daemon runs them. */
async function rotate(): Promise<void> {
  await admin.query("select pgq.maint_rotate_tables_step1($1)", [queue]);
  await admin.query("select pgq.maint_rotate_tables_step2()");
}

/** Reads and finishes every available batch of a consumer. */
async function drain(consumer: string): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const id = await value<string | null>(admin, "select pgq.next_batch($1, $2)", [queue, consumer]);
    if (id === null) return got;
    const r = await admin.query("select ev_data from pgq.get_batch_events($1)", [id]);
    got.push(...r.rows.map((x: { ev_data: string }) => x.ev_data));
    await admin.query("select pgq.finish_batch($1)", [id]);
  }
}

async function produce(n: number, tag: string): Promise<string[]> {
  const data = Array.from({ length: n }, (_, i) => `${tag}-${i}`);
  await admin.query("select pgq.insert_event($1, 'ev', d) from unnest($2::text[]) d", [queue, data]);
  return data;
}

describe("rotation", () => {
  it("skips a table another session holds a lock on, without waiting", async () => {
    const reader = await db.connect();
    const next = `pgq.event_${await queueId()}_1`;
    await reader.query("begin");
    await reader.query(`lock table ${next} in access share mode`);
    const t0 = Date.now();
    await admin.query("select pgq.maint_rotate_tables_step1($1)", [queue]);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await curTable()).toBe(0);
    await reader.query("commit");
    await admin.query("select pgq.maint_rotate_tables_step1($1)", [queue]);
    expect(await curTable()).toBe(1);
  });

  it("a stalled consumer blocks rotation, loses nothing, and unregistering it lets rotation go on", async () => {
    await admin.query("select pgq.register_consumer($1, 'fast')", [queue]);
    await admin.query("select pgq.register_consumer($1, 'stalled')", [queue]);
    const sent: string[] = [];
    const fastGot: string[] = [];
    const tables = new Set<number>();
    for (let round = 0; round < 6; round++) {
      sent.push(...(await produce(50, `r${round}`)));
      await tick();
      fastGot.push(...(await drain("fast")));
      await rotate();
      tables.add(await curTable());
    }
    expect(fastGot).toEqual(sent);
    // the first rotation happened (the queue was fresh), then it stopped
    expect([...tables].length).toBeLessThanOrEqual(2);
    const stuckAt = await curTable();
    const rows = await value<number>(admin, `select count(*)::int from pgq.event_${await queueId()}`);
    expect(rows).toBe(sent.length);

    // the stalled consumer resumes and gets every event, once
    const stalledGot = await drain("stalled");
    expect(stalledGot).toEqual(sent);
    expect(await curTable()).toBe(stuckAt);

    // once it is gone (or has caught up), rotation goes on
    await admin.query("select pgq.unregister_consumer($1, 'stalled')", [queue]);
    const after: number[] = [];
    for (let i = 0; i < 2; i++) {
      await tick();
      await drain("fast");
      await rotate();
      after.push(await curTable());
    }
    expect(after).toEqual([(stuckAt + 1) % 3, (stuckAt + 2) % 3]);
  });

  it("a long transaction blocks rotation until it ends; events meanwhile are kept", async () => {
    await admin.query("select pgq.register_consumer($1, 'c')", [queue]);
    await tick();
    await drain("c");
    await rotate(); // the fresh queue rotates once
    const before = await curTable();

    // PgQ's rule: rotation waits while the slowest consumer's tick has an
    // xmin at or below queue_switch_step2.  A transaction that began before
    // the last step 2 is below every later step 2, so after at most one more
    // rotation it holds rotation until it ends.
    const holder = await db.connect();
    await holder.query("begin");
    await holder.query("select txid_current()");
    const sent: string[] = [];
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) {
      sent.push(...(await produce(20, `h${round}`)));
      await tick();
      expect(await drain("c")).toEqual(sent.slice(round * 20));
      await rotate();
      seen.push(await curTable());
    }
    expect(seen.slice(1)).toEqual([seen[1], seen[1], seen[1], seen[1]]);
    expect(new Set([before, ...seen]).size).toBeLessThanOrEqual(2);
    const stuck = seen[4]!;
    const rows = await value<number>(admin, `select count(*)::int from pgq.event_${await queueId()}`);
    expect(rows).toBeGreaterThanOrEqual(60); // nothing truncated while held

    await holder.query("commit");
    const after: number[] = [];
    for (let i = 0; i < 2; i++) {
      await tick();
      await drain("c");
      await rotate();
      after.push(await curTable());
    }
    expect(after).toEqual([(stuck + 1) % 3, (stuck + 2) % 3]);
  });

  it("with a consumer that keeps up, event storage returns to near zero after rotations", async () => {
    await admin.query("select pgq.register_consumer($1, 'c')", [queue]);
    const id = await queueId();
    const size = () =>
      value<number>(
        admin,
        `select sum(pg_relation_size(c.oid))::int from pg_class c
          where c.relnamespace = 'pgq'::regnamespace and c.relname ~ $1 and c.relkind = 'r'`,
        [`^event_${id}_[0-9]+$`],
      );
    for (let round = 0; round < 5; round++) await produce(2000, `s${round}`);
    await tick();
    expect((await drain("c")).length).toBe(10_000);
    expect(await size()).toBeGreaterThan(500_000);
    for (let i = 0; i < 3; i++) {
      await tick();
      await drain("c");
      await rotate();
    }
    expect(await value<number>(admin, `select count(*)::int from pgq.event_${id}`)).toBe(0);
    expect(await size()).toBe(0);
  });

  it("retried events survive rotations and come back to their owner", async () => {
    await admin.query("select pgq.register_consumer($1, 'c')", [queue]);
    await produce(3, "x");
    await tick();
    const id = await value<string>(admin, "select pgq.next_batch($1, 'c')", [queue]);
    await admin.query("select pgq.batch_retry($1, 0)", [id]);
    await admin.query("select pgq.finish_batch($1)", [id]);
    await rotate();
    while ((await value<number>(admin, "select pgq.maint_retry_events()")) > 0);
    await tick();
    const back = await admin.query(
      "select ev_data, ev_retry from pgq.get_batch_events(pgq.next_batch($1, 'c')) order by ev_id",
      [queue],
    );
    expect(back.rows).toEqual([
      { ev_data: "x-0", ev_retry: 1 },
      { ev_data: "x-1", ev_retry: 1 },
      { ev_data: "x-2", ev_retry: 1 },
    ]);
  });
});
