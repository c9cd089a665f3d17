// A held xmin horizon (here: an idle transaction holding an xid) keeps
// VACUUM from removing the row versions that consumers leave in
// pgq.subscription.  pgq.maint_operations() then lists pgq.maint_compact,
// which rewrites the table with its live rows only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, value, type TestDb } from "./support/db.js";
import { waitFor } from "./support/cli.js";

let db: TestDb;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDb();
  c = await db.connect();
});
afterAll(async () => {
  await db?.drop();
});

const BATCHES = 1200;

async function deadTuples(table: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  // pg_stat_force_next_flush() is new in PostgreSQL 15; before, the backend
  // sends its counts at the end of a transaction (at most every 500 ms)
  const flush = Number(await value<string>(c, "select current_setting('server_version_num')")) >= 150000;
  for (;;) {
    if (flush) await c.query("select pg_stat_force_next_flush()");
    await c.query("select 1");
    const n = await value<string>(c, "select pg_stat_get_dead_tuples($1::regclass)", [table]);
    if (Number(n) > 0 || Date.now() > deadline) return Number(n);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("metadata tables under a held xmin", () => {
  it("compaction keeps pgq.subscription small while the horizon is held", async () => {
    await c.query("select pgq.create_queue('hx')");
    await c.query("select pgq.set_queue_config('hx', 'ticker_max_lag', '0')");
    await c.query("select pgq.set_queue_config('hx', 'ticker_idle_period', '0')");
    await c.query("select pgq.register_consumer('hx', 'c')");

    // the horizon held by a transaction's xid, without a snapshot (an idle
    // READ COMMITTED transaction that wrote something)
    const holder = await db.connect();
    await holder.query("begin");
    await holder.query("select txid_current()");

    let got = 0;
    for (let i = 0; i < BATCHES; i++) {
      await c.query("select pgq.insert_event('hx', 'ev', $1)", [String(i)]);
      await c.query("select pgq.ticker('hx')");
      const id = await value<string>(c, "select pgq.next_batch('hx', 'c')");
      got += await value<number>(c, "select count(*)::int from pgq.get_batch_events($1)", [id]);
      await c.query("select pgq.finish_batch($1)", [id]);
    }
    expect(got).toBe(BATCHES);
    await c.query("vacuum pgq.subscription");
    const dead = await deadTuples("pgq.subscription");
    expect(dead).toBeGreaterThan(1000); // VACUUM could not remove them
    const pagesBefore = await value<number>(c, "select (pg_relation_size('pgq.subscription') / 8192)::int");
    expect(pagesBefore).toBeGreaterThan(5);

    const ops = await c.query("select func_name, func_arg from pgq.maint_operations()");
    expect(ops.rows).toContainEqual({ func_name: "pgq.maint_compact", func_arg: "pgq.subscription" });

    // a session using the table makes compaction skip it, without waiting
    const user = await db.connect();
    await user.query("begin");
    await user.query("select * from pgq.subscription");
    expect(await value(c, "select pgq.maint_compact('pgq.subscription')")).toBe(0);
    expect(await value<number>(c, "select (pg_relation_size('pgq.subscription') / 8192)::int")).toBe(pagesBefore);
    await user.query("commit");

    // compaction skips the table while anything else holds a lock on it
    // (autovacuum keeps coming back to its dead rows): maintenance retries
    await waitFor(async () => {
      expect(await value(c, "select pgq.maint_compact('pgq.subscription')")).toBe(0);
      return (await value<number>(c, "select (pg_relation_size('pgq.subscription') / 8192)::int")) === 1;
    }, 30_000, "pgq.subscription compacted");
    const sub = await c.query("select last_tick, current_batch from pgq.get_consumer_info('hx', 'c')");
    expect(sub.rows[0].current_batch).toBeNull();
    expect(Number(sub.rows[0].last_tick)).toBeGreaterThan(BATCHES);

    // the consumer goes on where it was; the horizon is still held
    await c.query("select pgq.insert_event('hx', 'ev', 'after')");
    await c.query("select pgq.ticker('hx')");
    const id = await value<string>(c, "select pgq.next_batch('hx', 'c')");
    expect((await c.query("select ev_data from pgq.get_batch_events($1)", [id])).rows).toEqual([{ ev_data: "after" }]);
    await c.query("select pgq.finish_batch($1)", [id]);
    await holder.query("commit");
  });

  it("skips compaction while an older snapshot could see the truncated table empty", async () => {
    await c.query("select pgq.create_queue('hx_rr')");
    await c.query("select pgq.register_consumer('hx_rr', 'c')");
    const reader = await db.connect();
    await reader.query("begin isolation level repeatable read");
    const before = await reader.query("select count(*)::int n from pgq.subscription");
    await reader.query("select 1"); // idle in its transaction, snapshot kept
    expect(await value(c, "select pgq.maint_compact('pgq.subscription')")).toBe(0);
    // not compacted: the old snapshot still sees every row
    const after = await reader.query("select count(*)::int n from pgq.subscription");
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect(after.rows[0].n).toBeGreaterThan(0);
    await reader.query("commit");
    // the same with the reader's snapshot taken but the table not read yet
    await reader.query("begin isolation level repeatable read");
    await reader.query("select 1");
    const relBefore = await value<string>(c, "select pg_relation_filenode('pgq.subscription')::text");
    expect(await value(c, "select pgq.maint_compact('pgq.subscription')")).toBe(0);
    expect(await value<string>(c, "select pg_relation_filenode('pgq.subscription')::text")).toBe(relBefore);
    expect((await reader.query("select count(*)::int n from pgq.subscription")).rows[0].n).toBeGreaterThan(0);
    await reader.query("commit");
    // once it is gone, compaction runs (a new file; retried as above)
    await waitFor(async () => {
      expect(await value(c, "select pgq.maint_compact('pgq.subscription')")).toBe(0);
      return (await value<string>(c, "select pg_relation_filenode('pgq.subscription')::text")) !== relBefore;
    }, 30_000, "pgq.subscription compacted");
  });

  it("refuses other tables", async () => {
    await expect(c.query("select pgq.maint_compact('pgq.queue')")).rejects.toMatchObject({ code: "22023" });
  });
});
