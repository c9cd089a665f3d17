// Consumer-side benchmarks: pgq (ours) against PgQ 3.5 (C, and its PL/pgSQL
// variant where it is cheap), pg-boss 10.4.2 and graphile-worker 0.17.3, all
// in the one cluster of the PG* environment, rounds interleaved across the
// systems, medians printed as markdown tables and recorded for the summary.
//
//   npx tsx bench/queues.ts [--quick] [drain] [fanout] [latency | latency200 | latency2000] [storage] [producer]
//
// drain:    N events ready, one consumer takes them all in batches of 100,
//           500 and 5000 (pgq: a tick every B events; pg-boss: fetch B jobs;
//           graphile-worker: one runner, concurrency 4, local queue of B).
// fanout:   1, 4 and 16 consumers each must see all N events while the
//           producer writes them (1000 per transaction) and, for pgq, a ticker
//           ticks every 10 ms; pollers wait 10 ms when empty.  pg-boss and
//           graphile-worker have no fan-out: one job copy per consumer.
//           Delivered events/s = events seen by all consumers / seconds.
// latency:  one event per transaction at a fixed rate; milliseconds from
//           before the INSERT to the consumer's hand, p50 and p99.  pgq runs
//           its daemon (ours: pgq-runner; PgQ: Debian's pgqd), both with
//           ticker_period 0.1 s and queue_ticker_max_lag 0; consumers poll
//           every 100 ms (ours is also woken by its tick NOTIFY).
// storage:  bytes of event storage per 1M events of 100 bytes, and after the
//           events are consumed (pgq: rotation; pg-boss: completed + VACUUM;
//           graphile-worker: completed (deleted) + VACUUM; plain: DELETE +
//           VACUUM).
// producer: pg-boss only (the SQL producers are in insert_event.sh): N jobs
//           in one insert() call, and one job per transaction from 2 clients.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Consumer } from "../src/index.js";
import {
  client, dropDb, fail, freshDb, here, interleaved, median, pgqdBinary, quantile, quick, record, scalar, sleep,
  type SystemId,
} from "./lib.js";
import { GraphileSystem, PgBossSystem, PgqSystem, type QueueSystem } from "./systems.js";

// quick: one round each, a smoke check of every scenario (not for quoting)
const ROUNDS = quick ? 1 : 3;
const PAYLOAD = "x".repeat(100);
const payloads = (n: number) => Array.from({ length: n }, () => PAYLOAD);
const fmt = (x: number) => Math.round(x).toLocaleString("en-US").replace(/,/g, " ");

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const runs = (name: string) => wanted.length === 0 || wanted.includes(name);

function systems(...ids: string[]): QueueSystem[] {
  const all: QueueSystem[] = [
    new PgqSystem("ours", "pgq (ours)", "bench_q_ours"),
    new PgqSystem("c", "PgQ 3.5 C", "bench_q_c"),
    new PgqSystem("pl", "PgQ 3.5 PL/pgSQL", "bench_q_pl"),
    new PgBossSystem("bench_q_boss"),
    new GraphileSystem("bench_q_gw"),
  ];
  return all.filter((s) => ids.includes(s.id));
}

/** Runs of one figure per system. */
type Runs = Map<SystemId, number[]>;

function addRun(runs: Runs, id: SystemId, value: number): void {
  runs.set(id, [...(runs.get(id) ?? []), value]);
}

/** The median of each system's runs, recorded under key for the summary. */
function medians(key: string, runs: Runs): Map<SystemId, number> {
  const med = new Map([...runs].map(([id, xs]) => [id, median(xs)] as const));
  for (const [id, v] of med) record(key, id, v);
  return med;
}

/** Prints a markdown table: one row per label, one column per system. */
function table(title: string, unit: string, sys: QueueSystem[], rows: [string, Map<SystemId, number>][]): void {
  console.log(`| ${title} (${unit}) | ${sys.map((s) => s.label).join(" | ")} |`);
  console.log(`|---|${sys.map(() => "---:").join("|")}|`);
  for (const [label, v] of rows) {
    console.log(`| ${label} | ${sys.map((s) => (v.has(s.id) ? fmt(v.get(s.id)!) : "")).join(" | ")} |`);
  }
  console.log();
}

/** Reads until `want` payloads arrived or the deadline; returns how many. */
async function readAll(s: QueueSystem, r: { take(): Promise<string[] | null> }, want: number, deadline: number,
  wait: number, seen?: (p: string) => void): Promise<number> {
  let got = 0;
  while (got < want && performance.now() < deadline) {
    const batch = await r.take();
    if (batch === null) {
      if (s.polls) await sleep(wait);
      continue;
    }
    got += batch.length;
    if (seen) for (const p of batch) seen(p);
  }
  return got;
}

async function drain(): Promise<void> {
  const N = quick ? 10_000 : 100_000;
  const CAP_MS = quick ? 10_000 : 60_000;
  const sys = systems("ours", "c", "pl", "pgboss", "graphile");
  for (const s of sys) await s.setup();
  const rows: [string, Map<SystemId, number>][] = [];
  for (const B of [100, 500, 5000]) {
    const runs: Runs = new Map();
    await interleaved(sys, ROUNDS, async (s, round) => {
      const ch = `d${B}_${round}`;
      await s.create(ch, 1);
      for (let done = 0; done < N; done += B) {
        await s.produce(ch, payloads(Math.min(B, N - done)));
        await s.boundary(ch);
      }
      const r = await s.reader(ch, 0, B);
      const t0 = performance.now();
      const got = await readAll(s, r, N, t0 + CAP_MS, 10);
      const rate = got / ((performance.now() - t0) / 1000);
      await r.close();
      addRun(runs, s.id, rate);
    });
    rows.push([`batches of ${B}`, medians(`drain_${B}`, runs)]);
  }
  console.log(`Drain: ${N} events ready, one consumer, median of ${ROUNDS}. pgq: a tick every B events;`
    + ` pg-boss: fetch(B) + complete; graphile-worker: one runner, concurrency ${GraphileSystem.CONCURRENCY},`
    + " local queue of B jobs, batched completion.");
  console.log();
  table("drain", "events/s", sys, rows);
  for (const s of sys) await s.close();
}

async function fanout(): Promise<void> {
  const N = quick ? 20_000 : 100_000;
  const CAP_MS = quick ? 3_000 : 15_000;
  const sys = systems("ours", "c", "pgboss", "graphile");
  for (const s of sys) await s.setup();
  const rows: [string, Map<SystemId, number>][] = [];
  for (const k of [1, 4, 16]) {
    const runs: Runs = new Map();
    await interleaved(sys, ROUNDS, async (s, round) => {
      const ch = `f${k}_${round}`;
      await s.create(ch, k);
      const readers = await Promise.all(Array.from({ length: k }, (_, i) => s.reader(ch, i, 1000)));
      const stopTicker = await s.startTicker(ch, 10);
      const t0 = performance.now();
      const deadline = t0 + CAP_MS;
      const producer = (async () => {
        for (let done = 0; done < N && performance.now() < deadline; done += 1000) await s.produce(ch, payloads(1000));
      })();
      const counts = await Promise.all(readers.map((r) => readAll(s, r, N, deadline, 10)));
      const elapsed = (performance.now() - t0) / 1000;
      await producer;
      await stopTicker();
      await Promise.all(readers.map((r) => r.close()));
      const delivered = counts.reduce((a, b) => a + b, 0);
      addRun(runs, s.id, delivered / elapsed);
    });
    rows.push([`${k} consumer${k > 1 ? "s" : ""}`, medians(`fanout_${k}`, runs)]);
  }
  console.log(`Fan-out: ${N} events written 1000 per transaction while k consumers read; each consumer must see`
    + ` all of them (at most ${CAP_MS / 1000} s); median of ${ROUNDS}. pg-boss and graphile-worker have no fan-out,`
    + " so the producer writes one job per consumer.");
  console.log();
  table("delivered", "events/s", sys, rows);
  for (const s of sys) await s.close();
}

/** Starts the ticker daemon for a pgq system: ours pgq-runner, PgQ's pgqd. */
function startDaemon(s: QueueSystem, dir: string): ChildProcess {
  const env = { ...process.env };
  if (s.id === "ours") {
    const ini = join(dir, "runner.ini");
    writeFileSync(ini, `[pgq-runner]\ndatabase_list = ${s.db}\nticker_period = 0.1\nlogfile = ${dir}/runner.log\n`
      + `pidfile = ${dir}/runner.pid\n`);
    return spawn(process.execPath, ["--import", "tsx", resolve(here, "../src/cli/pgq-runner.ts"), ini],
      { env, stdio: "ignore" });
  }
  const ini = join(dir, "pgqd.ini");
  writeFileSync(ini, `[pgqd]\ndatabase_list = ${s.db}\nticker_period = 0.1\nlogfile = ${dir}/pgqd.log\n`
    + `pidfile = ${dir}/pgqd.pid\n`);
  return spawn(pgqdBinary(), ["-q", ini], { env, stdio: "ignore" });
}

/**
 * The on-demand interval the bench uses at a rate: none at 200 events/s; at
 * 2000, 10 ms (a tick per commit would be a batch per 1-2 events: more
 * batches than one consumer takes per second, so it falls behind).
 */
const odInterval = (rate: number) => (rate >= 1000 ? "10 ms" : "0");

/**
 * One event per transaction at `rate` events/s.  Without onDemand: ours,
 * PgQ 3.5 + pgqd, pg-boss and graphile-worker (daemons tick every 0.1 s,
 * pollers every 100 ms).  With onDemand: ours with queue_ticker_on_demand 0
 * (pgq-runner ticks as soon as the producer commits) beside graphile-worker
 * again, in the same rounds; it also counts the ticks of the busy queue and
 * of an idle on-demand queue, per minute.
 */
async function latency(rate: number, onDemand: boolean): Promise<void> {
  const SECS = quick ? 2 : 20;
  const key = `latency${onDemand ? "_od" : ""}${rate === 200 ? "" : `_${rate}`}`;
  const sys: QueueSystem[] = onDemand
    ? [new PgqSystem("ours", "pgq (ours, on demand)", "bench_q_od", odInterval(rate)), ...systems("graphile")]
    : systems("ours", "c", "pgboss", "graphile");
  for (const s of sys) await s.setup();
  const p50: Runs = new Map();
  const p99: Runs = new Map();
  const busyTicks: number[] = [];
  const behind = new Set<string>();
  const idleTicks: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), "pgq-bench-"));
  await interleaved(sys, ROUNDS, async (s, round) => {
    const ch = `l_${round}`;
    await s.create(ch, 1);
    const lat: number[] = [];
    const seen = (p: string) => lat.push(Date.now() - Number(p));
    let daemon: ChildProcess | undefined;
    let consume: Promise<unknown>;
    const abort = new AbortController();
    const want = rate * SECS;
    const tc = s instanceof PgqSystem && onDemand ? await client(s.db) : undefined;
    const tickCount = async (queue: string) => tc
      ? Number(await scalar(tc, "select count(*) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = $1", [queue]))
      : 0;
    if (tc) {
      // an idle on-demand queue with PgQ's default ticker settings
      await tc.query("select pgq.create_queue($1), pgq.set_queue_config($1, 'ticker_on_demand', $2)",
        [`idle_${round}`, odInterval(rate)]);
    }
    if (s instanceof PgqSystem) {
      daemon = startDaemon(s, dir);
      const consumer = new Consumer({ connection: { database: s.db }, queue: ch, consumer: "c0", pollIntervalMs: 100,
        onError: (err) => console.error(`${s.label} consumer:`, err) });
      consume = consumer.run(async (batch) => {
        for await (const evs of batch.events()) for (const ev of evs) seen(ev.ev_data!);
        if (lat.length >= want) abort.abort();
      }, abort.signal);
    } else {
      const r = await s.reader(ch, 0, 1000);
      consume = readAll(s, r, want, performance.now() + (SECS + 10) * 1000, 100, seen).finally(() => r.close());
    }
    await sleep(1000); // daemons and runners up
    const ticks0 = [await tickCount(ch), await tickCount(`idle_${round}`)];
    const t0 = performance.now();
    for (let i = 0; i < want; i++) {
      const due = t0 + (i * 1000) / rate;
      const now = performance.now();
      if (due > now) await sleep(due - now);
      await s.produce(ch, [String(Date.now())]);
    }
    const minutes = (performance.now() - t0) / 60_000;
    const timeout = setTimeout(() => abort.abort(), 10_000);
    await consume;
    clearTimeout(timeout);
    if (onDemand && s instanceof PgqSystem) {
      busyTicks.push((await tickCount(ch) - ticks0[0]!) / minutes);
      idleTicks.push((await tickCount(`idle_${round}`) - ticks0[1]!) / minutes);
    }
    await tc?.end();
    daemon?.kill("SIGTERM");
    if (lat.length < want) {
      // at 200 events/s every system keeps up; above, one that falls
      // behind gets no figure, and says so
      if (rate <= 200) throw new Error(`${s.label}: ${lat.length} of ${want} events arrived`);
      console.log(`${s.label}: fell behind at ${rate} events/s (${lat.length} of ${want} events arrived within ${SECS + 10} s)`);
      behind.add(s.label);
    } else {
      addRun(p50, s.id, quantile(lat, 0.5));
      addRun(p99, s.id, quantile(lat, 0.99));
    }
    await sleep(300);
  });
  rmSync(dir, { recursive: true, force: true });
  const rows: [string, Map<SystemId, number>][] = [];
  for (const [q, runs] of [["p50", p50], ["p99", p99]] as const) rows.push([q, medians(`${key}_${q}`, runs)]);
  if (onDemand) {
    record(`${key}_ticks_busy`, "ours", median(busyTicks));
    record(`${key}_ticks_idle`, "ours", median(idleTicks));
  }
  console.log(`Latency: ${rate} events/s for ${SECS} s, one event per transaction, median of ${ROUNDS} runs.`
    + (onDemand
      ? ` pgq: pgq-runner with the queue's ticker_on_demand '${odInterval(rate)}' (a tick as soon as the producer commits,`
        + " at most that often; ticker_period"
        + ` 0.1 s for the rest); graphile-worker: LISTEN/NOTIFY.  Ticks per minute: busy queue ${fmt(median(busyTicks))},`
        + ` idle on-demand queue ${fmt(median(idleTicks))}.`
      : " pgq: daemon ticker_period 0.1 s, queue_ticker_max_lag 0; pollers every 100 ms (ours also wakes on its"
        + " tick NOTIFY); graphile-worker: LISTEN/NOTIFY."));
  if (behind.size) console.log(`Fell behind (no figure): ${[...behind].join(", ")}.`);
  console.log();
  table(`end-to-end latency${onDemand ? ", on demand" : ""}`, "ms", sys, rows);
  for (const s of sys) await s.close();
}

async function storage(): Promise<void> {
  const N = quick ? 20_000 : 200_000;
  const CHUNK = 10_000;
  const per1M = (bytes: number) => (bytes * 1_000_000) / N / 1024 / 1024;
  const sys = systems("ours", "c", "pgboss", "graphile");
  // one run each: sizes do not vary
  const full: Runs = new Map();
  const after: Runs = new Map();
  for (const s of sys) {
    await s.setup();
    await s.create("st", 1);
    for (let done = 0; done < N; done += CHUNK) await s.produce("st", payloads(Math.min(CHUNK, N - done)));
    await s.boundary("st");
    addRun(full, s.id, per1M(await s.storage()));
    const r = await s.reader("st", 0, 5000);
    await readAll(s, r, N, performance.now() + 600_000, 10);
    await r.close();
    if (s instanceof PgqSystem) await s.rotate("st");
    if (s instanceof PgBossSystem || s instanceof GraphileSystem) await s.vacuum();
    addRun(after, s.id, per1M(await s.storage()));
    await s.close();
    await dropDb(s.db);
  }
  await freshDb("bench_q_plain");
  const c = await client("bench_q_plain");
  await c.query(readFileSync(resolve(here, "plain_events.sql"), "utf8"));
  for (let done = 0; done < N; done += CHUNK) {
    await c.query("insert into plain_events (ev_type, ev_data) select 't', d from unnest($1::text[]) d",
      [payloads(Math.min(CHUNK, N - done))]);
  }
  const plainBytes = async () => Number(await scalar<string>(c, "select pg_total_relation_size('plain_events')"));
  addRun(full, "plain", per1M(await plainBytes()));
  await c.query("delete from plain_events");
  await c.query("vacuum plain_events");
  addRun(after, "plain", per1M(await plainBytes()));
  await c.end();
  await dropDb("bench_q_plain");

  const cols = [...sys, { id: "plain", label: "plain INSERT" } as QueueSystem];
  console.log(`Storage: ${N} events of 100 bytes, scaled to 1M. After: pgq consumed and rotated; pg-boss`
    + " completed (its rows stay until archived) and VACUUM; graphile-worker completed (deleted) and VACUUM;"
    + " plain DELETE and VACUUM.");
  console.log();
  table("storage per 1M events", "MiB", cols,
    [["written", medians("storage_full", full)], ["after consumption", medians("storage_after", after)]]);
}

async function producer(): Promise<void> {
  const N = quick ? 20_000 : 200_000;
  const SECS = quick ? 3 : 10;
  const [s] = systems("pgboss") as [PgBossSystem];
  await s.setup();
  await s.create("p", 1);
  const bulk: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    await s.produce("p", payloads(N));
    bulk.push(N / ((performance.now() - t0) / 1000));
  }
  let count = 0;
  const end = performance.now() + SECS * 1000;
  await Promise.all([0, 1].map(async () => {
    while (performance.now() < end) {
      await s.produce("p", [PAYLOAD]);
      count++;
    }
  }));
  record("insert_bulk", "pgboss", median(bulk));
  record("insert_single", "pgboss", count / SECS);
  console.log(`pg-boss producer: insert() of ${N} jobs in one call ${fmt(median(bulk))} jobs/s (median of ${ROUNDS});`
    + ` one job per call from 2 clients ${fmt(count / SECS)} jobs/s.`);
  console.log();
  await s.close();
  await dropDb(s.db);
}

async function main(): Promise<void> {
  if (runs("producer")) await producer();
  if (runs("drain")) await drain();
  if (runs("fanout")) await fanout();
  for (const rate of [200, 2000]) {
    if (!runs("latency") && !runs(`latency${rate}`)) continue;
    await latency(rate, false);
    await latency(rate, true);
  }
  if (runs("storage")) await storage();
  for (const db of ["bench_q_ours", "bench_q_c", "bench_q_pl", "bench_q_boss", "bench_q_gw"]) await dropDb(db);
}

main().catch(fail("queues bench"));
