// Cooperative consumers: drain N events (100,000; --quick 10,000) with 1 ms
// of simulated work per event (an awaited 1 ms timer: I/O-bound work) by 1,
// 2, 4 and 8 workers of one consumer, in one process, events queued before
// the workers start; events/s from the workers' start to the last event.
//   - pgq (ours): pgq_coop through the driver's ConsumerPool (concurrency n);
//     batches of B = 500 (a tick after every 500 events); each worker
//     handles its batch's events one after another.
//   - pg-boss 10.4.2: n workers, each fetch(B) -> the jobs one after
//     another -> complete.
//   - graphile-worker 0.17.3: one runner with concurrency n (n jobs at
//     once), local queue of B.
// Scaling factor: events/s with n workers / with 1.
//   npx tsx bench/coop.ts [--quick] [--events N] [--workers 1,2,4,8]
import PgBoss from "pg-boss";
import { Logger, makeWorkerUtils, run } from "graphile-worker";
import { ConsumerPool, PgqClient } from "../src/index.js";
import { client, dropDb, fail, freshDb, quick, record, sleep, type SystemId } from "./lib.js";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const N = Number(arg("--events") ?? (quick ? 10_000 : 100_000));
const WORKERS = (arg("--workers") ?? "1,2,4,8").split(",").map(Number);
const B = 500;
const WORK_MS = 1;
const quietLogger = new Logger(() => () => {});
const work = () => sleep(WORK_MS);

/** Seconds until done() is true, checking every 5 ms. */
async function timed(start: () => Promise<void> | void, done: () => boolean): Promise<number> {
  const t0 = performance.now();
  await start();
  while (!done()) await sleep(5);
  return (performance.now() - t0) / 1000;
}

async function pgqDrain(n: number): Promise<number> {
  const db = "bench_coop_ours";
  await freshDb(db);
  const c = await client(db);
  await c.query("create extension pgq; create extension pgq_coop");
  await c.query("select pgq.create_queue('coop')");
  const pool = new ConsumerPool({ connection: `dbname=${db}`, queue: "coop", consumer: "c", concurrency: n,
                                  pollIntervalMs: 50 });
  await pool.register();
  const pgq = new PgqClient(c);
  for (let i = 0; i < N; i += B) {
    const evs = Array.from({ length: Math.min(B, N - i) }, (_, k) => ({ type: "t", data: String(i + k) }));
    await pgq.insertEvents("coop", evs);
    await c.query("select pgq.force_tick('coop')");
    await c.query("select pgq.ticker('coop')");
  }
  let handled = 0;
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  const secs = await timed(() => {
    running = pool.run(async (batch) => {
      for await (const evs of batch.events()) {
        for (const _ of evs) {
          await work();
          handled++;
        }
      }
    }, stop.signal);
  }, () => handled >= N);
  stop.abort();
  await running;
  if (handled !== N) throw new Error(`pgq: ${handled} of ${N} events`);
  await c.end();
  await dropDb(db);
  return N / secs;
}

async function bossDrain(n: number): Promise<number> {
  const db = "bench_coop_boss";
  await freshDb(db);
  const boss = new PgBoss({ database: db, max: n + 4, supervise: false, schedule: false });
  boss.on("error", (err) => console.error("pg-boss:", err));
  await boss.start();
  await boss.createQueue("coop");
  for (let i = 0; i < N; i += 5000) {
    await boss.insert(Array.from({ length: Math.min(5000, N - i) }, (_, k) => ({ name: "coop", data: { p: String(i + k) } })));
  }
  let handled = 0;
  let on = true;
  const workers: Promise<void>[] = [];
  const secs = await timed(() => {
    for (let w = 0; w < n; w++) {
      workers.push((async () => {
        while (on) {
          const jobs = await boss.fetch<{ p: string }>("coop", { batchSize: B });
          if (jobs.length === 0) {
            await sleep(10);
            continue;
          }
          for (const _ of jobs) {
            await work();
            handled++;
          }
          await boss.complete("coop", jobs.map((j) => j.id));
        }
      })());
    }
  }, () => handled >= N);
  on = false;
  await Promise.all(workers);
  if (handled !== N) throw new Error(`pg-boss: ${handled} of ${N} jobs`);
  await boss.stop({ graceful: false, wait: true });
  await dropDb(db);
  return N / secs;
}

async function graphileDrain(n: number): Promise<number> {
  const db = "bench_coop_gw";
  await freshDb(db);
  const utils = await makeWorkerUtils({ connectionString: `postgres:///${db}`, logger: quietLogger });
  await utils.migrate();
  for (let i = 0; i < N; i += 5000) {
    await utils.addJobs(Array.from({ length: Math.min(5000, N - i) }, (_, k) => ({ identifier: "coop", payload: { p: String(i + k) } })));
  }
  let handled = 0;
  let runner: Awaited<ReturnType<typeof run>> | undefined;
  const secs = await timed(async () => {
    runner = await run({
      connectionString: `postgres:///${db}`,
      concurrency: n,
      maxPoolSize: n + 1,
      pollInterval: 1000,
      noHandleSignals: true,
      logger: quietLogger,
      preset: { worker: { localQueue: { size: B }, completeJobBatchDelay: 0 } },
      taskList: {
        coop: async () => {
          await work();
          handled++;
        },
      },
    });
  }, () => handled >= N);
  await runner!.stop();
  await utils.release();
  if (handled < N) throw new Error(`graphile-worker: ${handled} of ${N} jobs`);
  await dropDb(db);
  return N / secs;
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US").replace(/,/g, " ");

async function main(): Promise<void> {
  const systems: [SystemId, string, (n: number) => Promise<number>][] = [
    ["ours", "pgq_coop (ours)", pgqDrain], ["pgboss", "pg-boss 10.4.2", bossDrain], ["graphile", "graphile-worker 0.17.3", graphileDrain],
  ];
  const result = new Map<string, number>();
  for (const n of WORKERS) {
    for (const [id, label, fn] of systems) {
      const v = await fn(n);
      result.set(`${id}:${n}`, v);
      record(`coop_${n}`, id, v);
      console.error(`coop: ${label}, ${n} worker${n > 1 ? "s" : ""}: ${fmt(v)} events/s`);
    }
  }
  console.log(`Cooperative consumers: ${N} events queued beforehand, ${WORK_MS} ms of awaited work per event,`
    + ` batches of ${B}; events/s (scaling factor: n workers / 1).`);
  console.log();
  console.log(`| workers | ${systems.map(([, l]) => l).join(" | ")} |`);
  console.log(`|---:|${systems.map(() => "---:").join("|")}|`);
  for (const n of WORKERS) {
    console.log(`| ${n} | ${systems.map(([id]) => {
      const v = result.get(`${id}:${n}`)!;
      const one = result.get(`${id}:1`);
      return one ? `${fmt(v)} (${(v / one).toFixed(2)}×)` : fmt(v);
    }).join(" | ")} |`);
  }
  for (const n of WORKERS) {
    const one = result.get("ours:1");
    if (one && n > 1) record(`coop_scaling_${n}`, "ours", result.get(`ours:${n}`)! / (n * one));
  }
}

main().catch(fail("coop bench"));
