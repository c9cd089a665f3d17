// pgq.restore_rebase_txids(): after a restore into a server whose txid
// counter is behind, a queue's ticks, events and rotation steps move below
// it and every decision PgQ makes from them comes out as before.  Random
// histories of overlapping transactions (snapshots with transactions in
// progress, events committed late, rotations) far above this server's
// counter; before and after the rebase, for every pair of ticks: which
// events the batch holds, which tables batch_event_tables names, and
// whether rotation waits for the tick.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, type TestDb } from "./support/db.js";
import { rng } from "./support/rng.js";

let db: TestDb;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDb();
  c = await db.connect();
});
afterAll(async () => {
  await db?.drop();
});

interface History {
  ticks: { xmin: number; xmax: number; xip: number[] }[];
  events: { txid: number; table: number }[];
  step1: number;
  step2: number | null;
}

/** Transactions starting and committing in random order, a tick now and then. */
function history(seed: number): History {
  const r = rng(seed);
  let next = 1_000_000_000 + Math.floor(r() * 1000);
  const running = new Set<number>();
  const ticks: History["ticks"] = [];
  const events: History["events"] = [];
  let table = 0;
  let step1 = next - 5;
  let step2: number | null = next - 4;
  for (let i = 0; i < 400; i++) {
    const x = r();
    if (x < 0.4) {
      running.add(next++);
    } else if (x < 0.8 && running.size > 0) {
      // mostly the oldest: transactions are short, but some linger
      const list = [...running].sort((a, b) => a - b);
      const t = r() < 0.7 ? list[0]! : list[Math.floor(r() * list.length)]!;
      running.delete(t);
      for (let e = Math.floor(r() * 3); e > 0; e--) events.push({ txid: t, table });
    } else if (x < 0.93) {
      const xip = [...running].sort((a, b) => a - b);
      ticks.push({ xmin: xip[0] ?? next, xmax: next, xip });
    } else if (x < 0.96) {
      // a rotation: step1 in its own transaction, step2 later
      table = (table + 1) % 3;
      step1 = next++;
      step2 = null;
    } else if (step2 === null) {
      step2 = next++;
    }
  }
  if (ticks.length === 0) ticks.push({ xmin: next, xmax: next, xip: [] });
  return { ticks, events, step1, step2 };
}

/** Everything PgQ decides from the txids of queue 1, as comparable text. */
async function decisions(n: number): Promise<string[]> {
  const r = await c.query<{ line: string }>(`
    with t as (select tick_id, tick_snapshot s from pgq.tick where tick_queue = 1),
         q as (select queue_switch_step1 s1, queue_switch_step2 s2 from pgq.queue where queue_id = 1)
    select format('batch %s..%s: %s', a.tick_id, b.tick_id,
                  (select string_agg(e.ev_id::text, ',' order by e.ev_id) from pgq.event_1 e
                    where txid_visible_in_snapshot(e.ev_txid, b.s) and not txid_visible_in_snapshot(e.ev_txid, a.s))) line
      from t a join t b on b.tick_id > a.tick_id
    union all
    select format('tables %s..%s: only_prev=%s only_cur=%s', a.tick_id, b.tick_id,
                  txid_snapshot_xmax(b.s) < q.s1, q.s2 is not null and txid_snapshot_xmin(a.s) > q.s2)
      from t a join t b on b.tick_id > a.tick_id, q
    union all
    select format('rotation waits for tick %s: %s', a.tick_id, txid_snapshot_xmin(a.s) <= q.s2) from t a, q
    union all
    select format('new transactions see tick %s''s events: %s', a.tick_id,
                  not exists (select 1 from pgq.event_1 e where not txid_visible_in_snapshot(e.ev_txid, txid_current_snapshot())))
      from t a`);
  expect(r.rows.length).toBeGreaterThan(n);
  return r.rows.map((x) => x.line).sort();
}

describe("pgq.restore_rebase_txids", () => {
  it("keeps every batch, table choice and rotation decision of random histories", async () => {
    await c.query("select pgq.create_queue('r')");
    const seen = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const h = history(seed);
      await c.query("delete from pgq.tick where tick_queue = 1");
      await c.query("truncate pgq.event_1");
      for (const [i, t] of h.ticks.entries()) {
        await c.query("insert into pgq.tick (tick_queue, tick_id, tick_event_seq, tick_snapshot) values (1, $1, 0, $2::txid_snapshot)",
          [i + 1, `${t.xmin}:${t.xmax}:${t.xip.join(",")}`]);
      }
      for (const [i, e] of h.events.entries()) {
        await c.query(`insert into pgq.event_1_${e.table} (ev_id, ev_time, ev_txid, ev_type) values ($1, now(), $2, 't')`, [i + 1, e.txid]);
      }
      await c.query("update pgq.queue set queue_switch_step1 = $1, queue_switch_step2 = $2 where queue_id = 1", [h.step1, h.step2]);

      const before = await decisions(h.ticks.length);
      for (const l of before) for (const m of l.match(/only_prev=t|only_cur=t|only_prev=f only_cur=f|waits for tick \d+: [tf]/g) ?? []) seen.add(m.replace(/\d+/, "N"));
      if (h.ticks.some((t) => t.xip.length > 0)) seen.add("xip");
      if (h.events.length > 0) expect(before.some((l) => l.endsWith("see tick 1's events: f"))).toBe(true); // ahead of us
      expect(await c.query("select pgq.restore_rebase_txids() n").then((r) => r.rows[0].n)).toBe(1);
      const after = await decisions(h.ticks.length);
      const txidNow = Number((await c.query("select txid_current() t")).rows[0].t);
      expect(after.filter((l) => !l.startsWith("new transactions"))).toEqual(before.filter((l) => !l.startsWith("new transactions")));
      expect(after.filter((l) => l.startsWith("new transactions")).every((l) => l.endsWith(": t"))).toBe(true);
      const max = (await c.query(`select greatest((select max(txid_snapshot_xmax(tick_snapshot)) from pgq.tick),
                                                  (select max(ev_txid) from pgq.event_1),
                                                  (select queue_switch_step1 from pgq.queue where queue_id = 1)) m`)).rows[0].m;
      expect(Number(max)).toBeLessThan(txidNow);
      // a second call has nothing to do
      expect(await c.query("select pgq.restore_rebase_txids() n").then((r) => r.rows[0].n)).toBe(0);
    }
    // the histories took every branch
    expect([...seen].sort()).toEqual(["only_cur=t", "only_prev=f only_cur=f", "only_prev=t", "waits for tick N: f", "waits for tick N: t", "xip"]);
  });
});
