// make demo: two OLTP tables queued through one queue and split by table,
// on whatever server the PG* environment names (make demo starts a
// throwaway one).
//
// An OLTP database puts the rows of queue.event1 and queue.event2 into one
// queue (logutriga SKIP triggers: nothing is stored, everything is queued);
// queue_splitter moves them, exactly once, into one queue per table on a
// batch database; pgqadm tickers run on both sides.  Every tool runs as its
// own process, in the background, as an operator would run them.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "pgq-demo."));
const host = process.env.PGHOST ?? "localhost";
const port = process.env.PGPORT ?? "5432";
const user = process.env.PGUSER ?? "postgres";
const connstr = (db: string) => `dbname=${db} host=${host} port=${port} user=${user}`;

const say = (msg: string) => console.log(msg);

/** Runs one of this checkout's tools and returns its output; throws on failure. */
function tool(name: string, args: string[]): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "src/cli", `${name}.ts`), ...args],
    { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${name} ${args.join(" ")} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function ini(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function sql<T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ database: db });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  for (const db of ["demo_oltp", "demo_batch"]) {
    await sql("postgres", `drop database if exists ${db} with (force)`);
    await sql("postgres", `create database ${db}`);
  }
  const adm = (db: string) => ini(`${db}.ini`, `[pgqadm]
job_name = ticker_${db}
db = ${connstr(db)}
loop_delay = 0.2
maint_delay = 5
logfile = ${dir}/%(job_name)s.log
pidfile = ${dir}/%(job_name)s.pid
`);
  const oltp = adm("demo_oltp");
  const batch = adm("demo_batch");
  const splitter = ini("splitter.ini", `[queue_splitter3]
job_name = splitter
src_db = ${connstr("demo_oltp")}
dst_db = ${connstr("demo_batch")}
pgq_queue_name = singlequeue
loop_delay = 0.2
logfile = ${dir}/%(job_name)s.log
pidfile = ${dir}/%(job_name)s.pid
`);

  say("== install pgq on both databases");
  process.stdout.write(tool("pgqadm", [oltp, "install"]));
  process.stdout.write(tool("pgqadm", [batch, "install"]));
  await sql("demo_batch", "create extension pgq_ext");

  say("\n== OLTP side: one queue, tables whose rows go into it (logutriga SKIP)");
  process.stdout.write(tool("pgqadm", [oltp, "create", "singlequeue"]));
  tool("pgqadm", [oltp, "config", "singlequeue", "ticker_max_lag=0.5", "ticker_idle_period=5"]);
  await sql("demo_oltp", "create schema queue");
  for (const t of ["event1", "event2"]) {
    await sql("demo_oltp", `create table queue.${t} (id int primary key, name text)`);
    await sql("demo_oltp", `create trigger ${t}_q before insert on queue.${t} for each row
                            execute procedure pgq.logutriga('singlequeue', 'SKIP')`);
    say(`  queue.${t}: before insert trigger pgq.logutriga('singlequeue', 'SKIP')`);
  }

  say("\n== batch side: one queue per table, each with a consumer to read it");
  for (const t of ["queue.event1", "queue.event2"]) {
    process.stdout.write(tool("pgqadm", [batch, "create", t]));
    tool("pgqadm", [batch, "config", t, "ticker_max_lag=0.5"]);
    process.stdout.write(tool("pgqadm", [batch, "register", t, "reporter"]));
  }

  say("\n== start the tickers and the splitter in the background");
  tool("pgqadm", ["-d", oltp, "ticker"]);
  tool("pgqadm", ["-d", batch, "ticker"]);
  tool("queue_splitter", ["-d", splitter]);
  say("  pgqadm -d demo_oltp.ini ticker; pgqadm -d demo_batch.ini ticker; queue_splitter -d splitter.ini");
  // the splitter registers itself on its first run: wait for it before producing
  for (let i = 0; i < 100; i++) {
    const r = await sql<{ n: number }>("demo_oltp", "select count(*)::int n from pgq.get_consumer_info('singlequeue')");
    if (r[0]!.n > 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }

  say("\n== insert rows on the OLTP side");
  await sql("demo_oltp", "insert into queue.event1 values (1, 'user'), (2, 'admin')");
  await sql("demo_oltp", "insert into queue.event2 values (10, 'order #10'), (11, 'order #11'), (12, 'refund')");
  const stored = await sql<{ n: number }>("demo_oltp", "select (select count(*) from queue.event1) + (select count(*) from queue.event2) as n");
  say(`  5 rows inserted; rows stored in the tables: ${stored[0]!.n} (SKIP queued them instead)`);

  say("\n== what arrived on the batch side");
  const got = new Map<string, string[]>();
  const deadline = Date.now() + 30_000;
  while ([...got.values()].flat().length < 5 && Date.now() < deadline) {
    for (const q of ["queue.event1", "queue.event2"]) {
      const b = await sql<{ batch_id: string | null }>("demo_batch", "select * from pgq.next_batch_info($1, 'reporter')", [q]);
      const id = b[0]!.batch_id;
      if (id === null) continue;
      const evs = await sql<{ ev_type: string; ev_data: string }>("demo_batch",
        "select ev_type, ev_data from pgq.get_batch_events($1)", [id]);
      for (const e of evs) got.set(q, [...(got.get(q) ?? []), `${e.ev_type} ${e.ev_data}`]);
      await sql("demo_batch", "select pgq.finish_batch($1)", [id]);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  for (const [q, evs] of [...got.entries()].sort()) {
    say(`  ${q}:`);
    for (const e of evs) say(`    ${e}`);
  }

  say("\n== pgqadm status, OLTP side");
  process.stdout.write(tool("pgqadm", [oltp, "status"]));
  say("\n== pgqadm status, batch side");
  process.stdout.write(tool("pgqadm", [batch, "status"]));

  say("\n== stop everything");
  tool("queue_splitter", ["-s", splitter]);
  tool("pgqadm", ["-s", oltp]);
  tool("pgqadm", ["-s", batch]);
  say("  queue_splitter -s splitter.ini; pgqadm -s demo_oltp.ini; pgqadm -s demo_batch.ini");

  const total = [...got.values()].flat().length;
  if (total !== 5) throw new Error(`expected 5 events on the batch side, got ${total}`);
  say("\ndemo ok: 5 rows queued on the OLTP side, each delivered once to its table's queue on the batch side");
}

main().catch((err: unknown) => {
  console.error("demo failed:", err);
  // leave no background process behind
  for (const f of ["splitter.ini", "demo_oltp.ini", "demo_batch.ini"]) {
    try {
      execFileSync(process.execPath, ["--import", "tsx", join(root, "src/cli", f === "splitter.ini" ? "queue_splitter.ts" : "pgqadm.ts"),
        "-k", join(dir, f)], { cwd: root, stdio: "ignore" });
    } catch {
      // not running
    }
  }
  process.exit(1);
});
