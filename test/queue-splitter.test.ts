// queue_splitter end to end: a source queue fed by a logutriga SKIP trigger,
// the splitter process moving events into per-kind queues on a target
// database; bad routing; kill -9 at random points with every event
// delivered exactly once.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, createTickingQueue, value, type TestDb } from "./support/db.js";
import { runCli, waitFor } from "./support/cli.js";
import { rng } from "./support/rng.js";

let src: TestDb;
let dst: TestDb;
let s: pg.Client;
let d: pg.Client;
const dir = mkdtempSync(join(tmpdir(), "splitter-test."));

const connstr = (db: TestDb) => {
  const c = db.config;
  return c.connectionString ?? `dbname=${c.database} host=${c.host} port=${c.port} user=${c.user}`;
};

beforeAll(async () => {
  src = await createTestDb("pgq_split_src");
  dst = await createTestDb("pgq_split_dst");
  s = await src.connect();
  d = await dst.connect();
  await d.query("create extension pgq_ext");
});
afterAll(async () => {
  await src?.drop();
  await dst?.drop();
});

function config(name: string, queue: string, extra = ""): string {
  const path = join(dir, `${name}.ini`);
  writeFileSync(path, `[queue_splitter3]
job_name = ${name}
src_db = ${connstr(src)}
dst_db = ${connstr(dst)}
pgq_queue_name = ${queue}
loop_delay = 0.1
${extra}`);
  return path;
}

async function targetEvents(queue: string): Promise<{ ev_type: string; ev_data: string; ev_extra1: string }[]> {
  const pfx = await value<string>(d, "select queue_data_pfx from pgq.queue where queue_name = $1", [queue]);
  return (await d.query(`select ev_type, ev_data, ev_extra1 from ${pfx} order by ev_id`)).rows;
}

describe("queue_splitter", () => {
  it("moves trigger events into the queue named by ev_extra1, keeping their fields", async () => {
    await createTickingQueue(s, "singlequeue");
    await s.query("create schema queue");
    for (const t of ["event1", "event2"]) {
      await s.query(`create table queue.${t} (id int primary key, name text)`);
      await s.query(`create trigger ${t}_q before insert on queue.${t} for each row
                     execute procedure pgq.logutriga('singlequeue', 'SKIP')`);
      await d.query("select pgq.create_queue($1)", [`queue.${t}`]);
    }
    const run = runCli("queue_splitter", [config("split1", "singlequeue")]);
    await waitFor(() => /registered on the source queue/.test(run.output()), 15_000, "registration");
    await s.query("insert into queue.event1 values (1, 'user'), (2, 'other')");
    await s.query("insert into queue.event2 values (7, 'x y')");
    await s.query("select pgq.ticker()");
    await waitFor(async () => (await targetEvents("queue.event2")).length === 1, 15_000, "events moved");
    expect(await targetEvents("queue.event1")).toEqual([
      { ev_type: "I:id", ev_data: "id=1&name=user", ev_extra1: "queue.event1" },
      { ev_type: "I:id", ev_data: "id=2&name=other", ev_extra1: "queue.event1" },
    ]);
    expect(await targetEvents("queue.event2")).toEqual([{ ev_type: "I:id", ev_data: "id=7&name=x+y", ev_extra1: "queue.event2" }]);
    expect(await value(s, "select count(*)::int from queue.event1")).toBe(0); // SKIP stored nothing
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("stops at a batch that routes to a missing queue, loses nothing; skip_bad_routing skips with a warning", async () => {
    await createTickingQueue(s, "badq");
    await d.query("select pgq.create_queue('good')");
    await s.query("select pgq.register_consumer('badq', 'split_bad')");
    await s.query("select pgq.insert_event('badq', 't', 'a', 'good', null, null, null)");
    await s.query("select pgq.insert_event('badq', 't', 'b', 'missing', null, null, null)");
    await s.query("select pgq.insert_event('badq', 't', 'c', null, null, null, null)");
    await s.query("select pgq.ticker('badq')");
    const strict = runCli("queue_splitter", [config("split_bad", "badq")]);
    await waitFor(() => /routes to queue "missing", which does not exist/.test(strict.output()), 15_000, "routing error");
    expect(await targetEvents("good")).toEqual([]); // the whole batch waits
    strict.child.kill("SIGINT");
    await strict.exit;
    const lenient = runCli("queue_splitter", [config("split_bad", "badq", "skip_bad_routing = 1")]);
    await waitFor(async () => (await targetEvents("good")).length === 1, 15_000, "moved after skipping");
    expect((await targetEvents("good"))[0]!.ev_data).toBe("a");
    await waitFor(() => /WARNING split_bad queue=badq consumer=split_bad: queue_splitter: skipped event 2: queue "missing" does not exist/
      .test(lenient.output()), 10_000, "warning for the skipped event");
    expect(lenient.output()).toMatch(/skipped event 3: no routing value/);
    lenient.child.kill("SIGINT");
    await lenient.exit;
  });

  it("moves within one database in SQL when src_db and dst_db are the same", async () => {
    await createTickingQueue(s, "localq");
    for (const q of ["l_a", "l_b"]) await s.query("select pgq.create_queue($1)", [q]);
    await s.query("create extension if not exists pgq_ext");
    const path = join(dir, "split_local.ini");
    writeFileSync(path, `[queue_splitter3]
job_name = split_local
src_db = ${connstr(src)}
dst_db = ${connstr(src)}
pgq_queue_name = localq
queue_field = ev_type
loop_delay = 0.1
`);
    const run = runCli("queue_splitter", [path]);
    await waitFor(() => /moving in SQL/.test(run.output()), 15_000, "local mode");
    await s.query("select pgq.insert_event('localq', 'l_a', 'one')");
    await s.query("select pgq.insert_event('localq', 'l_b', 'two')");
    await s.query("select pgq.ticker('localq')");
    const local = async (q: string) => {
      const pfx = await value<string>(s, "select queue_data_pfx from pgq.queue where queue_name = $1", [q]);
      return (await s.query(`select ev_data from ${pfx}`)).rows.map((r) => r.ev_data);
    };
    await waitFor(async () => (await local("l_b")).length === 1, 15_000, "moved locally");
    expect(await local("l_a")).toEqual(["one"]);
    expect(await value(s, "select pgq_ext.get_last_tick('split_local')")).not.toBeNull();
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("SIGINT while it waits out loop_delay exits at once, in both forms", async () => {
    await createTickingQueue(s, "idleq");
    await s.query("create extension if not exists pgq_ext");
    for (const [name, target] of [["split_idle", dst], ["split_idle_local", src]] as const) {
      const path = join(dir, `${name}.ini`);
      writeFileSync(path, `[queue_splitter3]
job_name = ${name}
src_db = ${connstr(src)}
dst_db = ${connstr(target)}
pgq_queue_name = idleq
loop_delay = 600
`);
      const run = runCli("queue_splitter", [path]);
      await waitFor(() => /INFO .*: started/.test(run.output()), 15_000, `${name} started`);
      await new Promise((res) => setTimeout(res, 500)); // no batch: it waits out loop_delay now
      const t0 = Date.now();
      run.child.kill("SIGINT");
      expect(await run.exit).toBe(0);
      expect(Date.now() - t0, name).toBeLessThan(30_000); // not loop_delay's 600 s
      expect(run.output()).toMatch(/SIGINT: finishing the current batch[\s\S]*stopped/);
    }
  });

  it("survives kill -9 at random points: every event delivered exactly once", async () => {
    const r = rng(Number(process.env.PGQ_SEED ?? 77));
    await createTickingQueue(s, "crashq");
    for (const q of ["k0", "k1", "k2"]) await d.query("select pgq.create_queue($1)", [q]);
    await s.query("select pgq.register_consumer('crashq', 'split_crash')");
    const cfg = config("split_crash", "crashq");
    let producing = true;
    let produced = 0;
    const producer = (async () => {
      const c = await src.connect();
      while (producing) {
        const n = 1 + Math.floor(r() * 20);
        await c.query("select pgq.insert_event('crashq', 't', 'e' || g, 'k' || (g % 3), null, null, null) from generate_series($1::int, $2::int) g",
          [produced + 1, produced + n]);
        produced += n;
        await c.query("select pgq.ticker('crashq')");
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    for (let i = 0; i < 12; i++) {
      const run = runCli("queue_splitter", [cfg]);
      await new Promise((res) => setTimeout(res, 700 + Math.floor(r() * 600)));
      run.child.kill("SIGKILL");
      await run.exit;
    }
    producing = false;
    await producer;
    await s.query("select pgq.ticker('crashq')");
    const last = runCli("queue_splitter", [cfg]);
    const total = async () => {
      let n = 0;
      for (const q of ["k0", "k1", "k2"]) n += (await targetEvents(q)).length;
      return n;
    };
    try {
      await waitFor(async () => (await total()) >= produced, 120_000, "all events moved");
      await new Promise((res) => setTimeout(res, 500));
    } finally {
      last.child.kill("SIGINT");
      await last.exit;
    }
    const all: string[] = [];
    for (const q of ["k0", "k1", "k2"]) {
      for (const e of await targetEvents(q)) {
        expect(e.ev_extra1).toBe(q);
        all.push(e.ev_data);
      }
    }
    expect(all.length).toBe(produced);
    expect(new Set(all).size).toBe(produced);
  }, 240_000); // the kill loop, then up to 120 s for the last run
});
