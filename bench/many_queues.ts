// Many queues (issue #22): what a database with 1 to 10 000 queues costs,
// ours beside PgQ 3.5's C version in the same cluster, both grown to the
// same number of queues (each size adds to the last):
//   - a new session's first insert_event, first next_batch and first
//     get_batch_events (the connection is made first and not timed; each in
//     a transaction rolled back, so every sample finds the same state);
//   - one-event transactions that each open a connection (pgbench -C,
//     2 clients): tx/s;
//   - ticker() over idle queues (nothing due) and busy ones (every queue
//     has a new event and ticks; the statement that adds them is not timed);
//   - get_queue_info(), maint_operations() and pgqadm status's one query
//     (sql.observe; against PgQ 3.5 too): ms per call.
// Queue mqc has a consumer with a batch of 10 events ready; the producers
// write into it.  Medians; samples alternate between the systems.
//
//   npx tsx bench/many_queues.ts [--quick]   (--quick stops at 1000 queues)
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { resolve } from "node:path";
import { client, dropDb, fail, freshDb, here, median, quick, record, referenceDb } from "./lib.js";
import { readState } from "../src/observe.js";

const SIZES = quick ? [1, 10, 100, 1000] : [1, 10, 100, 1000, 10000];
const SAMPLES = quick ? 5 : 15;
const CONNECT_SECS = quick ? 3 : 8;
/** ticker rounds per system: its figures swing most on a busy machine */
const ROUNDS = quick ? 3 : 5;
const DBS: Record<"ours" | "c", string> = { ours: "bench_mq_ours", c: "bench_mq_c" };
type Sys = keyof typeof DBS;
const SYSTEMS: Sys[] = ["ours", "c"];

async function q(db: string, ...statements: string[]): Promise<void> {
  const c = await client(db);
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

/** ms of each statement, in a new session's one transaction (rolled back). */
async function firstCalls(db: string, statements: ((prev: unknown) => [string, unknown[]])[]): Promise<number[]> {
  const c = await client(db);
  const out: number[] = [];
  try {
    await c.query("begin");
    let prev: unknown = null;
    for (const st of statements) {
      const [text, params] = st(prev);
      const t0 = performance.now();
      const r = await c.query(text, params);
      out.push(performance.now() - t0);
      prev = Object.values(r.rows[0] ?? {})[0];
    }
    await c.query("rollback");
  } finally {
    await c.end();
  }
  return out;
}

/**
 * pgbench against db: its output.  With -C on a busy machine a client may
 * now and then fail to connect (pgbench exits 2): its figures still count
 * when it printed them.
 */
function pgbench(db: string, script: string, args: string[]): string {
  try {
    return execFileSync("sh", ["-c", `f=$(mktemp); printf '%s\\n' "$1" > "$f"; shift; pgbench -n "$@" -f "$f"; r=$?; rm -f "$f"; exit $r`,
      "sh", script, ...args, db], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    if (e.stdout && /tps = /.test(e.stdout)) {
      console.error(`many queues: pgbench ${args.join(" ")} ${db}: ${(e.stderr ?? "").trim().split("\n").slice(-1)[0]}`);
      return e.stdout;
    }
    throw err;
  }
}
const latency = (out: string) => Number(/latency average = ([0-9.]+) ms/.exec(out)![1]);
const tps = (out: string) => Number(/tps = ([0-9.]+)/.exec(out)![1]);
/** pgbench -r: the latency of the statement that starts with prefix */
const stmtLatency = (out: string, prefix: string) =>
  Number(out.split("\n").find((l) => l.trim().split(/\s+/).slice(2).join(" ").startsWith(prefix))!.trim().split(/\s+/)[0]);

async function grow(db: string, from: number, to: number): Promise<void> {
  // 50 a transaction: a queue holds dozens of locks until its transaction ends
  for (let i = from + 1; i <= to; i += 50) {
    await q(db, `select pgq.create_queue('mq' || g) from generate_series(${i}, ${Math.min(to, i + 49)}) g`);
  }
}

/** mqc's consumer afresh, with one batch of 10 events ready. */
async function resetConsumer(db: string): Promise<void> {
  await q(db,
    "select pgq.unregister_consumer('mqc', 'c') from pgq.get_consumer_info('mqc') where consumer_name = 'c'",
    "select pgq.register_consumer('mqc', 'c')",
    "select pgq.insert_event('mqc', 't', 'd' || g) from generate_series(1, 10) g",
    "select pgq.force_tick('mqc')",
    "select pgq.ticker('mqc')");
}

const rows: string[] = [];
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
function row(label: string, key: string, o: number, c: number): void {
  record(key, "ours", o);
  record(key, "c", c);
  rows.push(`| ${label} | ${fmt(o)} | ${fmt(c)} | ${(o / c).toFixed(2)} |`);
}

async function main(): Promise<void> {
  await freshDb(DBS.ours);
  // this checkout's plain script (the same objects as CREATE EXTENSION),
  // whatever another checkout installed into the server's share directory
  execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", DBS.ours, "-f", resolve(here, "../extension/pgq.sql")],
    { stdio: ["ignore", "ignore", "inherit"] });
  referenceDb(DBS.c, "c");
  for (const s of SYSTEMS) await q(DBS[s], "select pgq.create_queue('mqc')");
  let have = 1;
  for (const n of SIZES) {
    const t0 = performance.now();
    for (const s of SYSTEMS) await grow(DBS[s], have, n);
    have = n;
    for (const s of SYSTEMS) await resetConsumer(DBS[s]);
    console.error(`many queues: ${n} queues (${((performance.now() - t0) / 1000).toFixed(0)} s to create)`);
    rows.push(`| **${n} queue${n > 1 ? "s" : ""}** | | | |`);

    // a new session's first calls
    const ins: Record<Sys, number[]> = { ours: [], c: [] };
    const nb: Record<Sys, number[]> = { ours: [], c: [] };
    const gbe: Record<Sys, number[]> = { ours: [], c: [] };
    for (let i = 0; i < SAMPLES; i++) {
      for (const s of i % 2 ? [...SYSTEMS].reverse() : SYSTEMS) {
        ins[s].push((await firstCalls(DBS[s], [() => ["select pgq.insert_event('mqc', 't', 'first')", []]]))[0]!);
        const [a, b] = await firstCalls(DBS[s], [
          () => ["select pgq.next_batch('mqc', 'c')", []],
          (id) => ["select count(*) from pgq.get_batch_events($1)", [id]],
        ]);
        nb[s].push(a!);
        gbe[s].push(b!);
      }
    }
    row(`a new session's first insert_event (ms)`, `mq_first_insert_${n}`, median(ins.ours), median(ins.c));
    row(`a new session's first next_batch (ms)`, `mq_first_next_batch_${n}`, median(nb.ours), median(nb.c));
    row(`... then its first get_batch_events (ms)`, `mq_first_batch_events_${n}`, median(gbe.ours), median(gbe.c));

    // a connection per one-event transaction
    const tx: Record<Sys, number[]> = { ours: [], c: [] };
    for (const s of SYSTEMS) {
      tx[s].push(tps(pgbench(DBS[s], "select pgq.insert_event('mqc', 't', 'd');", ["-C", "-c", "2", "-j", "2", "-T", String(CONNECT_SECS)])));
    }
    for (const s of [...SYSTEMS].reverse()) {
      tx[s].push(tps(pgbench(DBS[s], "select pgq.insert_event('mqc', 't', 'd');", ["-C", "-c", "2", "-j", "2", "-T", String(CONNECT_SECS)])));
    }
    const txo = tx.ours.reduce((a, b) => a + b) / 2, txc = tx.c.reduce((a, b) => a + b) / 2;
    row(`one-event transactions, a connection each, 2 clients (tx/s)`, `mq_connect_tx_${n}`, txo, txc);

    // ticker(): idle queues, then busy ones
    const calls = Math.max(5, Math.min(quick ? 50 : 200, Math.round(20000 / n)));
    for (const s of SYSTEMS) {
      await q(DBS[s], "update pgq.queue set queue_ticker_idle_period = '1 hour', queue_ticker_max_lag = '1 hour'",
        "select pgq.ticker()", "select pgq.ticker()");
    }
    const idle: Record<Sys, number[]> = { ours: [], c: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 ? [...SYSTEMS].reverse() : SYSTEMS) idle[s].push(latency(pgbench(DBS[s], "select pgq.ticker();", ["-t", String(calls)])));
    }
    row(`ticker(), idle queues (ms/call)`, `mq_ticker_idle_${n}`, median(idle.ours), median(idle.c));
    // every queue ticking in one transaction locks every queue's two
    // sequences: 10 000 queues need more than the default lock table
    // (max_locks_per_transaction 64 x max_connections), for PgQ as for ours
    if (n > 1000) {
      rows.push(`| ticker(), busy queues | not run: 20 000 sequence locks in one transaction | | |`);
    } else {
      for (const s of SYSTEMS) await q(DBS[s], "update pgq.queue set queue_ticker_max_lag = '0'");
      const busyCalls = Math.max(3, Math.min(quick ? 10 : 100, Math.round(3000 / n)));
      const busy: Record<Sys, number[]> = { ours: [], c: [] };
      const busyScript = "select count(pgq.insert_event(queue_name, 't', 'd')) from pgq.queue;\nselect pgq.ticker();";
      for (let r = 0; r < ROUNDS; r++) {
        for (const s of r % 2 ? [...SYSTEMS].reverse() : SYSTEMS) {
          busy[s].push(stmtLatency(pgbench(DBS[s], busyScript, ["-r", "-t", String(busyCalls)]), "select pgq.ticker()"));
        }
      }
      row(`ticker(), busy queues: every queue ticks (ms/call)`, `mq_ticker_busy_${n}`, median(busy.ours), median(busy.c));
      for (const s of SYSTEMS) await q(DBS[s], "update pgq.queue set queue_ticker_max_lag = '1 hour'");
    }

    // status and maintenance
    const infoCalls = Math.max(3, Math.min(50, Math.round(5000 / n)));
    const info: Record<Sys, number> = { ours: 0, c: 0 };
    const maint: Record<Sys, number> = { ours: 0, c: 0 };
    const status: Record<Sys, number[]> = { ours: [], c: [] };
    for (const s of SYSTEMS) {
      info[s] = latency(pgbench(DBS[s], "select count(*) from pgq.get_queue_info();", ["-t", String(infoCalls)]));
      maint[s] = latency(pgbench(DBS[s], "select count(*) from pgq.maint_operations();", ["-t", String(infoCalls)]));
      const c = await client(DBS[s]);
      try {
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          await readState(c as unknown as pg.Client);
          status[s].push(performance.now() - t);
        }
      } finally {
        await c.end();
      }
    }
    row(`get_queue_info() (ms/call)`, `mq_queue_info_${n}`, info.ours, info.c);
    row(`maint_operations() (ms/call)`, `mq_maint_ops_${n}`, maint.ours, maint.c);
    row(`pgqadm status: its query, sql.observe (ms/call)`, `mq_status_${n}`, median(status.ours), median(status.c));
  }
  for (const s of SYSTEMS) await dropDb(DBS[s]);

  console.log(`| queues / what | pgq (ours) | PgQ 3.5 C | ours/C |`);
  console.log(`|---|---:|---:|---:|`);
  for (const r of rows) console.log(r);
}

main().catch(fail("many_queues"));
