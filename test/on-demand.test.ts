// On-demand ticking (pgq 4.1, queue_ticker_on_demand): pgq-runner ticks such
// a queue as soon as its producers' transactions commit, not on its next
// ticker_period; a burst of transactions gives few ticks; an on-demand queue
// without events, and a queue without the setting, are ticked by PgQ's rule
// only; a Consumer gets the events at once, each exactly once.  The runner's
// ticker_period is 60 s here, so every tick the test sees (after the first
// round) is an on-demand one.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Consumer, type PgqEvent } from "../src/index.js";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { killDaemons, runCli, waitFor, type Run } from "./support/cli.js";

let cluster: PrivateCluster;
let runner: Run;
const dir = mkdtempSync(join(tmpdir(), "pgq-on-demand-test."));
const DB = "od";

const q = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => cluster.query<T>(DB, text, params);
const ticks = async (queue: string) =>
  Number((await q<{ n: string }>(
    "select count(*) n from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = $1", [queue]))[0]!.n);

beforeAll(async () => {
  cluster = startPrivateCluster();
  await cluster.createDb(DB);
  for (const queue of ["od", "od_idle", "plain", "burst", "cons"]) {
    await q("select pgq.create_queue($1)", [queue]);
    // PgQ's rule alone would not tick these for an hour
    await q("update pgq.queue set queue_ticker_max_lag = '1 hour', queue_ticker_idle_period = '1 hour' where queue_name = $1", [queue]);
  }
  for (const queue of ["od", "od_idle", "cons"]) await q("select pgq.set_queue_config($1, 'ticker_on_demand', '0')", [queue]);
  await q("select pgq.set_queue_config('burst', 'ticker_on_demand', '300 ms')");
  const ini = join(dir, "runner.ini");
  writeFileSync(ini, `[pgq-runner]
base_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
database_list = ${DB}
ticker_period = 60
maint_period = 60
retry_period = 60
logfile = ${join(dir, "runner.log")}
`);
  runner = runCli("pgq-runner", ["-v", ini]);
  // the first round has ticked and the runner LISTENs
  const log = join(dir, "runner.log");
  await waitFor(() => existsSync(log) && /ticker: \d+ ticks? in/.test(readFileSync(log, "utf8")), 20_000, "the first ticker round");
  await new Promise((r) => setTimeout(r, 200));
}, 60_000);
afterAll(async () => {
  runner?.child.kill("SIGINT");
  await runner?.exit;
  killDaemons(dir);
  cluster?.stop();
});

describe("on-demand ticking", () => {
  it("ticks an on-demand queue as soon as its events commit; PgQ's rule alone for the others", async () => {
    const [od0, idle0, plain0] = [await ticks("od"), await ticks("od_idle"), await ticks("plain")];
    await q("select pgq.insert_event('od', 't', 'one')");
    await q("select pgq.insert_event('plain', 't', 'one')");
    await waitFor(async () => (await ticks("od")) === od0 + 1, 20_000, "the on-demand tick");
    // the tick covers the event
    const last = await q<{ seq: string; max: string }>(`
        select t.tick_event_seq seq, (select pgq.seq_getval(queue_event_seq) from pgq.queue where queue_name = 'od') max
          from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
         where q.queue_name = 'od' order by t.tick_id desc limit 1`);
    expect(last[0]!.seq).toBe(last[0]!.max);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await ticks("od")).toBe(od0 + 1);
    expect(await ticks("plain")).toBe(plain0);
    expect(await ticks("od_idle")).toBe(idle0);
    // a transaction that aborts signals nothing
    const c = new pg.Client(cluster.config(DB));
    await c.connect();
    await c.query("begin");
    await c.query("select pgq.insert_event('od', 't', 'aborted')");
    await c.query("rollback");
    await c.end();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await ticks("od")).toBe(od0 + 1);
  });

  it("a burst of transactions gives a tick per interval (300 ms here), and the last events get theirs", async () => {
    const t0 = await ticks("burst");
    const c = new pg.Client(cluster.config(DB));
    await c.connect();
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 1500) {
      await c.query("select pgq.insert_event('burst', 't', $1)", [String(n++)]);
    }
    const took = Date.now() - started;
    await c.end();
    // the last commit gets its tick soon (the periodic one is 60 s away)
    await waitFor(async () => {
      const r = await q<{ covered: boolean }>(`
          select max(t.tick_event_seq) >= pgq.seq_getval(q.queue_event_seq) covered
            from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue
           where q.queue_name = 'burst' group by q.queue_event_seq`);
      return r[0]!.covered;
    }, 15_000, "a tick covering the burst");
    const made = (await ticks("burst")) - t0;
    expect(n).toBeGreaterThan(20);
    expect(made).toBeGreaterThanOrEqual(2);
    expect(made).toBeLessThanOrEqual(Math.ceil(took / 300) + 2);
  });

  it("a Consumer gets each event at once (no 60 s wait, no poll), exactly once, from 4 producers", async () => {
    const consumer = new Consumer({ connection: cluster.config(DB), queue: "cons", consumer: "c", pollIntervalMs: 60_000 });
    await consumer.register();
    const seen = new Map<string, number>();
    const stop = new AbortController();
    const arrived: number[] = [];
    const running = consumer.run(async (batch) => {
      for await (const evs of batch.events()) {
        for (const ev of evs as PgqEvent[]) {
          seen.set(ev.ev_data!, (seen.get(ev.ev_data!) ?? 0) + 1);
          arrived.push(Date.now() - Number(ev.ev_extra1));
        }
      }
    }, stop.signal);
    try {
      // one event, alone: in hand long before any poll or periodic tick
      await new Promise((r) => setTimeout(r, 300));
      await q("select pgq.insert_event('cons', 't', 'first', $1, null, null, null)", [String(Date.now())]);
      await waitFor(() => seen.has("first"), 20_000, "the first event");
      // four producers, one-event transactions
      const producers = [0, 1, 2, 3].map(async (p) => {
        const c = new pg.Client(cluster.config(DB));
        await c.connect();
        for (let i = 0; i < 100; i++) {
          await c.query("select pgq.insert_event('cons', 't', $1, $2, null, null, null)", [`${p}.${i}`, String(Date.now())]);
        }
        await c.end();
      });
      await Promise.all(producers);
      await waitFor(() => seen.size === 401, 30_000, "all 401 events");
    } finally {
      stop.abort();
      await running;
    }
    expect([...seen.values()].every((x) => x === 1)).toBe(true);
    // each was in hand well before a poll or periodic tick (60 s): bounded,
    // not a benchmark
    expect(Math.max(...arrived)).toBeLessThan(20_000);
  });
});
