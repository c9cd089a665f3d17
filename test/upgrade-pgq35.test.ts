// PgQ 3.5 (Debian's C extension) updated in place to this version while it
// works: pgqd ticks, a python3-pgq consumer consumes, a producer and
// trigger tables write, and ALTER EXTENSION pgq UPDATE runs in the middle.
// Afterwards the same pgqd and python consumer go on: every event reaches
// the python consumer exactly once, the SQL consumers find their open
// batch, lagging events in all three tables and retry events, the
// triggers (the same pg_trigger rows) now run our PL/pgSQL functions, and
// the catalog equals a fresh install with the same queues.
//
// Needs scripts/pgq35.sh (Debian packages fetched with apt-get download):
// a failure to fetch them fails this test, with the reason.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { waitFor } from "./support/cli.js";
import { pgq35, RECORD_TABLE_DDL, startPgqd, startRecorder, type Daemon } from "./support/pgq35.js";
import { PGQ_VERSION } from "./support/env.js";
import { describeCatalog, diffLines } from "./upgrade/catalog.js";

// a prefix of this file's own: install-ours changes its extension directory
const PREFIX = join(tmpdir(), "pgq35-prefix-upgrade-test");
const dir = mkdtempSync(join(tmpdir(), "pgq35-upgrade-test."));
let cluster: PrivateCluster;
const daemons: Daemon[] = [];
const clients: pg.Client[] = [];

beforeAll(() => {
  const bin = pgq35("prefix", PREFIX);
  pgq35("old-pgq-ext", PREFIX);
  pgq35("pgqd");
  pgq35("python");
  cluster = startPrivateCluster({ pgbin: bin });
});
afterAll(async () => {
  for (const d of daemons) await d.stop();
  await Promise.allSettled(clients.map((c) => c.end()));
  cluster?.stop();
});

async function connect(db: string): Promise<pg.Client> {
  const c = new pg.Client(cluster.config(db));
  await c.connect();
  c.on("notice", () => {});
  clients.push(c);
  return c;
}

async function one<T = string>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const r = await c.query(sql, params);
  return Object.values(r.rows[0] as Record<string, unknown>)[0] as T;
}

async function insert(c: pg.Client, queue: string, tag: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    await c.query("select pgq.insert_event($1, 'ev', $2)", [queue, `${tag}-${i}`]);
    out.push(`${tag}-${i}`);
  }
  return out;
}

async function tick(c: pg.Client, queue: string): Promise<void> {
  await c.query("select pgq.force_tick($1)", [queue]);
  await c.query("select pgq.ticker($1)", [queue]);
}

async function batch(c: pg.Client, queue: string, consumer: string, finish = true) {
  const id = await one<string | null>(c, "select pgq.next_batch($1, $2)", [queue, consumer]);
  if (id === null) return null;
  const r = await c.query<{ ev_id: string; ev_type: string; ev_data: string }>(
    "select ev_id, ev_type, ev_data from pgq.get_batch_events($1)", [id]);
  if (finish) await c.query("select pgq.finish_batch($1)", [id]);
  // events of insert_event (not of the triggers)
  const own = r.rows.filter((x) => x.ev_type === "ev" || x.ev_type === "prod");
  return { id, data: own.map((x) => x.ev_data), ids: own.map((x) => x.ev_id) };
}

async function drain(c: pg.Client, queue: string, consumer: string): Promise<string[]> {
  const got: string[] = [];
  for (let b = await batch(c, queue, consumer); b; b = await batch(c, queue, consumer)) got.push(...b.data);
  return got;
}

async function rotate(c: pg.Client, queue: string): Promise<void> {
  const before = await one<number>(c, "select queue_cur_table from pgq.queue where queue_name = $1", [queue]);
  await c.query("select pgq.maint_rotate_tables_step1($1)", [queue]);
  await c.query("select pgq.maint_rotate_tables_step2()");
  expect(await one<number>(c, "select queue_cur_table from pgq.queue where queue_name = $1", [queue])).not.toBe(before);
}

const sorted = (xs: string[]) => [...xs].sort();

/** A producer in its own session: insert_event in a loop, and every tenth round a row into each trigger table. */
function startProducer(c: pg.Client) {
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

describe("in place from PgQ 3.5", () => {
  it("ALTER EXTENSION pgq UPDATE under load: nothing lost or duplicated, triggers and pgqd go on", async () => {
    await cluster.query("postgres", "create database app");
    const c = await connect("app");
    await c.query("create extension pgq version '3.5'");
    await c.query("create extension pgq_ext version '3.3'");
    expect(await one(c, "select pgq.version()")).toBe("3.5");
    expect(await one(c, "select probin from pg_proc where oid = 'pgq.insert_event_raw'::regproc")).toBe("$libdir/pgq_lowlevel");

    // --- the 3.5 database: events in all three tables of q_main ---
    for (const q of ["q_main", "q_side"]) await c.query("select pgq.create_queue($1)", [q]);
    await c.query("select pgq.set_queue_config('q_main', 'rotation_period', '0')");
    for (const cons of ["c_open", "c_lag", "c_retry"]) await c.query("select pgq.register_consumer('q_main', $1)", [cons]);
    await c.query("select pgq.register_consumer('q_side', 'c_side')");
    await insert(c, "q_main", "t0", 5);
    await tick(c, "q_main");
    for (const cons of ["c_open", "c_lag", "c_retry"]) expect(await drain(c, "q_main", cons)).toHaveLength(5);
    await rotate(c, "q_main");
    await insert(c, "q_main", "t1", 4);
    await tick(c, "q_main");
    await drain(c, "q_main", "c_open");
    await drain(c, "q_main", "c_lag");
    const rb = await batch(c, "q_main", "c_retry", false);
    expect(rb?.data).toHaveLength(4);
    await c.query("select pgq.event_retry($1, $2, 0)", [rb!.id, rb!.ids[0]]);
    await c.query("select pgq.event_retry($1, $2, 0)", [rb!.id, rb!.ids[1]]);
    await c.query("select pgq.finish_batch($1)", [rb!.id]);
    await rotate(c, "q_main");
    const t2 = await insert(c, "q_main", "t2", 6);
    await tick(c, "q_main");
    await drain(c, "q_main", "c_retry");
    const open = await batch(c, "q_main", "c_open", false);
    expect(open?.data).toEqual(t2);
    const t2b = await insert(c, "q_main", "t2b", 3);
    await tick(c, "q_main");
    const side = await insert(c, "q_side", "side", 3);
    for (const t of [0, 1, 2]) expect(Number(await one(c, `select count(*) from pgq.event_1_${t}`))).toBeGreaterThan(0);
    expect(Number(await one(c, "select count(*) from pgq.retry_queue"))).toBe(2);

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
    const files = "select relname, relfilenode from pg_class where relname ~ '^event_\\d+_\\d+$' order by 1";
    const filesBefore = (await c.query(files)).rows;
    const triggersBefore = (await c.query("select oid, tgrelid::regclass::text, tgfoid::regprocedure::text from pg_trigger where not tgisinternal order by oid")).rows;

    // the python consumer starts at the current tick; ticks from here on are pgqd's
    await c.query("select pgq.register_consumer('q_main', 'pyc')");
    await c.query("update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '1 second', queue_rotation_period = '1 second'");
    await c.query("insert into orders values (1, 'pen'); update orders set item = 'ink' where id = 1; delete from orders where id = 1");
    await c.query("insert into accounts values (1, 'bob'); update accounts set owner = 'eve' where id = 1");
    await c.query("insert into skipped values (1, 'queued, not stored')");

    daemons.push(startPgqd(dir, cluster, ["app"]));
    const pyc = startRecorder(dir, cluster, "app", "q_main", "pyc", "public.seen");
    daemons.push(pyc);
    const seen = async () => Number(await one(c, "select count(*) from seen"));
    // the six trigger events above
    await waitFor(async () => (await seen()) >= 6, 30_000, "the python consumer's first batches (3.5)");

    // --- the update, while everything runs ---
    const producer = startProducer(await connect("app"));
    await waitFor(() => producer.committed.length > 100, 15_000, "producer before the update");
    pgq35("install-ours", PREFIX);
    const u = await connect("app");
    const t0 = performance.now();
    await u.query("alter extension pgq update");
    const tUpdate = performance.now();
    await u.query("alter extension pgq_ext update");
    const t1 = performance.now();
    const atUpdate = producer.committed.length;
    await waitFor(() => producer.committed.length > atUpdate + 300, 20_000, "producer after the update");
    await producer.stop();
    const during = producer.latencies.filter((l) => l.at + l.ms >= t0 && l.at <= t1);
    const maxDuring = Math.max(...during.map((l) => l.ms));
    const maxAll = Math.max(...producer.latencies.map((l) => l.ms));
    console.log(`PgQ 3.5 -> ${PGQ_VERSION}: alter extension pgq update ${(tUpdate - t0).toFixed(0)} ms, ` +
      `pgq_ext ${(t1 - tUpdate).toFixed(0)} ms; producer: ${producer.committed.length} events, ` +
      `max insert_event latency ${maxDuring.toFixed(0)} ms during the update, ${maxAll.toFixed(0)} ms overall`);
    expect(producer.errors).toEqual([]);
    expect(maxAll).toBeLessThan(5000);

    expect(await one(c, "select extversion from pg_extension where extname = 'pgq'")).toBe(PGQ_VERSION);
    expect(await one(c, "select extversion from pg_extension where extname = 'pgq_ext'")).toBe(PGQ_VERSION);
    expect(await one(c, "select pgq.version()")).toBe(PGQ_VERSION);
    // the data tables are the same files (not rewritten), as partitions now
    expect((await c.query(files)).rows).toEqual(filesBefore);
    // no C left; the triggers are the same rows, pointing at the same (now PL/pgSQL) functions
    expect(Number(await one(c, "select count(*) from pg_proc where probin like '%pgq%'"))).toBe(0);
    expect((await c.query("select oid, tgrelid::regclass::text, tgfoid::regprocedure::text from pg_trigger where not tgisinternal order by oid")).rows)
      .toEqual(triggersBefore);
    expect((await c.query(`select proname, l.lanname from pg_proc p join pg_language l on l.oid = p.prolang
                            where p.oid in ('pgq.logutriga'::regproc, 'pgq.sqltriga'::regproc, 'pgq.insert_event_raw'::regproc)
                            order by 1`)).rows.map((r) => `${r.proname}:${r.lanname}`))
      .toEqual(["insert_event_raw:plpgsql", "logutriga:plpgsql", "sqltriga:plpgsql"]);

    // triggers after the update
    await c.query("insert into orders values (2, 'cup'); delete from orders where id = 2");
    await c.query("insert into accounts values (2, 'joe')");
    await c.query("insert into skipped values (2, 'after')");
    expect(Number(await one(c, "select count(*) from skipped"))).toBe(0);

    // --- the python consumer got every event once ---
    // producer events, two trigger events per producer row, six trigger events before and four after
    const expectPyc = producer.committed.length + 2 * producer.rows.length + 6 + 4;
    await waitFor(async () => (await seen()) >= expectPyc, 30_000, `the python consumer to reach ${expectPyc} events`);
    await new Promise((r) => setTimeout(r, 1000)); // and nothing more comes
    const rec = (await c.query<{ ev_id: string; ev_type: string; ev_data: string; ev_extra1: string | null }>(
      "select ev_id, ev_type, ev_data, ev_extra1 from seen order by ev_id")).rows;
    expect(rec).toHaveLength(expectPyc);
    expect(new Set(rec.map((r) => r.ev_id)).size).toBe(rec.length);
    expect(sorted(rec.filter((r) => r.ev_type === "prod").map((r) => r.ev_data))).toEqual(sorted(producer.committed));
    const trig = rec.filter((r) => r.ev_type !== "prod").map((r) => `${r.ev_type} ${r.ev_data} ${r.ev_extra1}`);
    // the same encodings before (C) and after (ours)
    expect(trig.slice(0, 6)).toEqual([
      "I:id id=1&item=pen public.orders",
      "U:id id=1&item=ink public.orders",
      "D:id id=1&item=ink public.orders",
      "I (id,owner) values ('1','bob') public.accounts",
      "U owner='eve' where id='1' public.accounts",
      "I:id id=1&note=queued%2c+not+stored public.skipped",
    ]);
    expect(trig.slice(-4)).toEqual([
      "I:id id=2&item=cup public.orders",
      "D:id id=2&item=cup public.orders",
      "I (id,owner) values ('2','joe') public.accounts",
      "I:id id=2&note=after public.skipped",
    ]);
    for (const id of producer.rows) {
      expect(trig).toContain(`I:id id=${id}&item=book public.orders`);
      expect(trig).toContain(`I (id,owner) values ('${id}','ann') public.accounts`);
    }

    // --- the SQL consumers: open batch, lagging events in all tables, retries ---
    const again = await batch(c, "q_main", "c_open");
    expect(again?.id).toBe(open!.id);
    expect(again?.data).toEqual(t2);
    const fromNow = [...t2b, ...producer.committed];
    expect(sorted(await drain(c, "q_main", "c_open"))).toEqual(sorted(fromNow));
    expect(sorted(await drain(c, "q_main", "c_lag"))).toEqual(sorted([...t2, ...t2b, ...producer.committed]));
    await waitFor(async () => Number(await one(c, "select count(*) from pgq.retry_queue")) === 0, 10_000, "pgqd to move the retry events");
    expect(sorted(await drain(c, "q_main", "c_retry")))
      .toEqual(sorted([...rb!.data.slice(0, 2), ...t2b, ...producer.committed]));
    expect(sorted(await drain(c, "q_side", "c_side"))).toEqual(side);
    expect((await c.query(`select pgq_ext.is_batch_done('ext_c', 11) a, pgq_ext.get_last_tick('ext_c', 'sub') t,
                                  pgq_ext.is_event_done('ext_c', 31, 41) e`)).rows[0]).toEqual({ a: true, t: "21", e: true });

    // pgqd went on ticking and rotating the converted tables
    const ticks = Number(await one(c, "select max(tick_id) from pgq.tick where tick_queue = 1"));
    await waitFor(async () => Number(await one(c, "select max(tick_id) from pgq.tick where tick_queue = 1")) > ticks + 2, 10_000, "pgqd ticks");
    const rotations = await one<number>(c, "select queue_cur_table from pgq.queue where queue_id = 1");
    await c.query("select pgq.insert_event('q_main', 'prod', 'late')");
    await waitFor(async () => {
      for (const cons of ["c_open", "c_lag", "c_retry"]) await drain(c, "q_main", cons);
      return (await one<number>(c, "select queue_cur_table from pgq.queue where queue_id = 1")) !== rotations;
    }, 20_000, "a rotation by pgqd after the update");
    await waitFor(async () => Number(await one(c, "select count(*) from seen where ev_data = 'late'")) === 1, 10_000, "the late event");

    for (const d of daemons) await d.stop();
    expect(pyc.output()).not.toMatch(/Traceback|ERROR/);
    expect(daemons[0]!.output()).not.toMatch(/ERROR/);

    // --- the catalog equals a fresh install with the same queues ---
    await cluster.query("postgres", "create database fresh");
    const f = await connect("fresh");
    await f.query("create extension pgq; create extension pgq_ext");
    for (const q of ["q_main", "q_side"]) await f.query("select pgq.create_queue($1)", [q]);
    expect(diffLines(await describeCatalog(c), await describeCatalog(f))).toEqual([]);
  });
});
