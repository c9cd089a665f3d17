// Which locks ALTER EXTENSION pgq UPDATE from PgQ 3.5 takes, for how long,
// and what a producer and the ticker feel of it, with many events queued.
//
//   npx tsx test/upgrade/pgq35-locks.ts [--events N] [--queues Q]   (default 1000000 events, 1 queue)
//
// Starts its own PgQ 3.5 server (scripts/pgq35.sh prefix, in
// /tmp/pgq35-prefix-locks), makes a database with Q queues holding N events
// in all (spread over each queue's three tables), then runs the update
// while
//   - a producer calls pgq.insert_event in a loop (one session, autocommit),
//   - a ticker calls pgq.ticker() every 100 ms,
//   - a sampler reads pg_locks every millisecond: the relation locks of the
//     updating session and every session waiting for a lock,
// and prints the update's duration, each lock it took (mode, first seen,
// held until commit), the sessions that waited and for how long, and the
// producer's and ticker's latencies.  Removes the server afterwards.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";

const root = resolve(import.meta.dirname, "../..");
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const EVENTS = arg("--events", 1_000_000);
const QUEUES = arg("--queues", 1);
const PREFIX = join(tmpdir(), "pgq35-prefix-locks");

const sh = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(cmd, args, { encoding: "utf8", env, stdio: ["ignore", "pipe", "inherit"] }).trim();

const bin = sh(resolve(root, "scripts/pgq35.sh"), ["prefix", PREFIX]).split("\n").pop()!;
const clusterDir = mkdtempSync(join(tmpdir(), "pgq35-locks."));
rmdirSync(clusterDir);
const pgenv = { ...process.env, PGBIN: bin };
const vars = Object.fromEntries(
  sh(resolve(root, "scripts/pgcluster.sh"), ["start", clusterDir], pgenv).split("\n")
    .filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
);
const config = (database: string): pg.ClientConfig => ({ host: vars.PGHOST, port: Number(vars.PGPORT), user: "postgres", database });
async function connect(db = "locks"): Promise<pg.Client> {
  const c = new pg.Client(config(db));
  await c.connect();
  c.on("notice", () => {});
  return c;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

try {
  const a = await connect("postgres");
  await a.query("create database locks");
  await a.end();
  const c = await connect();
  await c.query("create extension pgq version '3.5'");
  const per = Math.floor(EVENTS / QUEUES);
  let t = performance.now();
  for (let q = 1; q <= QUEUES; q++) {
    await c.query("select pgq.create_queue($1)", [`q${q}`]);
    await c.query("select pgq.register_consumer($1, 'c')", [`q${q}`]);
    // straight into the three tables (ev_id and ev_txid from their defaults): as
    // insert_event would have put them there over two rotations, only faster
    for (const [n, share] of [[0, 0.4], [1, 0.3], [2, 0.3]] as const) {
      await c.query(`insert into pgq.event_${q}_${n} (ev_time, ev_type, ev_data, ev_extra1)
                     select now(), 'I:id', 'id=' || i || '&payload=' || md5(i::text), 'public.orders'
                       from generate_series(1, $1) i`, [Math.round(per * share)]);
    }
  }
  await c.query("vacuum analyze");
  const size = (await c.query("select pg_size_pretty(sum(pg_total_relation_size(oid))) s, (select count(*) from pgq.event_template) n from pg_class where relname ~ '^event_\\d+_\\d+$'")).rows[0];
  console.log(`PgQ 3.5: ${QUEUES} queue(s), ${size.n} events in their tables (${size.s}), made in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  sh(resolve(root, "scripts/pgq35.sh"), ["install-ours", PREFIX]);

  const upd = await connect();
  const updPid = (await upd.query("select pg_backend_pid() p")).rows[0].p as number;
  let stop = false;

  const prod = await connect();
  const prodLat: { at: number; ms: number }[] = [];
  const producer = (async () => {
    for (let i = 0; !stop; i++) {
      const t0 = performance.now();
      await prod.query("select pgq.insert_event('q1', 'prod', $1)", [`p-${i}`]);
      prodLat.push({ at: t0, ms: performance.now() - t0 });
      await sleep(1);
    }
  })();
  const tick = await connect();
  const tickLat: number[] = [];
  const ticker = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await tick.query("select pgq.ticker()");
      tickLat.push(performance.now() - t0);
      await sleep(100);
    }
  })();

  const samp = await connect();
  const held = new Map<string, { first: number; last: number }>();
  const waits = new Map<string, { first: number; last: number }>();
  let t0 = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const r = await samp.query<{ pid: number; rel: string; mode: string; granted: boolean; app: string }>(
        `select l.pid, coalesce(l.relation::regclass::text, l.locktype) rel, l.mode, l.granted,
                case when l.pid = $1 then 'update' else coalesce(a.query, '') end app
           from pg_locks l left join pg_stat_activity a on a.pid = l.pid
          where (l.pid = $1 and l.locktype = 'relation'
                 and (l.relation::regclass::text !~ '^pg_' or l.relation::regclass::text ~ '^pg_toast.pg_toast_\\d+$'
                      and l.relation >= 16384))
             or not l.granted`, [updPid]);
      const now = performance.now() - t0;
      for (const x of r.rows) {
        const key = x.pid === updPid && x.granted ? `${x.mode} on ${x.rel}` : `${x.pid} (${x.app.slice(0, 60)}) waits: ${x.mode} on ${x.rel}`;
        const m = x.pid === updPid && x.granted ? held : waits;
        const e = m.get(key);
        if (e) e.last = now;
        else m.set(key, { first: now, last: now });
      }
      await sleep(1);
    }
  })();

  await sleep(1000);
  t0 = performance.now();
  held.clear();
  waits.clear();
  await upd.query("alter extension pgq update");
  const t1 = performance.now();
  await sleep(1000);
  sampling = false;
  stop = true;
  await Promise.all([producer, ticker, sampler]);

  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`\nalter extension pgq update (3.5 -> ${(await c.query("select extversion from pg_extension where extname = 'pgq'")).rows[0].extversion}): ${ms(t1 - t0)}`);
  console.log("\nlocks of the updating session on pgq's relations (first seen after its start; all held to commit;");
  console.log("a number is a relation the update creates or drops, which other sessions cannot name until it");
  console.log("commits: the new template and per-queue parents, the old ones, their TOAST tables):");
  for (const [k, v] of [...held].sort((x, y) => x[1].first - y[1].first)) console.log(`  +${ms(v.first).padStart(9)}  ${k}`);
  console.log("\nsessions waiting for a lock (sampled every ~1 ms):");
  if (waits.size === 0) console.log("  none");
  for (const [k, v] of [...waits].sort((x, y) => x[1].first - y[1].first)) {
    console.log(`  +${ms(v.first).padStart(9)} .. +${ms(v.last).padStart(9)} (${ms(v.last - v.first)})  ${k}`);
  }
  const during = prodLat.filter((l) => l.at + l.ms >= t0 && l.at <= t1).map((l) => l.ms);
  const before = prodLat.filter((l) => l.at + l.ms < t0).map((l) => l.ms);
  const after = prodLat.filter((l) => l.at > t1).map((l) => l.ms);
  console.log(`\nproducer (insert_event, one session): ${prodLat.length} calls`);
  console.log(`  before: p50 ${ms(pct(before, 0.5))}, max ${ms(Math.max(...before))}`);
  console.log(`  overlapping the update: ${during.length} calls, max ${ms(Math.max(0, ...during))}`);
  console.log(`  after: p50 ${ms(pct(after, 0.5))}, p99 ${ms(pct(after, 0.99))}, max ${ms(Math.max(0, ...after))}`);
  console.log(`ticker (pgq.ticker() every 100 ms): ${tickLat.length} calls, max ${ms(Math.max(...tickLat))}`);
  for (const x of [c, upd, prod, tick, samp]) await x.end();
} finally {
  sh(resolve(root, "scripts/pgcluster.sh"), ["stop", clusterDir], pgenv);
}
