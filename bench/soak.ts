// The chaos soak (issue #20): `make soak` (DURATION seconds, default 1800;
// SEED; POOLER transaction (default), session or none).  On a cluster of
// its own, through a PgBouncer of its own in POOLER mode, it runs as
// separate processes: producers (one-event, bulk and trigger transactions,
// one in 20 rolled back), pgq-runner, two Consumers (plain at least once,
// and exactly once through pgq_ext into a second database) and
// queue_splitter into that database; and a fault injector that, with a
// seeded generator, every 3 to 10 seconds SIGKILLs the runner, a consumer
// or the splitter (started again after a random delay), terminates a
// random session of the two databases, restarts the server (fast or
// immediate), holds a transaction open for minutes, makes the producers
// burst at ten times their rate, or sets statement_timeout low for the
// consumers for a while.  At the end: every committed event accounted for
// per consumer (plain at least once, its duplicates only from redelivered
// batches; pgq_ext and splitter exactly once), rolled-back events never
// delivered, event storage drained and bounded during the run, metadata
// tables small, lag back to zero within a minute of the last fault, no
// process left.  One line per fault; the summary goes to
// bench/results/soak-<time>.json.  Exit status 0 when every check passes.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { startPrivateCluster, type PrivateCluster } from "../test/support/cluster.js";
import { startPgBouncer, type PgBouncer } from "../test/support/pgbouncer.js";
import { rng } from "../test/support/rng.js";

const root = resolve(import.meta.dirname, "..");
const DURATION = Number(process.env.DURATION ?? 1800);
const SEED = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));
const POOLER = (process.env.POOLER ?? "transaction") as "transaction" | "session" | "none";
const RATE = Number(process.env.RATE ?? 10); // transactions per second per producer loop
if (!(DURATION > 0) || !["transaction", "session", "none"].includes(POOLER)) {
  process.stderr.write("soak: DURATION must be a number of seconds above 0, POOLER transaction, session or none\n");
  process.exit(2);
}
const rand = rng(SEED);
const uniform = (a: number, b: number) => a + (b - a) * rand();
const started = Date.now();
const elapsed = () => (Date.now() - started) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stamp = new Date(started).toISOString().replace(/:/g, "-").replace(/\..*/, "");
const work = mkdtempSync(join(tmpdir(), "pgq-soak."));
const logFile = createWriteStream(join(work, "soak.log"));
function log(msg: string): void {
  const line = `${new Date().toISOString().replace("T", " ").replace(/\..*/, "")} soak t=${elapsed().toFixed(1)}s: ${msg}`;
  process.stdout.write(`${line}\n`);
  logFile.write(`${line}\n`);
}

const QUEUE = "soak";
const CONSUMERS = ["soak_plain", "soak_eo", "soak_split"] as const;

let cluster: PrivateCluster;
let bouncer: PgBouncer | undefined;

/** A connection string for db, through the pooler unless POOLER is none. */
function conn(db: string, user = "postgres"): string {
  if (bouncer) return `host=${bouncer.host} port=${bouncer.port} user=${user} dbname=${db} sslmode=disable`;
  return `host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=${user} dbname=${db} sslmode=disable`;
}
const q = <T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []) => cluster.query<T>(db, text, params);

// ---- the processes, supervised: one that exits on its own is started again
class Proc {
  child: ChildProcess | undefined;
  killedByUs = false;
  stopping = false;
  restartTimer: NodeJS.Timeout | undefined;
  kills = 0;
  crashes = 0;
  constructor(readonly name: string, private readonly args: string[]) {}

  start(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const out = createWriteStream(join(work, `${this.name}.log`), { flags: "a" });
    const child = spawn(process.execPath, ["--import", "tsx", ...this.args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    this.child = child;
    this.killedByUs = false;
    child.on("exit", (code, signal) => {
      if (this.child !== child || this.stopping || this.killedByUs) return;
      this.crashes++;
      log(`${this.name} exited by itself (${signal ?? `code ${code}`}); starting it again in 1 s`);
      this.restartTimer = setTimeout(() => this.start(), 1000);
    });
  }

  kill(restartAfterMs: number): void {
    if (!this.child || this.child.exitCode !== null || this.restartTimer) return;
    this.killedByUs = true;
    this.kills++;
    this.child.kill("SIGKILL");
    this.restartTimer = setTimeout(() => this.start(), restartAfterMs);
  }

  signal(sig: NodeJS.Signals): void {
    if (this.child && this.child.exitCode === null) this.child.kill(sig);
  }

  /** SIGINT, then SIGKILL after graceMs; the exit code (null: killed). */
  async stop(graceMs = 30_000): Promise<number | null> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    const exit = new Promise<number | null>((r) => c.on("exit", (code) => r(code)));
    c.kill("SIGINT");
    const t = setTimeout(() => c.kill("SIGKILL"), graceMs);
    const code = await exit;
    clearTimeout(t);
    return code;
  }

  alive(): boolean {
    const c = this.child;
    if (!c?.pid || c.exitCode !== null || c.signalCode !== null) return false;
    try {
      process.kill(c.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

// ---- setup
async function setup(): Promise<void> {
  await cluster.createDb("soak_src");
  await cluster.createDb("soak_dst");
  await q("postgres", "create role soak_consumer login superuser");
  await q("soak_src", "select pgq.create_queue($1)", [QUEUE]);
  for (const [k, v] of [["ticker_max_lag", "1 second"], ["ticker_idle_period", "5 seconds"], ["rotation_period", "20 seconds"]]) {
    await q("soak_src", "select pgq.set_queue_config($1, $2, $3)", [QUEUE, k, v]);
  }
  await q("soak_src", "create table public.soak_ledger (k text primary key)");
  await q("soak_src", "create table public.soak_orders (id text primary key, qty int)");
  await q("soak_src", `create trigger soak_orders_q after insert on public.soak_orders
      for each row execute procedure pgq.jsontriga('${QUEUE}', 'ev_extra1=''part_c''')`);
  for (const c of CONSUMERS) await q("soak_src", "select pgq.register_consumer($1, $2)", [QUEUE, c]);
  await q("soak_dst", "create extension pgq_ext");
  for (const t of ["part_a", "part_b", "part_c"]) await q("soak_dst", "select pgq.create_queue($1)", [t]);
  for (const t of ["soak_plain", "soak_eo"]) await q("soak_dst", `create table public.${t} (batch_id bigint, ev_id bigint, k text)`);
}

function ini(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, body);
  return path;
}

// ---- faults
interface Fault { n: number; t: number; kind: string; detail: string }
const faults: Fault[] = [];
function fault(kind: string, detail: string): void {
  const f = { n: faults.length + 1, t: Number(elapsed().toFixed(1)), kind, detail };
  faults.push(f);
  log(`FAULT #${f.n} ${kind}: ${detail}`);
}

let longTx: pg.Client | undefined;
let longTxTimer: NodeJS.Timeout | undefined;
let burstTimer: NodeJS.Timeout | undefined;
let timeoutTimer: NodeJS.Timeout | undefined;

/** Terminates the sessions of the two databases that match `where`; says which. */
async function terminateSessions(where: string): Promise<string[]> {
  const rows = await q<{ pid: number; app: string; db: string }>("postgres", `
      select pid, application_name as app, datname as db from pg_catalog.pg_stat_activity
       where datname in ('soak_src', 'soak_dst') and backend_type = 'client backend' and pid <> pg_catalog.pg_backend_pid()
         and application_name not like 'soak-admin%' and ${where} order by pid`);
  for (const r of rows) await q("postgres", "select pg_catalog.pg_terminate_backend($1)", [r.pid]);
  return rows.map((r) => `${r.db}/${r.app || "?"}/${r.pid}`);
}

async function endLongTx(): Promise<void> {
  clearTimeout(longTxTimer);
  const c = longTx;
  longTx = undefined;
  if (c) await c.query("rollback").then(() => c.end()).catch(() => undefined);
}

async function endTimeout(): Promise<void> {
  clearTimeout(timeoutTimer);
  timeoutTimer = undefined;
  await q("postgres", "alter role soak_consumer reset statement_timeout");
  await terminateSessions("usename = 'soak_consumer'");
}

async function inject(procs: Record<string, Proc>, scale: number): Promise<void> {
  const kinds: Array<[string, number]> = [
    ["kill_runner", 11], ["kill_plain", 11], ["kill_eo", 11], ["kill_splitter", 11], ["terminate_session", 22],
    ["restart_fast", 3], ["restart_immediate", 3], ["long_transaction", 4], ["burst", 7], ["statement_timeout", 7],
  ];
  const total = kinds.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  let kind = kinds[0]![0];
  for (const [k, w] of kinds) {
    if ((x -= w) < 0) {
      kind = k;
      break;
    }
  }
  // a second one of a lasting fault while the first lasts: a session terminated instead
  if ((kind === "long_transaction" && longTx) || (kind === "burst" && burstTimer) || (kind === "statement_timeout" && timeoutTimer)) {
    kind = "terminate_session";
  }
  const delay = uniform(200, 5000);
  switch (kind) {
    case "kill_runner": case "kill_plain": case "kill_eo": case "kill_splitter": {
      const p = procs[kind.slice(5)]!;
      if (p.restartTimer) {
        fault(kind, `${p.name} is down already; nothing done`);
        return;
      }
      p.kill(delay);
      fault(kind, `SIGKILL ${p.name}, started again in ${(delay / 1000).toFixed(1)} s`);
      return;
    }
    case "terminate_session": {
      const rows = await q<{ pid: number; app: string; db: string }>("postgres", `
          select pid, application_name as app, datname as db from pg_catalog.pg_stat_activity
           where datname in ('soak_src', 'soak_dst') and backend_type = 'client backend'
             and pid <> pg_catalog.pg_backend_pid() and application_name not like 'soak-admin%' order by pid`);
      if (rows.length === 0) {
        fault(kind, "no session to terminate");
        return;
      }
      const r = rows[Math.floor(rand() * rows.length)]!;
      await q("postgres", "select pg_catalog.pg_terminate_backend($1)", [r.pid]);
      fault(kind, `pg_terminate_backend(${r.pid}): ${r.db}, ${r.app || "no application_name"}`);
      return;
    }
    case "restart_fast": case "restart_immediate": {
      const mode = kind === "restart_fast" ? "fast" : "immediate";
      fault(kind, `pg_ctl restart -m ${mode}`);
      const t0 = Date.now();
      cluster.restart(mode);
      longTx = undefined;
      clearTimeout(longTxTimer);
      log(`server back after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return;
    }
    case "long_transaction": {
      const holdS = Math.min(uniform(60, 180), Math.max(10, DURATION / 6)) * scale;
      const c = new pg.Client({ ...cluster.config("soak_src"), application_name: "soak-admin-longtx" });
      c.on("error", () => { if (longTx === c) longTx = undefined; });
      await c.connect();
      await c.query("begin");
      const txid = (await c.query("select pg_catalog.txid_current() as x")).rows[0].x as string;
      longTx = c;
      longTxTimer = setTimeout(() => {
        if (longTx !== c) return;
        log(`long transaction ${txid} ends`);
        void endLongTx();
      }, holdS * 1000);
      fault(kind, `transaction ${txid} held open for ${holdS.toFixed(0)} s`);
      return;
    }
    case "burst": {
      const s = uniform(10, 30);
      procs.producer!.signal("SIGUSR1");
      burstTimer = setTimeout(() => {
        procs.producer!.signal("SIGUSR2");
        burstTimer = undefined;
        log("burst ends");
      }, s * 1000);
      fault(kind, `producers at 10x their rate for ${s.toFixed(0)} s`);
      return;
    }
    case "statement_timeout": {
      const ms = Math.round(uniform(2, 20));
      const s = uniform(10, 40);
      await q("postgres", `alter role soak_consumer set statement_timeout = '${ms}ms'`);
      const gone = await terminateSessions("usename = 'soak_consumer'");
      timeoutTimer = setTimeout(() => {
        log("statement_timeout of the consumers back to the default");
        void endTimeout().catch((err: unknown) => log(`resetting statement_timeout: ${String(err)}`));
      }, s * 1000);
      fault(kind, `statement_timeout ${ms} ms for the consumers' sessions for ${s.toFixed(0)} s (${gone.length} sessions reconnect)`);
      return;
    }
  }
}

// ---- measurements
interface Sample { t: number; rows: number; bytes: number; maxLag: number }
const samples: Sample[] = [];
let queueId = 0;

async function storage(): Promise<{ rows: number; bytes: number }> {
  const r = await q<{ rows: string; bytes: string }>("soak_src", `
      select (select count(*) from pgq.event_template e where e.ev_queue = $1)::text as rows,
             (select coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0) from pg_catalog.pg_class c
               join pg_catalog.pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'pgq' and c.relkind = 'r' and c.relname like 'event\\_' || $1 || '\\_%')::text as bytes`, [queueId]);
  return { rows: Number(r[0]!.rows), bytes: Number(r[0]!.bytes) };
}

async function consumerState(): Promise<{ name: string; lag: number; pending: number; batch: string | null; lastTick: string }[]> {
  return (await q<{ name: string; lag: number; pending: string; batch: string | null; last_tick: string }>("soak_src", `
      select consumer_name as name, extract(epoch from lag)::float8 as lag, coalesce(pending_events, 0)::text as pending,
             current_batch::text as batch, last_tick::text from pgq.get_consumer_info($1)`, [QUEUE]))
    .map((r) => ({ name: r.name, lag: r.lag, pending: Number(r.pending), batch: r.batch, lastTick: r.last_tick }));
}

async function sample(): Promise<void> {
  try {
    const s = await storage();
    const c = await consumerState();
    samples.push({ t: Number(elapsed().toFixed(1)), ...s, maxLag: Math.max(0, ...c.map((x) => x.lag)) });
  } catch {
    // the server is restarting
  }
}

// ---- the end checks
function keyOf(data: string | null): string {
  if (data === null) return "";
  return data.startsWith("{") ? String((JSON.parse(data) as { id: string }).id) : data;
}

interface Delivery { missing: number; unknown: number; duplicates: number; redeliveredBatches?: number; crossBatchDuplicates?: number; examples: string[] }

function account(ledger: Set<string>, rows: { batch_id?: string; k: string }[]): Delivery {
  const seen = new Map<string, Set<string>>();
  let duplicates = 0;
  for (const r of rows) {
    const b = seen.get(r.k);
    if (b) {
      duplicates++;
      b.add(r.batch_id ?? "");
    } else seen.set(r.k, new Set([r.batch_id ?? ""]));
  }
  const missing = [...ledger].filter((k) => !seen.has(k));
  const unknown = [...seen.keys()].filter((k) => !ledger.has(k));
  const dupBatches = new Set<string>();
  let cross = 0;
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.batch_id}\u0000${r.k}`, (counts.get(`${r.batch_id}\u0000${r.k}`) ?? 0) + 1);
  for (const [key, n] of counts) if (n > 1) dupBatches.add(key.split("\u0000")[0]!);
  for (const b of seen.values()) if (b.size > 1) cross++;
  return {
    missing: missing.length, unknown: unknown.length, duplicates,
    redeliveredBatches: dupBatches.size, crossBatchDuplicates: cross,
    examples: [...missing.slice(0, 3).map((k) => `missing ${k}`), ...unknown.slice(0, 3).map((k) => `unknown ${k}`)],
  };
}

async function main(): Promise<number> {
  log(`seed ${SEED}, duration ${DURATION} s, pooler ${POOLER}, ${RATE} transactions/s per producer loop; work directory ${work}`);
  cluster = startPrivateCluster();
  await setup();
  queueId = Number((await q<{ id: number }>("soak_src", "select queue_id as id from pgq.queue where queue_name = $1", [QUEUE]))[0]!.id);
  if (POOLER !== "none") {
    bouncer = await startPgBouncer({ serverHost: cluster.env.PGHOST, serverPort: cluster.env.PGPORT, mode: POOLER,
      poolSize: 10, users: ["soak_consumer"] });
    log(`pgbouncer (${POOLER} mode) on port ${bouncer.port}`);
  }
  const pooler = POOLER === "none" ? "none" : POOLER;
  const runnerIni = ini("runner.ini", `[pgq-runner]
base_connstr = ${conn("soak_src").replace(/ dbname=\S+/, "")}
database_list = soak_src
ticker_period = 0.5
maint_period = 5
retry_period = 5
stats_period = 60
pooler = ${pooler}
`);
  const splitIni = ini("split.ini", `[queue_splitter3]
job_name = soak_split
src_db = ${conn("soak_src")}
dst_db = ${conn("soak_dst")}
pgq_queue_name = ${QUEUE}
loop_delay = 0.2
pooler = ${pooler}
`);
  const worker = (role: string, cfg: object) => ["bench/soak-worker.ts", role, JSON.stringify(cfg)];
  const consumerCfg = (mode: "plain" | "eo") => ({ conn: conn("soak_src", "soak_consumer"), target: conn("soak_dst", "soak_consumer"),
    pooler, queue: QUEUE, consumer: `soak_${mode}`, mode });
  const procs: Record<string, Proc> = {
    producer: new Proc("producer", worker("producer", { conn: conn("soak_src"), pooler, queue: QUEUE, rate: RATE })),
    runner: new Proc("runner", ["src/cli/pgq-runner.ts", runnerIni]),
    plain: new Proc("plain", worker("consumer", consumerCfg("plain"))),
    eo: new Proc("eo", worker("consumer", consumerCfg("eo"))),
    splitter: new Proc("splitter", ["src/cli/queue_splitter.ts", splitIni]),
  };
  const summary: Record<string, unknown> = { date: new Date(started).toISOString(), seed: SEED, duration_s: DURATION, pooler: POOLER,
    rate_tx_per_s_per_loop: RATE };
  const checks: Record<string, boolean> = {};
  let failed = false;
  try {
    for (const p of Object.values(procs)) p.start();
    log("processes started: producer, pgq-runner, plain and exactly-once consumers, queue_splitter");
    const end = started + DURATION * 1000;
    const sampler = setInterval(() => void sample(), 5000);
    const scale = DURATION >= 600 ? 1 : 0.5;
    while (Date.now() < end) {
      await sleep(Math.min(uniform(3000, 10_000), Math.max(0, end - Date.now())));
      if (Date.now() >= end) break;
      try {
        await inject(procs, scale);
      } catch (err) {
        log(`fault injection failed: ${String(err)}`);
      }
    }
    // ---- the end: every fault over, every process up
    log(`run over after ${faults.length} faults; ending the lasting ones`);
    await endLongTx();
    if (burstTimer) {
      clearTimeout(burstTimer);
      burstTimer = undefined;
      procs.producer!.signal("SIGUSR2");
    }
    if (timeoutTimer) await endTimeout().catch(() => undefined);
    for (const p of Object.values(procs)) if (p.restartTimer) p.start();
    const lastFault = Date.now();
    const prodExit = await procs.producer!.stop();
    log(`producer stopped (exit ${prodExit})`);
    const stoppedAt = Date.now();
    // caught up: every consumer past a tick made after the producers stopped, no batch open
    await sleep(1500);
    const target = (await q<{ t: string }>("soak_src", "select pgq.force_tick($1)::text as t", [QUEUE]))[0]!.t;
    let caughtUp: number | undefined;
    while (Date.now() - stoppedAt < 240_000) {
      try {
        const st = await consumerState();
        if (st.length === 3 && st.every((c) => c.batch === null && BigInt(c.lastTick) > BigInt(target))) {
          caughtUp = Date.now();
          break;
        }
      } catch {
        // restarting
      }
      await sleep(250);
    }
    const recovery = caughtUp === undefined ? null : (caughtUp - lastFault) / 1000;
    log(caughtUp === undefined ? "consumers did NOT catch up within 4 minutes" : `consumers caught up ${recovery!.toFixed(1)} s after the last fault`);
    // storage drains as rotation recycles the tables
    let drained: { rows: number; bytes: number } = await storage();
    const drainStart = Date.now();
    while (drained.rows > 0 && Date.now() - drainStart < 180_000) {
      await sleep(2000);
      drained = await storage();
    }
    log(`event storage after the run: ${drained.rows} rows, ${drained.bytes} bytes (${((Date.now() - drainStart) / 1000).toFixed(0)} s after catching up)`);
    clearInterval(sampler);
    const exits: Record<string, number | null> = {};
    for (const [name, p] of Object.entries(procs)) if (name !== "producer") exits[name] = await p.stop();
    log(`processes stopped: ${Object.entries(exits).map(([k, v]) => `${k} ${v}`).join(", ")}`);

    // ---- accounting
    const ledger = new Set((await q<{ k: string }>("soak_src", "select k from public.soak_ledger")).map((r) => r.k));
    const plainRows = await q<{ batch_id: string; k: string }>("soak_dst", "select batch_id::text, k from public.soak_plain");
    const eoRows = await q<{ batch_id: string; k: string }>("soak_dst", "select batch_id::text, k from public.soak_eo");
    const splitRows = (await q<{ d: string | null }>("soak_dst", "select ev_data as d from pgq.event_template")).map((r) => ({ k: keyOf(r.d) }));
    const plain = account(ledger, plainRows);
    const eo = account(ledger, eoRows);
    const split = account(ledger, splitRows);
    const abortedDelivered = [...plainRows, ...eoRows, ...splitRows].filter((r) => r.k.startsWith("x")).length;
    const meta = (await q<Record<string, string>>("soak_src", `
        select (select count(*) from pgq.tick t where t.tick_queue = $1)::text as ticks,
               (select count(*) from pgq.subscription)::text as subscriptions,
               (select count(*) from pgq.retry_queue)::text as retry_queue,
               (select count(*) from pgq.consumer)::text as consumer_rows`, [queueId]))[0]!;
    const ext = (await q<{ n: string }>("soak_dst", `
        select ((select count(*) from pgq_ext.completed_batch) + (select count(*) from pgq_ext.completed_tick)
                + (select count(*) from pgq_ext.partial_batch) + (select count(*) from pgq_ext.completed_event))::text as n`))[0]!.n;
    const byKind: Record<string, number> = {};
    for (const f of faults) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    const peak = samples.reduce((m, s) => (s.bytes > m.bytes ? s : m), { t: 0, rows: 0, bytes: 0, maxLag: 0 });
    const peakRows = Math.max(0, ...samples.map((s) => s.rows));
    const peakLag = Math.max(0, ...samples.map((s) => s.maxLag));
    const left = Object.values(procs).filter((p) => p.alive()).map((p) => p.name);

    checks.faults_at_least_200_per_30_min = faults.length >= Math.floor((200 * DURATION) / 1800);
    checks.plain_every_event_at_least_once = plain.missing === 0 && plain.unknown === 0;
    checks.plain_duplicates_only_from_redelivered_batches = plain.crossBatchDuplicates === 0;
    checks.exactly_once_pgq_ext = eo.missing === 0 && eo.unknown === 0 && eo.duplicates === 0;
    checks.exactly_once_splitter = split.missing === 0 && split.unknown === 0 && split.duplicates === 0;
    checks.rolled_back_never_delivered = abortedDelivered === 0;
    checks.lag_zero_within_a_minute_of_last_fault = recovery !== null && recovery <= 60;
    checks.storage_drained = drained.rows === 0;
    checks.metadata_small = Number(meta.ticks) <= 2000 && Number(meta.retry_queue) === 0 && Number(meta.subscriptions) === 3
      && Number(ext) <= 10;
    checks.no_process_left = left.length === 0;
    failed = Object.values(checks).includes(false);
    Object.assign(summary, {
      faults_total: faults.length, faults_by_kind: byKind,
      events_committed: ledger.size,
      consumers: { plain, exactly_once: eo, splitter: split },
      rolled_back_delivered: abortedDelivered,
      storage: { peak_bytes: peak.bytes, peak_at_s: peak.t, peak_rows: peakRows, end_rows: drained.rows, end_bytes: drained.bytes },
      lag: { peak_s: Number(peakLag.toFixed(1)), recovery_after_last_fault_s: recovery },
      metadata: { ...Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Number(v)])), pgq_ext_rows: Number(ext) },
      processes: { kills: Object.fromEntries(Object.values(procs).map((p) => [p.name, p.kills])),
        exited_by_themselves: Object.fromEntries(Object.values(procs).map((p) => [p.name, p.crashes])), exit_codes: exits, left },
      checks, passed: !failed, faults,
    });
    log(`events committed ${ledger.size}; plain: ${plain.missing} missing, ${plain.duplicates} duplicates from ${plain.redeliveredBatches} redelivered batches;`
      + ` exactly once: ${eo.missing} missing, ${eo.duplicates} duplicates; splitter: ${split.missing} missing, ${split.duplicates} duplicates;`
      + ` rolled back but delivered: ${abortedDelivered}`);
    log(`faults ${faults.length} (${Object.entries(byKind).map(([k, v]) => `${k} ${v}`).join(", ")})`);
    log(`storage peak ${(peak.bytes / 1048576).toFixed(1)} MiB (${peakRows} rows), at the end ${drained.rows} rows; peak lag ${peakLag.toFixed(1)} s;`
      + ` ticks ${meta.ticks}, retry_queue ${meta.retry_queue}, pgq_ext rows ${ext}`);
    for (const [k, v] of Object.entries(checks)) log(`${v ? "PASS" : "FAIL"} ${k}`);
  } finally {
    for (const p of Object.values(procs)) {
      p.stopping = true;
      clearTimeout(p.restartTimer);
      if (p.alive()) p.child!.kill("SIGKILL");
    }
    await endLongTx();
    bouncer?.stop();
    cluster.stop();
    mkdirSync(join(root, "bench/results"), { recursive: true });
    const out = join(root, "bench/results", `soak-${stamp}-${DURATION}s.json`);
    writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
    log(`summary: ${out}; process logs in ${work}`);
  }
  log(failed ? "soak FAILED" : "soak passed");
  return failed ? 1 : 0;
}

main().then((code) => {
  logFile.end(() => process.exit(code));
}, (err: unknown) => {
  log(`soak: ${err instanceof Error ? err.stack : String(err)}`);
  logFile.end(() => process.exit(1));
});
