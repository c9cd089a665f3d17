// PgQ's own cooperative consumer, python3-pgq's pgq.CoopConsumer (Debian's
// package, unpacked by scripts/pgq35.sh), against our pgq_coop: existing
// users' code keeps working.  Three python subconsumers share one
// consumer's batches while events are produced: every event is recorded
// once, each batch by one subconsumer; a retried event comes back to the
// group; unregistering (as CoopConsumer does on --unregister) works.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type pg from "pg";
import { createTestDb, createTickingQueue, value, type TestDb } from "./support/db.js";
import { cliEnv } from "./support/env.js";
import { pgq35 } from "./support/pgq35.js";

const script = resolve(import.meta.dirname, "support/pgq_coop_recorder.py");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), "coop-python."));
let db: TestDb;
let c: pg.Client;
let pythonPath: string;
const children: ChildProcess[] = [];
const output: string[] = [];

beforeAll(async () => {
  pythonPath = pgq35("python");
  db = await createTestDb("pgq_coop_py");
  c = await db.connect();
  await c.query("create extension pgq_coop");
  await c.query("create table seen (subconsumer text, batch_id bigint, ev_id bigint, ev_data text)");
});
afterAll(async () => {
  for (const ch of children) ch.kill("SIGKILL");
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function python(sub: string, extraArgs: string[] = []): ChildProcess {
  const cfg = join(dir, `${sub}.ini`);
  writeFileSync(cfg, `[pgq_coop_recorder]
job_name = coop_${sub}
db = dbname=${db.name}
queue_name = pyq
consumer_name = pycons
subconsumer_name = ${sub}
subconsumer_timeout = 1 hour
record_table = seen
logfile = ${join(dir, `${sub}.log`)}
pidfile = ${join(dir, `${sub}.pid`)}
loop_delay = 0.05
exception_sleep = 0.5
`);
  const child = spawn("/usr/bin/python3", [script, cfg, ...extraArgs],
    { env: { ...cliEnv(inject("pgServer"), db.name), PYTHONPATH: pythonPath }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  children.push(child);
  return child;
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.on("exit", (code) => r(code))));

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; python said:\n${output.join("")}`);
    await sleep(50);
  }
}

describe("python3-pgq's CoopConsumer on our pgq_coop", () => {
  it("three subconsumers share the batches; every event once; retry; unregister", async () => {
    await createTickingQueue(c, "pyq");
    const subs = ["s1", "s2", "s3"].map((s) => python(s));
    // they register themselves (pgq_coop.register_subconsumer)
    await until("three subconsumers", async () =>
      (await value<number>(c, "select count(*)::int from pgq.get_consumer_info('pyq') where consumer_name like 'pycons.%'")) === 3);
    let produced = 0;
    for (let round = 0; round < 40; round++) {
      await c.query("select pgq.insert_event('pyq', 'ev', 'e' || g) from generate_series($1::int, $2::int) g",
        [produced + 1, produced + 25]);
      produced += 25;
      if (round === 10) await c.query("select pgq.insert_event('pyq', 'ev', 'retry-me')");
      await c.query("select pgq.ticker('pyq')");
      await sleep(20);
    }
    const ticker = setInterval(() => {
      void c.query("select pgq.maint_retry_events(); select pgq.ticker('pyq')").catch(() => undefined);
    }, 50);
    try {
      await until("every event", async () =>
        (await value<number>(c, "select count(distinct ev_data)::int from seen")) === produced + 1);
    } finally {
      clearInterval(ticker);
    }
    await sleep(300);
    expect(await value<number>(c, "select count(*)::int from seen")).toBe(produced + 1); // none twice
    expect(await value<number>(c, "select count(*)::int from (select batch_id from seen group by 1 having count(distinct subconsumer) > 1) x"))
      .toBe(0);
    expect(await value<number>(c, "select count(distinct subconsumer)::int from seen")).toBeGreaterThan(1);
    expect(await value<string>(c, "select ev_data from seen where ev_data = 'retry-me'")).toBe("retry-me");

    for (const s of subs) s.kill("SIGTERM");
    await Promise.all(subs.map(exited));
    // CoopConsumer's --unregister: pgq_coop.unregister_subconsumer(q, c, s, 0)
    const un = python("s2", ["--unregister"]);
    expect(await exited(un), output.join("")).toBe(0);
    expect((await c.query("select consumer_name from pgq.get_consumer_info('pyq') order by 1")).rows.map((r) => r.consumer_name))
      .toEqual(["pycons", "pycons.s1", "pycons.s3"]);
  }, 120_000);
});
