// make upgradecheck: every released version, upgraded in place, equals a
// fresh install of this one, and the work queued before the upgrade goes on.
//
//   npx tsx test/upgrade/upgradecheck.ts [--keep]   (PG* environment names the server;
//                                                  `make install` must have run)
// For each frozen release in extension/released/ (extension and plain form):
//  1. install it into a new database and fill it: two queues, consumers (one
//     with an open batch, one lagging across a rotation, so its events lie in
//     two tables), events in every table the ring has used, retry events
//     waiting, pgq_ext progress rows;
//  2. upgrade it (ALTER EXTENSION ... UPDATE, or psql -f pgq.upgrade.sql);
//  3. install this version fresh into another database, create the same
//     queues, and compare the catalogs of both (test/upgrade/catalog.ts):
//     prints "no differences" or every differing line;
//  4. carry on with the upgraded database: the open batch is handed out again
//     and finishes, then ticks and batches until every event has reached
//     every consumer exactly once (retry events once more to their owner),
//     and pgq_ext answers as before.
// Exit status 1 on any difference or failure.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import pg from "pg";
import { describeCatalog, diffLines } from "./catalog.js";

const root = resolve(import.meta.dirname, "../..");
const KEEP = process.argv.includes("--keep");
const control = (ext: string) =>
  /default_version\s*=\s*'([^']+)'/.exec(readFileSync(resolve(root, `extension/${ext}.control`), "utf8"))![1]!;
const CURRENT = control("pgq");

type Form = "extension" | "plain";

async function connect(database: string): Promise<pg.Client> {
  const c = new pg.Client({ database });
  await c.connect();
  c.on("notice", () => {});
  return c;
}

async function admin(...statements: string[]): Promise<void> {
  const c = await connect("postgres");
  try {
    for (const sql of statements) await c.query(sql);
  } finally {
    await c.end();
  }
}

const sqlFile = (path: string) => readFileSync(resolve(root, path), "utf8");

async function install(c: pg.Client, form: Form, version: string | null): Promise<void> {
  if (form === "extension") {
    const v = version ? ` version '${version}'` : "";
    await c.query(`create extension pgq${v}; create extension pgq_ext${v}`);
  } else if (version) {
    await c.query(sqlFile(`extension/released/pgq.plain--${version}.sql`));
    await c.query(sqlFile(`extension/released/pgq_ext.plain--${version}.sql`));
  } else {
    await c.query(sqlFile("extension/pgq.sql"));
    await c.query(sqlFile("extension/pgq_ext.sql"));
  }
}

async function upgrade(c: pg.Client, form: Form): Promise<void> {
  if (form === "extension") {
    await c.query("alter extension pgq update; alter extension pgq_ext update");
  } else {
    await c.query(sqlFile("extension/pgq.upgrade.sql"));
    await c.query(sqlFile("extension/pgq_ext.upgrade.sql"));
  }
}

const QUEUES = ["q_main", "q_side"];

interface Expect {
  /** consumer -> event payloads it must still receive (once each) */
  pending: Map<string, string[]>;
  /** the open batch of c_open and its events */
  openBatch: { id: string; events: string[] };
}

async function one<T = string>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const r = await c.query(sql, params);
  return Object.values(r.rows[0] as Record<string, unknown>)[0] as T;
}

async function insert(c: pg.Client, queue: string, tag: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const data = `${tag}-${i}`;
    await c.query("select pgq.insert_event($1, 'ev', $2)", [queue, data]);
    out.push(data);
  }
  return out;
}

async function tick(c: pg.Client, queue: string): Promise<void> {
  await c.query("select pgq.force_tick($1)", [queue]);
  await c.query("select pgq.ticker($1)", [queue]);
}

/** Takes one batch and finishes it; returns its payloads (null: no batch). */
async function consume(c: pg.Client, queue: string, consumer: string, finish = true) {
  const id = await one<string | null>(c, "select pgq.next_batch($1, $2)", [queue, consumer]);
  if (id === null) return null;
  const r = await c.query<{ ev_id: string; ev_data: string }>(
    "select ev_id, ev_data from pgq.get_batch_events($1)", [id]);
  if (finish) await c.query("select pgq.finish_batch($1)", [id]);
  return { id, events: r.rows.map((x) => x.ev_data), ids: r.rows.map((x) => x.ev_id) };
}

async function drain(c: pg.Client, queue: string, consumer: string): Promise<string[]> {
  const got: string[] = [];
  for (let b = await consume(c, queue, consumer); b; b = await consume(c, queue, consumer)) got.push(...b.events);
  return got;
}

async function rotate(c: pg.Client, queue: string): Promise<void> {
  const before = await one<number>(c, "select queue_cur_table from pgq.queue where queue_name = $1", [queue]);
  await c.query("select pgq.maint_rotate_tables_step1($1)", [queue]);
  await c.query("select pgq.maint_rotate_tables_step2()");
  const after = await one<number>(c, "select queue_cur_table from pgq.queue where queue_name = $1", [queue]);
  if (after === before) throw new Error(`fill: rotation of ${queue} did not happen`);
}

async function fill(c: pg.Client): Promise<Expect> {
  for (const q of QUEUES) await c.query("select pgq.create_queue($1)", [q]);
  await c.query("select pgq.set_queue_config('q_main', 'rotation_period', '0')");
  for (const cons of ["c_open", "c_lag", "c_retry"]) await c.query("select pgq.register_consumer('q_main', $1)", [cons]);

  // table 0: everybody reads the first events
  await insert(c, "q_main", "t0a", 5);
  await tick(c, "q_main");
  for (const cons of ["c_open", "c_lag", "c_retry"]) await drain(c, "q_main", cons);
  // table 0 again: c_lag stays behind from here
  const lagPending = await insert(c, "q_main", "t0b", 4);
  await tick(c, "q_main");
  await drain(c, "q_main", "c_open");
  const retryBatch = await consume(c, "q_main", "c_retry", false);
  if (!retryBatch || retryBatch.events.length !== 4) throw new Error("fill: c_retry's batch");
  // two events go to the retry queue, due at once (moved after the upgrade)
  await c.query("select pgq.event_retry($1, $2, 0)", [retryBatch.id, retryBatch.ids[0]]);
  await c.query("select pgq.event_retry($1, $2, 0)", [retryBatch.id, retryBatch.ids[1]]);
  await c.query("select pgq.finish_batch($1)", [retryBatch.id]);
  const retried = retryBatch.events.slice(0, 2);

  await rotate(c, "q_main");
  // table 1
  const t1 = await insert(c, "q_main", "t1", 6);
  await tick(c, "q_main");
  await drain(c, "q_main", "c_retry");
  const open = await consume(c, "q_main", "c_open", false);
  if (!open || open.events.length !== 6) throw new Error("fill: c_open's open batch");
  // more events after the open batch, and in a second queue
  const t1b = await insert(c, "q_main", "t1b", 3);
  await tick(c, "q_main");
  await insert(c, "q_side", "side", 3);
  // a consumer registered last sees only what comes next
  await c.query("select pgq.register_consumer('q_main', 'c_late')");

  for (const t of [0, 1]) {
    const n = await one<string>(c, `select count(*) from pgq.event_1_${t}`);
    if (Number(n) === 0) throw new Error(`fill: no events in pgq.event_1_${t}`);
  }
  // pgq_ext progress of a remote consumer
  await c.query("select pgq_ext.set_batch_done('ext_c', 11)");
  await c.query("select pgq_ext.set_batch_done('ext_c', 'sub', 12)");
  await c.query("select pgq_ext.set_last_tick('ext_c', 21)");
  await c.query("select pgq_ext.set_event_done('ext_c', 31, 41)");

  return {
    pending: new Map([
      ["c_open", [...t1, ...t1b]],
      ["c_lag", [...lagPending, ...t1, ...t1b]],
      ["c_retry", [...retried, ...t1b]],
      ["c_late", []],
    ]),
    openBatch: { id: open.id, events: open.events },
  };
}

function sameMultiset(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}

async function carryOn(c: pg.Client, exp: Expect, form: Form): Promise<string[]> {
  const problems: string[] = [];
  // the open batch is handed out again, with the same events, and finishes
  const again = await consume(c, "q_main", "c_open", false);
  if (!again || again.id !== exp.openBatch.id || !sameMultiset(again.events, exp.openBatch.events)) {
    problems.push(`open batch: expected ${exp.openBatch.id} with ${exp.openBatch.events.length} events, got ${again?.id} with ${again?.events.length}`);
  }
  if (again) await c.query("select pgq.finish_batch($1)", [again.id]);
  const got = new Map<string, string[]>([["c_open", again ? [...again.events] : []]]);

  // events produced after the upgrade reach everybody, c_late included
  const after = await insert(c, "q_main", "after", 5);
  for (let round = 0; round < 5; round++) {
    while ((await one<number>(c, "select pgq.maint_retry_events()")) > 0);
    await tick(c, "q_main");
    for (const cons of exp.pending.keys()) {
      const list = got.get(cons) ?? [];
      list.push(...(await drain(c, "q_main", cons)));
      got.set(cons, list);
    }
  }
  for (const [cons, pending] of exp.pending) {
    const want = [...pending, ...after];
    const have = got.get(cons) ?? [];
    if (!sameMultiset(want, have)) {
      const missing = want.filter((x) => !have.includes(x));
      const extra = have.filter((x, i) => !want.includes(x) || have.indexOf(x) !== i);
      problems.push(`${cons}: ${missing.length} missing (${missing.slice(0, 5).join(" ")}), ${extra.length} unexpected or duplicated (${extra.slice(0, 5).join(" ")})`);
    }
  }
  const sideSeq = await one<string>(c, "select count(*) from pgq.event_2");
  if (Number(sideSeq) !== 3) problems.push(`q_side holds ${sideSeq} events, expected 3`);

  const ext = await c.query(`select pgq_ext.is_batch_done('ext_c', 11) a, pgq_ext.is_batch_done('ext_c', 'sub', 12) b,
                                    pgq_ext.get_last_tick('ext_c') t, pgq_ext.is_event_done('ext_c', 31, 41) e`);
  const row = ext.rows[0];
  if (!(row.a === true && row.b === true && String(row.t) === "21" && row.e === true)) {
    problems.push(`pgq_ext progress lost: ${JSON.stringify(row)}`);
  }
  const v = await one<string>(c, "select pgq.version()");
  if (v !== CURRENT) problems.push(`pgq.version() says ${v}, expected ${CURRENT}`);
  problems.push(...(await newFeatures(c, form)));
  return problems;
}

/**
 * What 4.1 added works on the updated install: pgq_coop (new in 4.1, so
 * installed now) shares a consumer registered before the update between two
 * subconsumers, and an event retried past the queue's max_retries becomes
 * a dead letter.
 */
async function newFeatures(c: pg.Client, form: Form): Promise<string[]> {
  const problems: string[] = [];
  if (form === "extension") await c.query("create extension pgq_coop");
  else await c.query(sqlFile("extension/pgq_coop.sql"));
  await drain(c, "q_main", "c_late");
  const evs = await insert(c, "q_main", "coop", 3);
  await tick(c, "q_main");
  const b1 = await one<string | null>(c, "select pgq_coop.next_batch('q_main', 'c_late', 's1')");
  const b2 = await one<string | null>(c, "select pgq_coop.next_batch('q_main', 'c_late', 's2')");
  const got = b1 === null ? [] : (await c.query("select ev_data from pgq.get_batch_events($1)", [b1])).rows.map((r) => r.ev_data as string);
  if (b1 === null || b2 !== null || !sameMultiset(got, evs)) {
    problems.push(`pgq_coop: s1 got batch ${b1} with ${got.length} of 3 events, s2 got ${b2} (expected none)`);
  }
  await c.query("select pgq.set_queue_config('q_main', 'max_retries', '0')");
  if (b1 !== null) {
    await c.query("select pgq.event_retry($1, ev_id, 0, 'upgraded') from pgq.get_batch_events($1)", [b1]);
    await c.query("select pgq_coop.finish_batch($1)", [b1]);
  }
  const dead = await c.query("select consumer_name, dl_reason from pgq.get_dead_letters('q_main', null)");
  if (dead.rows.length !== 3 || !dead.rows.every((r) => r.consumer_name === "c_late" && r.dl_reason === "upgraded")) {
    problems.push(`dead letters: ${JSON.stringify(dead.rows)}`);
  }
  return problems;
}

async function check(form: Form, from: string): Promise<boolean> {
  const label = `pgq ${from} -> ${CURRENT} (${form})`;
  const oldDb = `pgq_upg_old_${form}_${from.replace(/\W/g, "_")}`;
  const newDb = `pgq_upg_new_${form}_${from.replace(/\W/g, "_")}`;
  for (const db of [oldDb, newDb]) await admin(`drop database if exists ${db} with (force)`, `create database ${db}`);
  const o = await connect(oldDb);
  const n = await connect(newDb);
  let ok = true;
  try {
    await install(o, form, from);
    const exp = await fill(o);
    await upgrade(o, form);

    await install(n, form, null);
    for (const q of QUEUES) await n.query("select pgq.create_queue($1)", [q]);
    const diff = diffLines(await describeCatalog(o), await describeCatalog(n));
    if (diff.length === 0) {
      console.log(`${label}: catalog: no differences`);
    } else {
      ok = false;
      console.log(`FAIL ${label}: catalog: ${diff.length} differences (- upgraded, + fresh):`);
      for (const line of diff) console.log(`  ${line}`);
    }
    const problems = await carryOn(o, exp, form);
    if (problems.length === 0) {
      console.log(`${label}: queued work: every event delivered once, open batch finished, pgq_ext kept; pgq_coop and dead letters work`);
    } else {
      ok = false;
      for (const p of problems) console.log(`FAIL ${label}: queued work: ${p}`);
    }
  } catch (e) {
    ok = false;
    console.log(`FAIL ${label}: ${(e as Error).stack ?? e}`);
  } finally {
    await o.end();
    await n.end();
    if (!KEEP) for (const db of [oldDb, newDb]) await admin(`drop database if exists ${db} with (force)`);
  }
  return ok;
}

async function main(): Promise<void> {
  const released = readdirSync(resolve(root, "extension/released"))
    .map((f) => /^pgq--([\d.]+)\.sql$/.exec(f)?.[1])
    .filter((v): v is string => !!v && v !== CURRENT)
    .sort();
  if (released.length === 0) throw new Error("no released version in extension/released/");
  let ok = true;
  for (const from of released) {
    for (const form of ["extension", "plain"] as Form[]) ok = (await check(form, from)) && ok;
  }
  console.log(ok ? "upgradecheck: passed" : "upgradecheck: FAILED");
  process.exit(ok ? 0 : 1);
}

await main();
