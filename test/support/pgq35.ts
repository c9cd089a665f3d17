// The real PgQ 3.5 and its clients for tests (scripts/pgq35.sh): a PostgreSQL
// prefix whose pgq is Debian's C PgQ 3.5, the unpacked pgqd, and the
// unpacked python3-pgq with test/support/pgq_recorder.py as its consumer.
// Nothing is skipped: when a package cannot be fetched the test fails and
// says which step did.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type pg from "pg";
import type { PrivateCluster } from "./cluster.js";

const root = resolve(import.meta.dirname, "../..");
const script = resolve(root, "scripts/pgq35.sh");

/** Runs scripts/pgq35.sh; its last output line, or an error naming the step. */
export function pgq35(...args: string[]): string {
  try {
    const out = execFileSync(script, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.trim().split("\n").pop() ?? "";
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `scripts/pgq35.sh ${args.join(" ")} failed: PgQ 3.5 for this test (Debian's postgresql-15-pgq3, ` +
        `pgqd, python3-pgq, python3-skytools via apt-get download; python3-psycopg2 via apt-get install) ` +
        `could not be set up:\n${err.stderr || err.message}`,
    );
  }
}

export interface Daemon {
  child: ChildProcess;
  output(): string;
  /** SIGINT (both stop cleanly on it), then SIGKILL after a grace period. */
  stop(): Promise<number | null>;
}

function daemon(cmd: string, args: string[], env: NodeJS.ProcessEnv): Daemon {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT");
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        const code = await exit;
        clearTimeout(t);
        return code;
      }
      return exit;
    },
  };
}

const connstr = (c: PrivateCluster) => `host=${c.env.PGHOST} port=${c.env.PGPORT} user=${c.env.PGUSER}`;

/** Debian's pgqd on the given databases, ticking every 0.2 s, maintenance and retries every second. */
export function startPgqd(dir: string, cluster: PrivateCluster, databases: string[]): Daemon {
  const cfg = join(dir, "pgqd.ini");
  writeFileSync(cfg, `[pgqd]
base_connstr = ${connstr(cluster)}
database_list = ${databases.join(",")}
logfile = ${join(dir, "pgqd.log")}
pidfile = ${join(dir, "pgqd.pid")}
syslog = 0
ticker_period = 0.2
maint_period = 1
retry_period = 1
check_period = 1
stats_period = 60
`);
  return daemon(pgq35("pgqd"), ["-v", cfg], {});
}

/**
 * python3-pgq's Consumer (test/support/pgq_recorder.py) as `consumer` on
 * `queue`, recording each event it processes into `table` in the batch's
 * own transaction.
 */
export function startRecorder(dir: string, cluster: PrivateCluster, db: string, queue: string, consumer: string, table: string): Daemon {
  const cfg = join(dir, `${consumer}.ini`);
  writeFileSync(cfg, `[pgq_recorder]
job_name = ${consumer}
db = ${connstr(cluster)} dbname=${db}
queue_name = ${queue}
consumer_name = ${consumer}
record_table = ${table}
logfile = ${join(dir, `${consumer}.log`)}
pidfile = ${join(dir, `${consumer}.pid`)}
loop_delay = 0.1
exception_sleep = 0.5
`);
  return daemon("/usr/bin/python3", [resolve(root, "test/support/pgq_recorder.py"), cfg], { PYTHONPATH: pgq35("python") });
}

/** The table startRecorder writes into. */
export const RECORD_TABLE_DDL = `create table seen (
    consumer text not null, batch_id bigint not null, ev_id bigint not null,
    ev_type text, ev_data text, ev_extra1 text)`;

// ---- queue work, the same on PgQ 3.5 and on ours

export async function one<T = string>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const r = await c.query(sql, params);
  return Object.values(r.rows[0] as Record<string, unknown>)[0] as T;
}

export async function insert(c: pg.Client, queue: string, tag: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    await c.query("select pgq.insert_event($1, 'ev', $2)", [queue, `${tag}-${i}`]);
    out.push(`${tag}-${i}`);
  }
  return out;
}

export async function tick(c: pg.Client, queue: string): Promise<void> {
  await c.query("select pgq.force_tick($1)", [queue]);
  await c.query("select pgq.ticker($1)", [queue]);
}

export async function batch(c: pg.Client, queue: string, consumer: string, finish = true) {
  const id = await one<string | null>(c, "select pgq.next_batch($1, $2)", [queue, consumer]);
  if (id === null) return null;
  const r = await c.query<{ ev_id: string; ev_type: string; ev_data: string }>(
    "select ev_id, ev_type, ev_data from pgq.get_batch_events($1)", [id]);
  if (finish) await c.query("select pgq.finish_batch($1)", [id]);
  // events of insert_event (not of the triggers)
  const own = r.rows.filter((x) => x.ev_type === "ev" || x.ev_type === "prod");
  return { id, data: own.map((x) => x.ev_data), ids: own.map((x) => x.ev_id) };
}

export async function drain(c: pg.Client, queue: string, consumer: string): Promise<string[]> {
  const got: string[] = [];
  for (let b = await batch(c, queue, consumer); b; b = await batch(c, queue, consumer)) got.push(...b.data);
  return got;
}

export async function rotate(c: pg.Client, queue: string): Promise<void> {
  const before = await one<number>(c, "select queue_cur_table from pgq.queue where queue_name = $1", [queue]);
  await c.query("select pgq.maint_rotate_tables_step1($1)", [queue]);
  await c.query("select pgq.maint_rotate_tables_step2()");
  const after = await one<number>(c, "select queue_cur_table from pgq.queue where queue_name = $1", [queue]);
  if (after === before) throw new Error(`rotation of ${queue} did not happen`);
}

export const sorted = (xs: string[]) => [...xs].sort();

/** A producer in its own session: insert_event in a loop, and every tenth round a row into each trigger table. */
export function startProducer(c: pg.Client) {
  const committed: string[] = [];
  const rows: number[] = [];
  const latencies: { at: number; ms: number }[] = [];
  const errors: string[] = [];
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      const t0 = performance.now();
      try {
        await c.query("select pgq.insert_event('q_main', 'prod', $1)", [`p-${i}`]);
        committed.push(`p-${i}`);
        if (i % 10 === 0) {
          await c.query("insert into orders (id, item) values ($1, 'book')", [1000 + i]);
          await c.query("insert into accounts (id, owner) values ($1, 'ann')", [1000 + i]);
          rows.push(1000 + i);
        }
      } catch (e) {
        errors.push((e as Error).message);
      }
      latencies.push({ at: t0, ms: performance.now() - t0 });
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    committed,
    rows,
    latencies,
    errors,
    async stop() {
      stop = true;
      await done;
    },
  };
}


function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`prepare35: ${what}`);
}

/**
 * The PgQ 3.5 database of the upgrade and migration tests (pgq and pgq_ext
 * installed): queues q_main (id 1) and q_side; on q_main consumers c_open
 * (an open batch), c_lag (behind: events pending in two tables, and rows in
 * all three), c_retry (two events waiting in the retry queue) and pyc (for
 * the python consumer, from the current tick on); trigger tables orders
 * (logutriga), accounts (sqltriga) and skipped (logutriga SKIP) with six
 * events of theirs; the record table `seen`; pgq_ext progress of 'ext_c';
 * the queues tick on every pgqd round with events (max_lag 0, idle 1 s)
 * and rotate every second once the consumers allow.
 */
export async function prepare35(c: pg.Client) {
  // --- the 3.5 database: events in all three tables of q_main ---
  for (const q of ["q_main", "q_side"]) await c.query("select pgq.create_queue($1)", [q]);
  await c.query("select pgq.set_queue_config('q_main', 'rotation_period', '0')");
  for (const cons of ["c_open", "c_lag", "c_retry"]) await c.query("select pgq.register_consumer('q_main', $1)", [cons]);
  await c.query("select pgq.register_consumer('q_side', 'c_side')");
  await insert(c, "q_main", "t0", 5);
  await tick(c, "q_main");
  for (const cons of ["c_open", "c_lag", "c_retry"]) check((await drain(c, "q_main", cons)).length === 5, "t0 batch");
  await rotate(c, "q_main");
  await insert(c, "q_main", "t1", 4);
  await tick(c, "q_main");
  await drain(c, "q_main", "c_open");
  await drain(c, "q_main", "c_lag");
  const rb = await batch(c, "q_main", "c_retry", false);
  check(rb?.data.length === 4, "c_retry's batch");
  await c.query("select pgq.event_retry($1, $2, 0)", [rb!.id, rb!.ids[0]]);
  await c.query("select pgq.event_retry($1, $2, 0)", [rb!.id, rb!.ids[1]]);
  await c.query("select pgq.finish_batch($1)", [rb!.id]);
  await rotate(c, "q_main");
  const t2 = await insert(c, "q_main", "t2", 6);
  await tick(c, "q_main");
  await drain(c, "q_main", "c_retry");
  const open = await batch(c, "q_main", "c_open", false);
  check(open?.data.join() === t2.join(), "c_open's open batch");
  const t2b = await insert(c, "q_main", "t2b", 3);
  await tick(c, "q_main");
  const side = await insert(c, "q_side", "side", 3);
  for (const t of [0, 1, 2]) check(Number(await one(c, `select count(*) from pgq.event_1_${t}`)) > 0, `events in pgq.event_1_${t}`);
  check(Number(await one(c, "select count(*) from pgq.retry_queue")) === 2, "two retry events");

  // trigger tables, the python consumer's record table, pgq_ext progress
  await c.query(`create table orders (id int primary key, item text);
                 create trigger orders_q after insert or update or delete on orders
                     for each row execute procedure pgq.logutriga('q_main');
                 create table accounts (id int primary key, owner text);
                 create trigger accounts_q after insert or update or delete on accounts
                     for each row execute procedure pgq.sqltriga('q_main');
                 create table skipped (id int primary key, note text);
                 create trigger skipped_q before insert on skipped
                     for each row execute procedure pgq.logutriga('q_main', 'SKIP');`);
  await c.query(RECORD_TABLE_DDL);
  await c.query("select pgq_ext.set_batch_done('ext_c', 11), pgq_ext.set_last_tick('ext_c', 'sub', 21), pgq_ext.set_event_done('ext_c', 31, 41)");

  // the python consumer starts at the current tick; ticks from here on are pgqd's
  await c.query("select pgq.register_consumer('q_main', 'pyc')");
  await c.query("update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '1 second', queue_rotation_period = '1 second'");
  await c.query("insert into orders values (1, 'pen'); update orders set item = 'ink' where id = 1; delete from orders where id = 1");
  await c.query("insert into accounts values (1, 'bob'); update accounts set owner = 'eve' where id = 1");
  await c.query("insert into skipped values (1, 'queued, not stored')");
  return { t2, t2b, side, open: open!, retried: rb!.data.slice(0, 2) };
}
