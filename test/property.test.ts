// Property: with several producers committing, aborting and rolling back to
// savepoints while a ticker ticks and a consumer reads batches at random
// moments, the union of all batches is exactly the set of committed events:
// nothing lost, nothing twice, nothing uncommitted.
//
// Seeded and reproducible: PGQ_SEED=<n> replays a run (the seed is printed).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, createTickingQueue, value, type TestDb } from "./support/db.js";
import { rng } from "./support/rng.js";


const SEED = Number(process.env.PGQ_SEED ?? 20261122);
const PRODUCERS = 4;
const TARGET_COMMITTED = 10_000;
const QUEUE = "prop";

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("batch property", () => {
  it(`union of batches = committed events (seed ${SEED})`, async () => {
    console.log(`property test seed: ${SEED} (set PGQ_SEED to replay)`);
    const admin = await db.connect();
    await createTickingQueue(admin, QUEUE);
    await admin.query("select pgq.register_consumer($1, 'prop')", [QUEUE]);

    const committed = new Set<string>();
    let producing = true;

    async function producer(n: number): Promise<void> {
      const rand = rng(SEED * 31 + n);
      const c = await db.connect();
      let seq = 0;
      while (committed.size < TARGET_COMMITTED) {
        const kept: string[] = [];
        await c.query("begin");
        const parts = 1 + Math.floor(rand() * 3);
        for (let p = 0; p < parts; p++) {
          const useSavepoint = p > 0 && rand() < 0.3;
          if (useSavepoint) await c.query("savepoint sp");
          const batch = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => `p${n}-${seq++}`);
          await c.query("select pgq.insert_event($1, 'ev', d) from unnest($2::text[]) d", [QUEUE, batch]);
          if (useSavepoint && rand() < 0.5) {
            await c.query("rollback to savepoint sp");
          } else {
            kept.push(...batch);
          }
          if (rand() < 0.2) await sleep(Math.floor(rand() * 3));
        }
        if (rand() < 0.2) {
          await c.query("rollback");
        } else {
          await c.query("commit");
          for (const k of kept) committed.add(k);
        }
      }
    }

    async function ticker(): Promise<void> {
      const rand = rng(SEED * 31 + 100);
      const c = await db.connect();
      while (producing) {
        await c.query("select pgq.ticker($1)", [QUEUE]);
        await sleep(Math.floor(rand() * 8));
      }
    }

    const received: string[] = [];
    let batches = 0;
    async function consumeOnce(c: pg.Client): Promise<boolean> {
      const id = await value<string | null>(c, "select pgq.next_batch($1, 'prop')", [QUEUE]);
      if (id === null) return false;
      const r = await c.query("select ev_data from pgq.get_batch_events($1)", [id]);
      for (const row of r.rows as { ev_data: string }[]) received.push(row.ev_data);
      await c.query("select pgq.finish_batch($1)", [id]);
      batches++;
      return true;
    }
    async function consumer(): Promise<void> {
      const rand = rng(SEED * 31 + 200);
      const c = await db.connect();
      while (producing) {
        if (!(await consumeOnce(c))) await sleep(Math.floor(rand() * 10));
      }
      // every producer is done: one more tick covers every commit
      await c.query("select pgq.ticker($1)", [QUEUE]);
      while (await consumeOnce(c));
    }

    const tickerDone = ticker();
    const consumerDone = consumer();
    await Promise.all(Array.from({ length: PRODUCERS }, (_, n) => producer(n)));
    producing = false;
    await tickerDone;
    await consumerDone;

    expect(committed.size).toBeGreaterThanOrEqual(TARGET_COMMITTED);
    expect(batches).toBeGreaterThan(10);
    const dupes = received.filter((e, i) => received.indexOf(e) !== i);
    expect(dupes.slice(0, 5)).toEqual([]);
    const got = new Set(received);
    expect(got.size).toBe(received.length);
    const missing = [...committed].filter((e) => !got.has(e));
    const extra = [...got].filter((e) => !committed.has(e));
    expect(missing.slice(0, 5)).toEqual([]);
    expect(extra.slice(0, 5)).toEqual([]);
    expect(got.size).toBe(committed.size);
  });
});
