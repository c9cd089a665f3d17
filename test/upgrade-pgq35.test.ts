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
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { waitFor } from "./support/cli.js";
import { batch, drain, insert, one, pgq35, prepare35, sorted, tick, startPgqd, startProducer, startRecorder, type Daemon } from "./support/pgq35.js";
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
  rmSync(dir, { recursive: true, force: true });
});

async function connect(db: string): Promise<pg.Client> {
  const c = new pg.Client(cluster.config(db));
  await c.connect();
  c.on("notice", () => {});
  clients.push(c);
  return c;
}

describe("in place from PgQ 3.5", () => {
  it("ALTER EXTENSION pgq UPDATE under load: nothing lost or duplicated, triggers and pgqd go on", async () => {
    await cluster.query("postgres", "create database app");
    const c = await connect("app");
    await c.query("create extension pgq version '3.5'");
    await c.query("create extension pgq_ext version '3.3'");
    expect(await one(c, "select pgq.version()")).toBe("3.5");
    expect(await one(c, "select probin from pg_proc where oid = 'pgq.insert_event_raw'::regproc")).toBe("$libdir/pgq_lowlevel");

    const { t2, t2b, side, open, retried } = await prepare35(c);
    const files = "select relname, relfilenode from pg_class where relname ~ '^event_\\d+_\\d+$' order by 1";
    const filesBefore = (await c.query(files)).rows;
    const triggersBefore = (await c.query("select oid, tgrelid::regclass::text, tgfoid::regprocedure::text from pg_trigger where not tgisinternal order by oid")).rows;

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
      .toEqual(sorted([...retried, ...t2b, ...producer.committed]));
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
    const fresh41 = await describeCatalog(f);
    expect(diffLines(await describeCatalog(c), fresh41)).toEqual([]);

    // --- back out: C PgQ 3.5 again, in place (pgq_ext stays ours) ---
    const queues = ["q_main", "q_side"];
    await tick(c, "q_main");
    for (const cons of ["c_open", "c_lag", "c_retry"]) await drain(c, "q_main", cons);
    const filesBackout = (await c.query(files)).rows; // rotation truncated some
    // a dropped queue whose storage maintenance has not removed yet
    await c.query("select pgq.create_queue('q_gone')");
    await c.query("select pgq.drop_queue('q_gone')");
    // only on purpose: a pgq.control of PgQ's package (default 3.5) must not take a plain UPDATE back
    await expect(c.query("alter extension pgq update to '3.5'")).rejects.toThrow(/this would go back to PgQ 3.5/);
    await c.query("set pgq.back_out = on");
    await c.query("alter extension pgq update to '3.5'");
    await c.query("reset pgq.back_out");
    expect(await one(c, "select pgq.version()")).toBe("3.5");
    expect(await one(c, "select probin from pg_proc where oid = 'pgq.logutriga'::regproc")).toBe("$libdir/pgq_triggers");
    expect((await c.query(files)).rows).toEqual(filesBackout);
    expect((await c.query("select oid, tgrelid::regclass::text, tgfoid::regprocedure::text from pg_trigger where not tgisinternal order by oid")).rows)
      .toEqual(triggersBefore);
    await cluster.query("postgres", "create database fresh35");
    const f35 = await connect("fresh35");
    await f35.query("create extension pgq version '3.5'");
    for (const q of queues) await f35.query("select pgq.create_queue($1)", [q]);
    expect(diffLines(await describeCatalog(c, ["pgq"], ["pgq"]), await describeCatalog(f35, ["pgq"], ["pgq"]))).toEqual([]);
    // PgQ 3.5 goes on with the queues: its C insert_event and triggers, its batches
    const back = await insert(c, "q_main", "back", 3);
    await c.query("insert into orders values (3, 'jar')");
    expect((await c.query("select ev_type, ev_data from pgq.event_template where ev_extra1 = 'public.orders' order by ev_id desc limit 1")).rows)
      .toEqual([{ ev_type: "I:id", ev_data: "id=3&item=jar" }]);
    await tick(c, "q_main");
    for (const cons of ["c_open", "c_lag", "c_retry"]) expect(await drain(c, "q_main", cons)).toEqual(back);
    expect(await one(c, "select pgq_ext.is_batch_done('ext_c', 11)")).toBe(true);

    // and forward again: the same catalog as a fresh install
    await c.query("alter extension pgq update");
    expect(diffLines(await describeCatalog(c), fresh41)).toEqual([]);
    const again2 = await insert(c, "q_main", "again", 2);
    await tick(c, "q_main");
    for (const cons of ["c_open", "c_lag", "c_retry"]) expect(await drain(c, "q_main", cons)).toEqual(again2);
  });
});
