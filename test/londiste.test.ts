// Debian's londiste replication on top of OUR pgq: python3-londiste 3.11 with
// pgq_node 3.5 (postgresql-15-pgq-node) and londiste's SQL 3.8
// (postgresql-15-londiste-sql).  pgq_node and londiste read and write pgq's
// tables directly (pgq.queue, pgq.tick, pgq.subscription, the event tables
// through pgq.logutriga/sqltriga, external ticks through the 4-argument
// pgq.ticker), so this guards our internals against the real clients.
//
// Two databases on a private cluster, both with `create extension pgq`: a
// root (create-root) and a leaf (create-leaf, provider = root); londiste's
// own setup runs `create extension pgq_node` and `create extension
// londiste`.  A `londiste worker` for each node runs in the background, our
// pgq-runner ticks and maintains both databases, and a table with a primary
// key is added on both nodes (the leaf worker copies it, then replays).
// INSERT/UPDATE/DELETE on the root must arrive on the leaf; then the root's
// queue rotates its event tables (pgq.maint_operations() run by pgq-runner,
// unblocked by londiste's watermark consumers) and more changes must still
// arrive.
//
// The packages (scripts/londiste.sh): postgresql-15-pgq-node and
// postgresql-15-londiste-sql depend on postgresql-15-pgq3 (C PgQ, which
// would collide with our pgq's files), so they are never installed: `apt-get
// download` + `dpkg -x` into scripts/pgq35.sh's cache, and their extension
// files go into a private copy of PostgreSQL 15 that this test makes (and
// removes) under /tmp: its share/postgresql/15/extension has this checkout's
// pgq (make install) beside them.  python3-londiste, python3-pgq and
// python3-skytools are unpacked the same way and run with PYTHONPATH (as
// root, python3-psycopg2 and python3-yaml are installed when missing).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { again } from "../src/runner/runner.js";
import { runCli, waitFor, type Run } from "./support/cli.js";

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "pgq-londiste-test."));
const prefix = join(dir, "pg");
chmodSync(dir, 0o711); // the server (user postgres) reads the prefix inside
const QUEUE = "replika";
const ROOT = "lroot";
const LEAF = "lleaf";

let cluster: PrivateCluster;
let runner: Run | undefined;
const workers: Proc[] = [];
let londisteCmd = "";
let pythonPath = "";

interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

/** scripts/londiste.sh CMD: its last output line; one clear line and a failure when it cannot. */
function setup(...args: string[]): string {
  try {
    const out = execFileSync(resolve(root, "scripts/londiste.sh"), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.trim().split("\n").pop() ?? "";
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const msg = `londiste test: cannot set up Debian's londiste (scripts/londiste.sh ${args.join(" ")}): ` +
      (err.stderr || err.message).trim().split("\n").pop();
    console.error(msg);
    throw new Error(`${msg}\n${err.stderr ?? ""}`);
  }
}

function londiste(name: string, args: string[]): Proc {
  const child = spawn(londisteCmd, args, {
    cwd: dir,
    env: { ...process.env, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { name, child, output: () => out, exit };
}

/** A londiste command that must succeed. */
async function admin(ini: string, ...args: string[]): Promise<string> {
  const p = londiste(`londiste ${args[0]}`, [join(dir, ini), ...args]);
  const code = await p.exit;
  if (code !== 0) throw new Error(`londiste ${ini} ${args.join(" ")} exited ${code}:\n${p.output()}`);
  return p.output();
}

const conn = (db: string) => `host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=${cluster.env.PGUSER} dbname=${db}`;
const q = <T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []) => cluster.query<T>(db, text, params);

const rows = async (db: string) =>
  JSON.stringify(await q(db, "select id, v, n from public.accounts order by id"));

async function inSync(what: string, timeoutMs = 20_000): Promise<void> {
  try {
    await waitFor(async () => (await rows(ROOT)) === (await rows(LEAF)), timeoutMs, what);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nroot: ${await rows(ROOT)}\nleaf: ${await rows(LEAF)}\n${logs()}`);
  }
}

/** The tail of every log, for failure messages. */
function logs(): string {
  const parts: string[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".log")).sort()) {
    const text = readFileSync(join(dir, f), "utf8").split("\n");
    parts.push(`--- ${f}\n${text.slice(-25).join("\n")}`);
  }
  for (const w of workers) parts.push(`--- ${w.name} output\n${w.output().split("\n").slice(-25).join("\n")}`);
  return parts.join("\n");
}

/** Errors londiste's processes logged (their log files). */
function londisteErrors(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((f) => /^(root|leaf).*\.log$/.test(f))) {
    for (const line of readFileSync(join(dir, f), "utf8").split("\n")) if (/ (ERROR|CRITICAL|FATAL) /.test(line)) out.push(`${f}: ${line}`);
  }
  return out;
}

const ini = (node: string, db: string) => `[londiste]
job_name = londiste_${node}
db = ${conn(db)}
queue_name = ${QUEUE}
logfile = ${join(dir, `${node}.log`)}
pidfile = ${join(dir, `${node}.pid`)}
loop_delay = 0.1
; watermarks every second (default 5 minutes): they hold back rotation
local_wm_publish_period = 1
global_wm_publish_period = 1
`;

const TABLE = "create table public.accounts (id int primary key, v text, n int)";

beforeAll(async () => {
  const t0 = Date.now();
  pythonPath = setup("python");
  londisteCmd = setup("londiste");
  const bin = setup("prefix", prefix);
  cluster = startPrivateCluster({ pgbin: bin });
  await cluster.createDb(ROOT);
  await cluster.createDb(LEAF);
  for (const db of [ROOT, LEAF]) await q(db, TABLE);
  await q(ROOT, "insert into public.accounts select i, 'before ' || i, i from generate_series(1, 20) i");
  writeFileSync(join(dir, "root.ini"), ini("root", ROOT));
  writeFileSync(join(dir, "leaf.ini"), ini("leaf", LEAF));

  await admin("root.ini", "create-root", "root_node", conn(ROOT));
  await admin("leaf.ini", "create-leaf", "leaf_node", conn(LEAF), `--provider=${conn(ROOT)}`);
  // PgQ's ticker rule ticks an idle queue once a minute; londiste's table
  // states move on ticks, so quicker here
  await q(ROOT, "select pgq.set_queue_config($1, 'ticker_max_lag', '0.1 s'), pgq.set_queue_config($1, 'ticker_idle_period', '0.5 s')", [QUEUE]);

  writeFileSync(join(dir, "runner.ini"), `[pgq-runner]
base_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=${cluster.env.PGUSER}
database_list = ${ROOT},${LEAF}
ticker_period = 0.2
maint_period = 1
retry_period = 1
logfile = ${join(dir, "runner.log")}
`);
  runner = runCli("pgq-runner", ["-v", join(dir, "runner.ini")]);
  for (const node of ["root", "leaf"]) {
    const w = londiste(`${node} worker`, [join(dir, `${node}.ini`), "worker"]);
    workers.push(w);
  }
  await admin("root.ini", "add-table", "public.accounts");
  await admin("leaf.ini", "add-table", "public.accounts");
  try {
    await waitFor(async () => {
      const st = await q<{ merge_state: string | null }>(LEAF, "select merge_state from londiste.get_table_list($1) where table_name = 'public.accounts'", [QUEUE]);
      return st[0]?.merge_state === "ok";
    }, 40_000, "the leaf's copy of public.accounts to reach merge_state ok");
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${logs()}`);
  }
  console.log(`londiste test: set up in ${Date.now() - t0} ms`);
}, 80_000);

afterAll(async () => {
  for (const w of workers) w.child.kill("SIGINT");
  runner?.child.kill("SIGINT");
  const grace = setTimeout(() => {
    for (const w of workers) w.child.kill("SIGKILL");
    runner?.child.kill("SIGKILL");
  }, 5000);
  await Promise.all([...workers.map((w) => w.exit), runner?.exit]);
  clearTimeout(grace);
  // londiste's daemons that outlived their worker (a table copy: pidfile
  // <worker pidfile>.copy.<table>)
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    if (!/\.pid(\.copy\..*)?$/.test(f)) continue;
    const pid = Number(readFileSync(join(dir, f), "utf8").trim());
    try {
      if (pid > 0) process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  try {
    cluster?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

describe("londiste (Debian's python3-londiste 3.11, pgq_node 3.5) on our pgq", () => {
  it("sets up on our pgq: pgq_node and londiste as extensions requiring it, the leaf's initial copy", async () => {
    const ours = readFileSync(resolve(root, "extension/pgq.control"), "utf8").match(/default_version\s*=\s*'([^']+)'/)![1];
    for (const db of [ROOT, LEAF]) {
      const ext = await q<{ extname: string; extversion: string }>(db,
        "select extname, extversion from pg_extension where extname in ('pgq', 'pgq_node', 'londiste') order by 1");
      expect(ext).toEqual([
        { extname: "londiste", extversion: "3.8" },
        { extname: "pgq", extversion: ours },
        { extname: "pgq_node", extversion: "3.5" },
      ]);
    }
    const nodes = await q(LEAF, "select node_type, node_name, provider_node from pgq_node.get_node_info($1)", [QUEUE]);
    expect(nodes).toEqual([{ node_type: "leaf", node_name: "leaf_node", provider_node: "root_node" }]);
    // the root's queue is ticked by pgq-runner; the leaf's consumer is on it
    const cons = await q<{ consumer_name: string }>(ROOT, "select consumer_name from pgq.get_consumer_info($1) order by 1", [QUEUE]);
    expect(cons.map((c) => c.consumer_name)).toContain("londiste_leaf");
    // londiste's trigger on the root puts changes into our queue
    const trg = await q<{ tgname: string }>(ROOT, "select tgname from pg_trigger where tgrelid = 'public.accounts'::regclass and not tgisinternal order by 1");
    expect(trg.map((t) => t.tgname)).toContain(`_londiste_${QUEUE}`);
    await inSync("the copied rows");
    expect(JSON.parse(await rows(LEAF))).toHaveLength(20);
  });

  it("replays INSERT, UPDATE and DELETE from the root", async () => {
    await q(ROOT, "insert into public.accounts select i, 'new ' || i, i * 10 from generate_series(21, 60) i");
    await q(ROOT, "update public.accounts set v = 'changed', n = n + 1000 where id % 3 = 0");
    await q(ROOT, "delete from public.accounts where id % 7 = 0");
    // several statements in one transaction (a key is not updated: PgQ's
    // triggers refuse that, "primary key update not allowed")
    await q(ROOT, `begin;
                   insert into public.accounts values (100, 'tx', 1);
                   update public.accounts set v = 'tx-updated' where id = 100;
                   delete from public.accounts where id = 1;
                   insert into public.accounts values (101, 'tx', 2);
                   delete from public.accounts where id = 2;
                   commit`);
    await inSync("the leaf to replay the first batch");
    const leaf = JSON.parse(await rows(LEAF)) as { id: number; v: string }[];
    expect(leaf.find((r) => r.id === 100)?.v).toBe("tx-updated");
    expect(leaf.some((r) => r.id === 1 || r.id === 2 || r.id === 7)).toBe(false);
    expect(leaf.find((r) => r.id === 101)).toBeDefined();
    // 60 rows, 8 multiples of 7 deleted, 100 and 101 in, 1 and 2 out
    expect(leaf).toHaveLength(52);
  });

  it("keeps replicating after pgq.maint_operations() rotates the root's event tables", async () => {
    const queue = async () => (await q<{ queue_cur_table: number; queue_switch_time: Date; queue_switch_step2: string | null }>(ROOT,
      "select queue_cur_table, queue_switch_time, queue_switch_step2 from pgq.queue where queue_name = $1", [QUEUE]))[0]!;
    const before = await queue();
    // what pgq-runner runs every maint_period, as pgqd would: with pgq_node
    // and londiste installed, their maintenance functions too
    // (in one transaction: pgq-runner's next round rotates at once)
    const c = new pg.Client(cluster.config(ROOT));
    await c.connect();
    let ops: { func_name: string; func_arg: string | null }[];
    try {
      await c.query("begin");
      await c.query("select pgq.set_queue_config($1, 'rotation_period', '1 s')", [QUEUE]);
      ops = (await c.query("select func_name, func_arg from pgq.maint_operations()")).rows;
      await c.query("commit");
    } finally {
      await c.end();
    }
    expect(ops).toContainEqual({ func_name: "pgq.maint_rotate_tables_step1", func_arg: QUEUE });
    expect(ops).toContainEqual({ func_name: "pgq_node.maint_watermark", func_arg: QUEUE });
    expect(ops).toContainEqual({ func_name: "londiste.periodic_maintenance", func_arg: null });

    // changes while rotations happen, then wait for the rotations: the
    // watermark consumers (.global_watermark, .<node>.watermark) must move
    // for pgq.maint_rotate_tables_step1 to switch tables
    await q(ROOT, "insert into public.accounts select i, 'second ' || i, i from generate_series(200, 260) i");
    await q(ROOT, "update public.accounts set n = -n where id between 200 and 230");
    let switches = 0;
    let last = before;
    try {
      await waitFor(async () => {
        const now = await queue();
        if (now.queue_switch_time.getTime() !== last.queue_switch_time.getTime()) {
          switches++;
          last = now;
          await q(ROOT, "insert into public.accounts values ($1, 'after rotation', $2)", [1000 + switches, switches]);
        }
        return switches >= 3 && now.queue_switch_step2 !== null;
      }, 30_000, "three rotations of the root queue's event tables");
    } catch (e) {
      throw new Error(`${(e as Error).message} (saw ${switches})\n` +
        JSON.stringify(await q(ROOT, "select * from pgq.get_consumer_info($1)", [QUEUE])) + `\n${logs()}`);
    }
    // every table of the ring has been the current one, and was emptied
    // (step 1 truncates the table it switches to)
    expect(last.queue_cur_table).toBe((before.queue_cur_table + 3) % 3);
    await q(ROOT, "delete from public.accounts where id between 240 and 250");
    await q(ROOT, "update public.accounts set v = 'last' where id in (3, 1001, 1002)");
    await q(ROOT, "insert into public.accounts values (5000, 'the end', 0)");
    await inSync("the leaf to replay the changes around the rotations");
    const leaf = JSON.parse(await rows(LEAF)) as { id: number; v: string }[];
    expect(leaf.find((r) => r.id === 5000)?.v).toBe("the end");
    expect(leaf.find((r) => r.id === 1002)?.v).toBe("last");
    expect(leaf.some((r) => r.id >= 240 && r.id <= 250)).toBe(false);
    // the leaf's consumer on the root's queue keeps up with its ticks
    const lag = (await q<{ lag: string }>(ROOT,
      "select (select max(tick_id) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = $1) - last_tick as lag " +
      "from pgq.get_consumer_info($1, 'londiste_leaf')", [QUEUE]))[0]?.lag;
    expect(Number(lag)).toBeLessThan(50);
    // pgq-runner ran the rotation and pgq_node's watermark maintenance
    const runnerLog = readFileSync(join(dir, "runner.log"), "utf8");
    expect(runnerLog).toMatch(new RegExp(`db=${ROOT} queue=${QUEUE}: maint: pgq\\.maint_rotate_tables_step1\\(${QUEUE}\\) returned 0`));
    expect(runnerLog).toMatch(new RegExp(`db=${ROOT} queue=${QUEUE}: maint: pgq_node\\.maint_watermark\\(${QUEUE}\\) returned 0`));
    expect(runnerLog).toMatch(new RegExp(`db=${ROOT}: maint: londiste\\.periodic_maintenance\\(\\) returned 0`));
    expect(londisteErrors()).toEqual([]);
    expect(runnerLog).not.toMatch(/ ERROR /);
  });

  it("replicates a sequence (add-seq; the root worker publishes it)", async () => {
    for (const db of [ROOT, LEAF]) await q(db, "create sequence public.ids");
    await admin("root.ini", "add-seq", "public.ids");
    await admin("leaf.ini", "add-seq", "public.ids");
    await q(ROOT, "select nextval('public.ids') from generate_series(1, 42)");
    await waitFor(async () => Number((await q<{ v: string }>(LEAF, "select last_value v from public.ids"))[0]!.v) >= 42,
      20_000, "the leaf's sequence to reach the root's value");
  });

  // PgQ 3.5's pgq.maint_operations() lists londiste.root_check_seqs(queue)
  // for a root with local sequences, and pgqd calls it every maint_period,
  // so sequences move even while the root worker is down.  It returns a row
  // (out ret_code int4, out ret_note text): pgq._maint_function accepts a
  // row whose first OUT parameter is an integer (it refused it until this
  // test found that; pgtap/070_maint.sql's stand-in returned int).
  it("pgq.maint_operations() lists londiste.root_check_seqs, without a WARNING, and pgq-runner calls it once a round", async () => {
    const c = new pg.Client(cluster.config(ROOT));
    const notices: string[] = [];
    c.on("notice", (n) => notices.push(n.message ?? ""));
    await c.connect();
    try {
      const ops = (await c.query("select func_name, func_arg from pgq.maint_operations()")).rows;
      expect({ ops, notices }).toEqual({
        ops: expect.arrayContaining([{ func_name: "londiste.root_check_seqs", func_arg: QUEUE }]),
        notices: [],
      });
    } finally {
      await c.end();
    }
    // pgq-runner calls it once a round, as pgqd does (its result is a row,
    // '(100,"Sequences updated")', not a request to be called again)
    const log = join(dir, "runner.log");
    await waitFor(() => /maint: londiste\.root_check_seqs\(replika\) returned \(\d+,"[^"]*"\) in /.test(readFileSync(log, "utf8")),
      10_000, "pgq-runner to call londiste.root_check_seqs");
    expect(readFileSync(log, "utf8")).not.toMatch(/root_check_seqs\(replika\) returned .* after \d+ calls/);
  });

  it("pgq-runner calls a maintenance function again as pgqd does: when atoi() of its result is not 0", () => {
    for (const v of ["1", "-1", "12 rows", 3]) expect(again(v)).toBe(true);
    for (const v of ["0", 0, null, '(100,"Sequences updated")', true, false, "t", ""]) expect(again(v)).toBe(false);
  });
});
