// Scrape cost of pgq-runner's /metrics and status page with 1, 100 and
// 1000 queues (one consumer each, a few ticks and events): what one
// uncached scrape does, in process: the catalog query (sql.observe),
// setting the gauges and rendering the text (prom-client), and rendering
// the status page.  Medians of 20 (5 with --quick) scrapes per size.
//
//   npx tsx bench/scrape.ts [--quick]      (PG* environment names the server)
import { performance } from "node:perf_hooks";
import { client, dropDb, freshDb, median, quick } from "./lib.js";
import { readState, DEFAULT_THRESHOLDS } from "../src/observe.js";
import { RunnerMetrics } from "../src/runner/metrics.js";
import { renderStatusPage } from "../src/runner/status-page.js";

const SIZES = [1, 100, 1000];
const RUNS = quick ? 5 : 20;
const DB = "pgq_bench_scrape";

const rows: string[] = [];
for (const n of SIZES) {
  await freshDb(DB);
  const c = await client(DB);
  try {
    await c.query("create extension pgq");
    for (let i = 0; i < n; i += 50) {
      await c.query(`select pgq.create_queue(q), pgq.register_consumer(q, 'c')
                       from (select 'q' || g as q from generate_series($1::int, $2::int) g) s`, [i + 1, Math.min(n, i + 50)]);
    }
    for (let t = 0; t < 3; t++) {
      await c.query("select pgq.insert_event(queue_name, 't', 'd') from pgq.queue");
      await c.query("select pgq.force_tick(queue_name) from pgq.queue");
      await c.query("select pgq.ticker()");
    }
    const q: number[] = [];
    const m: number[] = [];
    const p: number[] = [];
    let bytes = 0;
    let pageBytes = 0;
    for (let r = 0; r < RUNS; r++) {
      const metrics = new RunnerMetrics();
      const t0 = performance.now();
      const state = await readState(c);
      const t1 = performance.now();
      metrics.setFacts(new Map([[DB, state]]), DEFAULT_THRESHOLDS);
      const text = await metrics.registry.metrics();
      const t2 = performance.now();
      const page = renderStatusPage([{ db: DB, status: { ready: true, notServed: undefined, lastTickAt: Date.now(), lastError: undefined },
        obs: { state, at: Date.now() } }], DEFAULT_THRESHOLDS, { startedAt: Date.now(), tickerPeriod: 1 });
      const t3 = performance.now();
      q.push(t1 - t0);
      m.push(t2 - t1);
      p.push(t3 - t2);
      bytes = text.length;
      pageBytes = page.length;
    }
    rows.push(`| ${n} | ${median(q).toFixed(1)} | ${median(m).toFixed(1)} | ${(median(q) + median(m)).toFixed(1)} `
      + `| ${(bytes / 1024).toFixed(0)} | ${median(p).toFixed(1)} | ${(pageBytes / 1024).toFixed(0)} |`);
  } finally {
    await c.end();
  }
}
await dropDb(DB);
console.log(`Scrape cost (medians of ${RUNS}; one database, one consumer per queue):`);
console.log("");
console.log("| queues | catalog query ms | metrics text ms | /metrics total ms | /metrics KiB | status page ms | page KiB |");
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(r);
