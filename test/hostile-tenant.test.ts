// The standing defence of issue #13: a hostile tenant against a superuser's
// pgq.  One private cluster; roles r_reader (pgq_reader), r_writer
// (pgq_writer), r_admin (pgq_admin), r_none (no pgq role) and r_dbowner, a
// non-superuser who owns the databases `tenant` and `tenant2` (pgq and
// pgq_ext installed there by the superuser), `victimdb` (where it plants a
// fake schema pgq) and `legacydb` (pgq 4.0, installed by the superuser).
//
// While pgq-runner (discovery mode, short periods), pgqadm (ticker, status),
// queue_splitter (tenant.split_src -> tenant2.dst_a / dst_b) and driver
// Consumers all run as the superuser, and superuser sessions with the default
// search_path ("$user", public) produce events (insert_event, every trigger
// form, row and statement level) and consume them by hand, every role tries
// the attacks of the issue and some more, and r_dbowner plants, in public
// and in schema "postgres" (the superuser's "$user"), a trap for everything
// the built extension scripts name (test/support/tenant-plants.sql:
// functions, aggregates and operators whose signatures match our calls
// better than pg_catalog's; in tenant2, whose search_path it sets to
// public, pg_catalog, also exact copies and domains named like the types).
// Every trap records its call and tries `alter role r_dbowner superuser`.
// r_dbowner also sets its databases' DateStyle and IntervalStyle to what
// node-postgres cannot read.  Each attack (see attacks()) says what it tries
// and how 4.0 answered.
//
// Passes when, after the tools ran and the workload went through: no role
// gained an attribute or a membership, no trap ever ran (table and sequence
// untouched), every event produced was consumed exactly once by each legit
// consumer, and each attack that must fail failed with its SQLSTATE.
//
// The superuser's own statements here name pg_catalog's operators where
// they compare: what a superuser types is its business; this file tests what
// pgq and its tools run on its behalf.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Consumer, type PgqEvent } from "../src/index.js";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { runCli as startCli, waitFor, type Run } from "./support/cli.js";

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "pgq-hostile-tenant."));
const ROLES = ["r_reader", "r_writer", "r_admin", "r_none", "r_dbowner"] as const;
type Role = (typeof ROLES)[number] | "postgres";
const DBS = ["tenant", "tenant2", "victimdb", "legacydb"] as const;
const FORGED = "2026-01-01 00:00:00 INFO";

let cluster: PrivateCluster;
const runs: Run[] = [];
const clients: pg.Client[] = [];
const safe = new Map<string, pg.Client>();
const stop = new AbortController();

function runCli(tool: string, args: string[]): Run {
  const run = startCli(tool, args);
  runs.push(run);
  return run;
}

function ini(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A session as `user`; with `path`, that search_path, else the role's default one. */
async function open(db: string, user: Role = "postgres", path?: string): Promise<pg.Client> {
  const c = new pg.Client({ ...cluster.config(db), user, ...(path ? { options: `-c search_path=${path}` } : {}) });
  c.on("error", () => undefined);
  await c.connect();
  clients.push(c);
  return c;
}

/** The superuser, with nothing but pg_catalog in its path: the test's own look at things. */
async function su<T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []): Promise<T[]> {
  let c = safe.get(db);
  if (!c) {
    c = await open(db, "postgres", "pg_catalog");
    safe.set(db, c);
  }
  return (await c.query(text, params)).rows as T[];
}

async function as(role: Role, db: string, ...statements: string[]): Promise<void> {
  const c = await open(db, role);
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------- attacks

interface Outcome {
  id: string;
  expected: string | null;
  got: string | null;
  message?: string;
}
const outcomes: Outcome[] = [];

/**
 * Runs one attack in a session of its own as `who` (default search_path);
 * records the SQLSTATE of the first error (null: it went through).
 */
async function attack(id: string, who: Role, db: string, expected: string | null,
  fn: (c: pg.Client) => Promise<unknown>): Promise<void> {
  const c = await open(db, who);
  const o: Outcome = { id, expected, got: null };
  try {
    await fn(c);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    o.got = e.code ?? "(no SQLSTATE)";
    o.message = e.message;
  } finally {
    await c.end();
  }
  outcomes.push(o);
}

// ---------------------------------------------------------------- state

/** What each legit consumer got, as "queue:ev_id" (c_orders and the dst consumers write hx.recv in tenant2). */
const suManual: string[] = [];
let tmpSchema = ""; // r_admin's temporary schema in tenant (its functions live there)
let legacyTmp = "";
let adminTemp: pg.Client;
let legacyTemp: pg.Client;
let membersBefore: string[] = [];
let rolesBefore: unknown[] = [];
let runner: Run;
let admTicker: Run;
let splitter: Run;
const consumerErrors: unknown[] = [];
/** Events a legit consumer got without a valid ev_time. */
const badTimes: string[] = [];
const statusOutputs: string[] = [];
const consumers: Promise<void>[] = [];
let squatOutcome: { first: string | null; afterCleanup: string[] } | undefined;
let badBulk: Outcome | undefined;

const connstr = (db: string) => `dbname=${db} host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres`;
const memberships = async () =>
  (await su<{ m: string }>("postgres", `select r.rolname || ' in ' || g.rolname as m
      from pg_auth_members a join pg_roles r on r.oid = a.member join pg_roles g on g.oid = a.roleid
     order by 1`)).map((r) => r.m);
const roleAttrs = () => su("postgres", `select rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
    from pg_roles where rolname = any ($1) order by 1`, [[...ROLES]]);

/** Names the built scripts use: calls (a word before "("), every word, every operator token. */
function scriptNames(): { calls: string[]; words: string[]; ops: string[] } {
  const text = ["extension/pgq.sql", "extension/pgq_ext.sql"]
    .map((f) => readFileSync(resolve(root, f), "utf8")).join("\n").toLowerCase();
  const uniq = (a: string[]) => [...new Set(a)];
  return {
    calls: uniq([...text.matchAll(/([a-z_][a-z0-9_]*)\s*\(/g)].map((m) => m[1]!)),
    words: uniq([...text.matchAll(/[a-z_][a-z0-9_]*/g)].map((m) => m[0])),
    ops: uniq([...text.matchAll(/[-+*/<>=~!@#%^&|`?]+/g)].map((m) => m[0])),
  };
}

// ---------------------------------------------------------------- setup

const TABLES = `
    create schema hx;
    create table hx.recv (consumer text, ev_id bigint, ev_type text, ev_data text);
    create table hx.t_log (id int primary key, tag text, n int not null);
    create trigger q after insert or update or delete on hx.t_log for each row
        execute function pgq.logutriga(@Q1, 'backup', 'when=n operator(pg_catalog.>=) 0', 'ev_extra2=tag');
    create table hx.t_sql (id int primary key, tag text, n int not null);
    create trigger q after insert or update or delete on hx.t_sql for each row execute function pgq.sqltriga(@Q1, 'pkey=id');
    create table hx.t_json (id int primary key, tag text, n int not null);
    create trigger q after insert or update or delete on hx.t_json for each row execute function pgq.jsontriga(@Q1, 'backup');
    create trigger qt after truncate on hx.t_json for each statement execute function pgq.jsontriga(@Q1);
    create table hx.t_skip (id int primary key, tag text, n int not null, _pgq_ev_type text);
    create trigger q before insert on hx.t_skip for each row execute function pgq.logutriga(@Q1, 'SKIP');
    create table hx.t_before (id int primary key, tag text, n int not null);
    create trigger q before insert or update or delete on hx.t_before for each row execute function pgq.sqltriga(@Q1, 'ignore=n');
    create table hx.b_log (id int primary key, tag text, n int not null);
    create table hx.b_sql (id int primary key, tag text, n int not null);
    create table hx.b_json (id int primary key, tag text, n int not null);
    create table hx.t_bad (id int primary key, tag text, n int not null);
    insert into hx.t_bad values (1, 'a', 1);
    -- a bulk UPDATE trigger declared without its OLD TABLE: the superuser's mistake
    create trigger tu after update on hx.t_bad referencing new table as pgq_new
        for each statement execute function pgq.logutriga_bulk(@Q2);
    grant usage on schema hx to r_writer, r_admin;
    grant select, insert, update, delete on all tables in schema hx to r_writer;
`;

function bulkTriggers(q: string): string {
  return ["log", "sql", "json"].map((k) => {
    const fn = `pgq.${k === "log" ? "logu" : k}triga_bulk`;
    return `
      create trigger ti after insert on hx.b_${k} referencing new table as pgq_new
          for each statement execute function ${fn}('${q}', 'when=n operator(pg_catalog.>=) 0', 'ev_extra3=tag');
      create trigger tu after update on hx.b_${k} referencing old table as pgq_old new table as pgq_new
          for each statement execute function ${fn}('${q}', 'backup');
      create trigger td after delete on hx.b_${k} referencing old table as pgq_old
          for each statement execute function ${fn}('${q}');`;
  }).join("\n");
}

/** A fake schema whose every function is a trap (as r_dbowner). */
function fakeSchema(schema: string): string[] {
  return [
    `create schema ${schema}`,
    `create function ${schema}.hx_grab(text default null) returns integer language plpgsql as $$
     begin
         perform pg_catalog.nextval('public.hx_called_seq');
         insert into public.hx_called (what) values ('${schema}.hx_grab');
         begin
             execute 'alter role r_dbowner superuser';
         exception when others then null;
         end;
         return 0;
     end $$`,
  ];
}

beforeAll(async () => {
  cluster = startPrivateCluster();
  await su("postgres", "create role r_dbowner login");
  for (const db of DBS) await su("postgres", `create database ${db} owner r_dbowner`);
  for (const db of ["tenant", "tenant2"]) {
    await su(db, "create extension pgq");
    await su(db, "create extension pgq_ext");
  }
  await su("legacydb", "create extension pgq version '4.0'");
  await su("postgres", `create role r_reader login in role pgq_reader;
                        create role r_writer login in role pgq_writer;
                        create role r_admin login in role pgq_admin;
                        create role r_none login`);
  membersBefore = await memberships();
  rolesBefore = await roleAttrs();

  // ---- tenant: the superuser's queues, tables and consumers
  for (const q of ["orders", "split_src", "limited", "squatq", "admin_q"]) {
    await su("tenant", "select pgq.create_queue($1)", [q]);
  }
  await su("tenant", `update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0' where queue_name <> 'squatq'`);
  // squatq ticks when told to (squat() below needs to know which tick ends the batch)
  await su("tenant", `update pgq.queue set queue_ticker_max_lag = '1 hour', queue_ticker_idle_period = '1 hour'
                       where queue_name = 'squatq'`);
  await su("tenant", "update pgq.queue set queue_per_tx_limit = 3 where queue_name = 'limited'");
  await su("tenant", TABLES.replaceAll("@Q1", "'orders'").replaceAll("@Q2", "'orders'") + bulkTriggers("orders"));
  for (const [q, c] of [["orders", "c_orders"], ["orders", "su_manual"], ["split_src", "split_job"]]) {
    await su("tenant", "select pgq.register_consumer($1, $2)", [q, c]);
  }
  // ---- tenant2: the splitter's and consumers' target
  for (const q of ["dst_a", "dst_b"]) await su("tenant2", "select pgq.create_queue($1)", [q]);
  await su("tenant2", `update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0'`);
  await su("tenant2", TABLES.replaceAll("@Q1", "'dst_a'").replaceAll("@Q2", "'dst_b'") + bulkTriggers("dst_b"));
  for (const [q, c] of [["dst_a", "c_dst_a"], ["dst_b", "c_dst_b"]]) {
    await su("tenant2", "select pgq.register_consumer($1, $2)", [q, c]);
  }
  await su("tenant2", "grant insert on hx.recv to public");
  // ---- legacydb: pgq 4.0, a queue to tick
  await su("legacydb", "select pgq.create_queue('lq')");

  // ---- r_dbowner plants.  Its recording table and sequence everywhere.
  const plants = readFileSync(resolve(root, "test/support/tenant-plants.sql"), "utf8");
  const names = scriptNames();
  for (const db of DBS) await as("r_dbowner", db, plants);
  const o = await open("tenant", "r_dbowner");
  // (2) traps for every name our code calls, better matches than
  // pg_catalog's, where the superuser's default search_path looks: public
  // and "$user" (a schema named postgres, which the database owner may
  // create).  4.0: sprang (unqualified unnest, array_agg, format,
  // pg_stat_get_dead_tuples in invoker-rights code: the runner's
  // maint_operations, a superuser's INSERT into a sqltriga table, its
  // get_batch_events).  The superuser sessions below walk all of those.
  await o.query(`create schema "postgres"`);
  const nTenant = (await o.query("select public.hx_plant($1, $2, $3, 'better', 'public', 'postgres') n",
    [names.calls, names.words, names.ops])).rows[0].n as number;
  expect(nTenant).toBeGreaterThan(1500);
  // (3, variant) schemas that pgq.maint_operations() looks into: pgq_node
  // and londiste, r_dbowner's own, with functions by the names it calls;
  // 4.0: handed to the superuser daemon (as PgQ 3.5 does)
  for (const s of [...fakeSchema("pgq_node"), ...fakeSchema("londiste")]) await o.query(s);
  await o.query(`create table pgq_node.node_info (queue_name text, node_type text);
      insert into pgq_node.node_info values ('orders', 'root');
      create table londiste.seq_info (queue_name text, local boolean);
      insert into londiste.seq_info values ('orders', true);
      create function pgq_node.maint_watermark(text) returns integer language sql as 'select pgq_node.hx_grab($1)';
      create function londiste.root_check_seqs(text) returns integer language sql as 'select londiste.hx_grab($1)';
      create function londiste.periodic_maintenance() returns integer language sql as 'select londiste.hx_grab()'`);
  // NEW: a view named like the bulk triggers' transition table; its
  // function runs as whoever reads the view.  A bulk trigger declared
  // without OLD TABLE (hx.t_bad) read it instead, as the superuser who
  // updated the table; 4.0: the same
  await o.query(`create function public.hx_view_grab() returns integer language plpgsql as $$
      begin
          perform pg_catalog.nextval('public.hx_called_seq');
          insert into public.hx_called (what) values ('view pgq_old');
          begin
              execute 'alter role r_dbowner superuser';
          exception when others then null;
          end;
          return 1;
      end $$;
      create view public.pgq_old as select public.hx_view_grab() as id, 'x'::text as tag, 1 as n`);
  // a trusted extension: its functions belong to the bootstrap superuser
  // (r_admin names its crosstab(text) as maintenance below)
  await o.query("create schema hx_own; create extension tablefunc schema hx_own");
  await o.end();

  // NEW: tenant2's sessions search public before pg_catalog (its owner's
  // ALTER DATABASE), so exact copies of pg_catalog's functions and
  // operators, and domains named like its types, are found first there.
  // Our trigger code qualified its calls but not its types (NEW::text,
  // text variables): a domain public.text ran its CHECK as the superuser
  // who fired a trigger; 4.0: that and everything else unqualified.
  // The tools set their own search_path and are not affected.
  const o2 = await open("tenant2", "r_dbowner");
  await o2.query(`create schema "postgres"`);
  const n2 = (await o2.query(`select public.hx_plant($1, $2, $3, 'better', 'public', 'postgres')
                                   + public.hx_plant($1, $2, $3, 'exact', 'public', 'postgres') n`,
  [names.calls, names.words, names.ops])).rows[0].n as number;
  expect(n2).toBeGreaterThan(2000); // 2404 on PostgreSQL 13 (a smaller pg_catalog)
  // every new session of tenant2 searches public before pg_catalog
  await o2.query("alter database tenant2 set search_path = public, pg_catalog");
  await o2.end();
  // NEW: date and interval output that node-postgres cannot read (it
  // returned NULL ev_times to the superuser's consumers, and
  // queue_splitter wrote now() as the moved events' time)
  for (const db of ["tenant", "tenant2"]) {
    await as("r_dbowner", db, `alter database ${db} set datestyle = 'SQL, DMY'`,
      `alter database ${db} set intervalstyle = 'iso_8601'`);
  }

  // (3) victimdb: r_dbowner's own schema pgq, whose ticker would run as
  // the runner; 4.0's runner (discovery) called it
  await as("r_dbowner", "victimdb", ...fakeSchema("pgq"),
    "create function pgq.version() returns text language sql as $$ select '4.1'::text $$",
    "create function pgq.ticker() returns bigint language sql as $$ select pgq.hx_grab('ticker')::bigint $$",
    `create function pgq.maint_operations(out func_name text, out func_arg text) returns setof record
         language sql as $$ select 'pgq.hx_grab'::text, 'maint'::text $$`,
    "create function pgq.maint_retry_events() returns integer language sql as $$ select pgq.hx_grab('retry') $$");

  // r_admin's sessions with temporary functions (kept open: the functions
  // live as long as they do)
  const grab = `create function pg_temp.hx_grab(text default null) returns integer language plpgsql as $$
      begin
          perform pg_catalog.nextval('public.hx_called_seq');
          insert into public.hx_called (what) values ('r_admin temporary function');
          begin
              execute 'alter role r_admin superuser';
          exception when others then null;
          end;
          return 0;
      end $$`;
  adminTemp = await open("tenant", "r_admin");
  await adminTemp.query(grab);
  tmpSchema = (await adminTemp.query("select pg_catalog.pg_my_temp_schema()::pg_catalog.regnamespace::pg_catalog.text s")).rows[0].s;
  legacyTemp = await open("legacydb", "r_admin");
  await legacyTemp.query(grab);
  legacyTmp = (await legacyTemp.query("select pg_catalog.pg_my_temp_schema()::pg_catalog.regnamespace::pg_catalog.text s")).rows[0].s;

  // ---- the superuser's tools
  runner = runCli("pgq-runner", [ini("runner.ini", `[pgq-runner]
base_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
initial_database = postgres
ticker_period = 0.2
maint_period = 0.5
retry_period = 0.5
check_period = 0.5
stats_period = 5
`)]);
  admTicker = runCli("pgqadm", [ini("adm.ini", `[pgqadm]\njob_name = hx_adm\ndb = ${connstr("tenant")}\nloop_delay = 0.3\nmaint_delay = 1\n`), "ticker"]);
  splitter = runCli("queue_splitter", [ini("split.ini", `[queue_splitter3]
job_name = split_job
src_db = ${connstr("tenant")}
dst_db = ${connstr("tenant2")}
queue_name = split_src
loop_delay = 0.1
skip_bad_routing = 1
`)]);
}, 120_000);

afterAll(async () => {
  stop.abort();
  await Promise.allSettled(consumers);
  for (const r of runs) {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
  }
  await Promise.allSettled(clients.map((c) => c.end()));
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

// ---------------------------------------------------------------- workload

/** Rows in, updated, deleted, in every triggered table; events by insert_event; all with unique tags. */
async function produce(c: pg.Client, base: number, rounds: number, who: string, withSplit: boolean): Promise<void> {
  const live: number[] = [];
  for (let i = 0; i < rounds && !stop.signal.aborted; i++) {
    const id = base + i;
    const tag = `${who}-${i}`;
    for (const t of ["t_log", "t_sql", "t_json", "t_before"]) {
      await c.query(`insert into hx.${t} (id, tag, n) values ($1, $2, $3)`, [id, `${tag}-i`, i]);
    }
    await c.query("insert into hx.t_skip (id, tag, n, _pgq_ev_type) values ($1, $2, $3, 'skip')", [id, `${tag}-s`, i]);
    live.push(id);
    if (live.length > 2) {
      const u = live[live.length - 2]!;
      for (const t of ["t_log", "t_sql", "t_json", "t_before"]) {
        await c.query(`update hx.${t} set tag = $2 where id operator(pg_catalog.=) $1`, [u, `${tag}-u`]);
      }
    }
    if (i % 4 === 3) {
      const d = live.shift()!;
      for (const t of ["t_log", "t_sql", "t_json", "t_before"]) {
        await c.query(`delete from hx.${t} where id operator(pg_catalog.=) $1`, [d]);
      }
    }
    // statement-level triggers: three rows at a time
    const ids = [id * 3, id * 3 + 1, id * 3 + 2];
    for (const k of ["log", "sql", "json"]) {
      await c.query(`insert into hx.b_${k} (id, tag, n) values ($1, $4, 1), ($2, $4, 2), ($3, $4, 3)`, [...ids, `${tag}-b`]);
      await c.query(`update hx.b_${k} set tag = $2 where id operator(pg_catalog.=) any ($1::pg_catalog.int4[])`,
        [ids.slice(0, 2), `${tag}-bu`]);
      if (i % 2 === 1) await c.query(`delete from hx.b_${k} where id operator(pg_catalog.=) any ($1::pg_catalog.int4[])`, [ids]);
    }
    if (withSplit) {
      await c.query("select pgq.insert_event('orders', $1, $2)", [who, tag]);
      await c.query("select pgq.insert_event('split_src', 'split', $1, $2, null, null, null)",
        [`S-${tag}`, i % 2 ? "dst_a" : "dst_b"]);
    }
    await sleep(20);
  }
}

/** The superuser consuming by hand, in a session with the default search_path. */
async function manualConsumer(c: pg.Client): Promise<void> {
  let idle = 0;
  while (!stop.signal.aborted) {
    const b = (await c.query("select batch_id from pgq.next_batch_info('orders', 'su_manual')")).rows[0]?.batch_id;
    if (b === null || b === undefined) {
      if (idle++ % 5 === 0) {
        await c.query("select pgq.ticker()");
        await c.query("select * from pgq.maint_operations()");
        await c.query("select * from pgq.get_consumer_info()");
        await c.query("select * from pgq.get_queue_info()");
      }
      await sleep(100);
      continue;
    }
    await c.query("begin");
    const evs = (await c.query("select ev_id from pgq.get_batch_events($1)", [b])).rows;
    await c.query("select * from pgq.get_batch_info($1)", [b]);
    await c.query("select * from pgq.get_batch_cursor($1, 'hx_cur', 5, 'ev_type is not null')", [b]);
    await c.query("close hx_cur");
    await c.query("select pgq.finish_batch($1)", [b]);
    await c.query("commit");
    for (const e of evs) suManual.push(String(e.ev_id));
  }
}

function record(consumer: string, retryEvery = 0) {
  return async (batch: { events(): AsyncIterable<PgqEvent[]>; retry(ev: PgqEvent, s: number): void; target: pg.Client | undefined }) => {
    for await (const evs of batch.events()) {
      for (const ev of evs) {
        if (!(ev.ev_time instanceof Date) || Number.isNaN(ev.ev_time.getTime())) badTimes.push(`${consumer}: ${ev.ev_id} ${ev.ev_time}`);
        if (retryEvery && ev.ev_retry === null && BigInt(ev.ev_id) % BigInt(retryEvery) === 0n) {
          batch.retry(ev, 0);
          continue;
        }
        await batch.target!.query("insert into hx.recv (consumer, ev_id, ev_type, ev_data) values ($1, $2, $3, $4)",
          [consumer, ev.ev_id, ev.ev_type, ev.ev_data]);
      }
    }
  };
}

function startConsumer(queue: string, name: string, db: string, mode: "batch" | "tick", retryEvery = 0): void {
  const c = new Consumer({
    connection: cluster.config(db), queue, consumer: name, pollIntervalMs: 200,
    exactlyOnce: { target: cluster.config("tenant2"), mode },
    onError: (err) => consumerErrors.push(err),
  });
  consumers.push(c.run(record(name, retryEvery), stop.signal));
}

// ---------------------------------------------------------------- the attacks

// Each attack says what it tries and how pgq 4.0 answered: "4.0: worked"
// marks the routes of issue #13 (numbered as there), "NEW" the ones found
// while writing this file (4.1 before this file's commits let them through
// too), "4.0: refused" the guards that were already there.
async function attacks(): Promise<void> {
  const limitedId = (await su<{ id: number }>("tenant", "select queue_id id from pgq.queue where queue_name = 'limited'"))[0]!.id;

  // ---- r_none: nothing of pgq but the public status functions (4.0: refused, all five)
  // produce into a queue
  await attack("r_none calls insert_event", "r_none", "tenant", "42501",
    (c) => c.query("select pgq.insert_event('orders', 'x', 'y')"));
  // read every queue's events
  await attack("r_none reads the event tables", "r_none", "tenant", "42501",
    (c) => c.query("select * from pgq.event_template limit 1"));
  // take a legit consumer's batch
  await attack("r_none takes a batch of c_orders", "r_none", "tenant", "42501",
    (c) => c.query("select pgq.next_batch('orders', 'c_orders')"));
  // read a consumer's exactly-once position
  await attack("r_none reads pgq_ext progress", "r_none", "tenant2", "42501",
    (c) => c.query("select pgq_ext.get_last_tick('c_dst_a')"));
  // tick (SECURITY DEFINER)
  await attack("r_none runs the ticker", "r_none", "tenant", "42501", (c) => c.query("select pgq.ticker()"));

  // ---- r_reader
  // (17) register a NULL consumer; 4.0: reached the INSERT (23502 from the
  // NOT NULL, after taking locks and a sequence value)
  await attack("r_reader registers a NULL consumer (17)", "r_reader", "tenant", "22004",
    (c) => c.query("select pgq.register_consumer('orders', null)"));
  // produce without pgq_writer; 4.0: refused
  await attack("r_reader produces", "r_reader", "tenant", "42501",
    (c) => c.query("select pgq.insert_event('orders', 'x', 'y')"));
  // (1) consume the splitter's queue through pgq_ext without pgq_writer; 4.0: refused (pgq_ext is pgq_writer's)
  await attack("r_reader consumes through queue_splitter_local (1)", "r_reader", "tenant", "42501",
    (c) => c.query("select pgq_ext.queue_splitter_local('split_src', 'split_job', 'extra1', true)"));
  // hand the daemon a function; 4.0: refused (pgq.queue is pgq_admin's)
  await attack("r_reader sets queue_extra_maint", "r_reader", "tenant", "42501",
    (c) => c.query(`update pgq.queue set queue_extra_maint = '{pg_catalog.ts_stat}'`));
  // NEW: a consumer name that forges a line and sends escape sequences to
  // whoever reads pgqadm status (any text is a consumer name); 4.0: printed raw
  await attack("r_reader registers a consumer named with control characters", "r_reader", "tenant", null,
    (c) => c.query("select pgq.register_consumer('orders', $1)", [`hx\x1b]0;owned\x07\n${FORGED} pgqadm: forged line`]));
  // inject an event for one consumer through the retry queue; 4.0: refused (pgq_admin's)
  await attack("r_reader forges a retry event", "r_reader", "tenant", "42501",
    (c) => c.query(`select pgq.event_retry_raw('orders', 'c_orders', now(), null, now(), 0, 'x', 'y', null, null, null, null)`));

  // ---- r_writer, once the legit consumers have their pgq_ext rows
  await waitFor(async () => (await su<{ n: number }>("tenant2", `select count(*)::int n from pgq_ext.completed_tick
      where consumer_id in ('c_dst_a', 'split_job')`))[0]!.n === 2
    && (await su("tenant2", "select 1 from pgq_ext.completed_batch where consumer_id = 'c_orders'")).length === 1,
  20_000, "the consumers' pgq_ext rows");
  // (1) consume the splitter's batches (moving its events within tenant);
  // 4.0: worked (queue_splitter_local was SECURITY DEFINER)
  await attack("r_writer consumes split_src through queue_splitter_local (1)", "r_writer", "tenant", "42501",
    (c) => c.query("select pgq_ext.queue_splitter_local('split_src', 'split_job', 'extra1', true)"));
  // (4) move legit consumers' exactly-once positions (skip or replay
  // batches); 4.0: worked (any writer rewrote any row)
  await attack("r_writer moves c_dst_a's tick (4)", "r_writer", "tenant2", "42501",
    (c) => c.query("select pgq_ext.set_last_tick('c_dst_a', 1)"));
  await attack("r_writer moves c_orders' batch (4)", "r_writer", "tenant2", "42501",
    (c) => c.query("select pgq_ext.set_batch_done('c_orders', 1)"));
  await attack("r_writer moves the splitter's tick with queue_splitter_apply (4)", "r_writer", "tenant2", "42501",
    (c) => c.query(`select pgq_ext.queue_splitter_apply('split_job', 0, 1, true, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')`));
  // (13) produce events dated a year back; 4.0: worked (insert_events with
  // ev_times was granted to pgq_writer)
  await attack("r_writer forges ev_time (13)", "r_writer", "tenant", "42501",
    (c) => c.query(`select pgq.insert_events('orders', '{forged}', '{t}', null, null, null, null,
                                              array[now() - interval '1 year'])`));
  // (8) five events into a queue that allows three per transaction, resetting
  // the count before each; 4.0: worked (the count was that setting)
  await attack("r_writer lifts queue_per_tx_limit with set_config (8)", "r_writer", "tenant", "PQ006", async (c) => {
    await c.query("begin");
    try {
      for (let i = 0; i < 5; i++) {
        await c.query("select set_config($1, '-100', true)", [`pgq.tx_event_count_${limitedId}`]);
        await c.query("select pgq.insert_event('limited', 'x', 'y')");
      }
    } finally {
      await c.query("rollback");
    }
  });
  // write the queue's table directly (as COPY clients do), with a forged
  // ev_time and no per-transaction check; 4.0: refused (pgq_admin's)
  await attack("r_writer writes into current_event_table", "r_writer", "tenant", "42501", async (c) => {
    const t = (await c.query("select pgq.current_event_table('orders') t")).rows[0].t;
    await c.query(`insert into ${t} (ev_time, ev_type, ev_data) values (now() - interval '1 year', 'forged', 'x')`);
  });
  // NEW: a routing value that forges a line in the splitter's log (it
  // skips bad routing with a WARNING naming the value); 4.0: logged raw
  await attack("r_writer routes an event to a queue named with a newline", "r_writer", "tenant", null,
    (c) => c.query("select pgq.insert_event('split_src', 'forged', 'x', $1, null, null, null)",
      [`nope\n${FORGED} queue_splitter: forged line\x1b[2J`]));
  // take a legit consumer's batch without pgq_reader; 4.0: refused
  await attack("r_writer takes a batch of c_orders", "r_writer", "tenant", "42501",
    (c) => c.query("select pgq.next_batch('orders', 'c_orders')"));
  // lift the limit in the queue's row; 4.0: refused (pgq.queue is pgq_admin's)
  await attack("r_writer lifts the per-tx limit in pgq.queue", "r_writer", "tenant", "42501",
    (c) => c.query("update pgq.queue set queue_per_tx_limit = null"));

  // ---- r_admin
  // (5) its temporary function as a queue's maintenance (the function
  // makes r_admin superuser when the daemon calls it); 4.0: worked
  // (maint_operations handed any name to the superuser daemon).  The
  // UPDATE is allowed; the check is that hx_grab never runs.
  await attack("r_admin: queue_extra_maint = its temporary function (5)", "r_admin", "tenant", null,
    (c) => c.query("update pgq.queue set queue_extra_maint = $1 where queue_name = 'admin_q'", [[`${tmpSchema}.hx_grab`]]));
  // (5) a queue pointed at another schema's sequence, for grant_perms
  // (GRANT as the owner) and the external ticker's setval; 4.0: worked
  await attack("r_admin: queue_event_seq = another schema's sequence (5)", "r_admin", "tenant", "23514",
    (c) => c.query("update pgq.queue set queue_event_seq = 'public.hx_called_seq' where queue_name = 'admin_q'"));
  // (12) a name longer than a NOTIFY payload; 4.0: created, and ticker()
  // failed for every queue from then on
  await attack("r_admin creates a queue named with 9000 bytes (12)", "r_admin", "tenant", "42622",
    (c) => c.query("select pgq.create_queue(repeat('x', 9000))"));
  // (12) the same by renaming (UPDATE is pgq_admin's); 4.0: stopped every
  // queue's ticks; now that queue ticks without NOTIFY and the others on
  await attack("r_admin renames a queue to 9000 bytes (12): the others keep ticking", "r_admin", "tenant", null,
    (c) => c.query("update pgq.queue set queue_name = repeat('y', 9000) where queue_name = 'limited'"));
  // TRUNCATE another role's table through the SECURITY DEFINER compaction;
  // 4.0: refused
  await attack("r_admin compacts a table of r_dbowner", "r_admin", "tenant", "22023",
    (c) => c.query("select pgq.maint_compact('public.hx_called')"));
  // point a queue's storage elsewhere through the SECURITY DEFINER
  // setter; 4.0: refused
  await attack("r_admin sets a storage name through set_queue_config", "r_admin", "tenant", "22023",
    (c) => c.query("select pgq.set_queue_config('orders', 'data_pfx', 'public.hx')"));
  // NEW: pg_catalog.ts_stat(text), owned by the bootstrap superuser, runs
  // its argument as a query; as queue_extra_maint it got the queue's name,
  // a query calling r_admin's temporary function, run by the superuser
  // daemon (4.1 checked only the owner); 4.0: worked
  const tsQuery = `select pg_catalog.to_tsvector(${tmpSchema}.hx_grab()::pg_catalog.text)`;
  await attack("r_admin: queue_extra_maint = pg_catalog.ts_stat, queue named as a query", "r_admin", "tenant", null,
    async (c) => {
      await c.query("select pgq.create_queue($1)", [tsQuery]);
      await c.query("update pgq.queue set queue_extra_maint = '{pg_catalog.ts_stat}' where queue_name = $1", [tsQuery]);
    });
  // NEW: the same with tablefunc's crosstab(text), superuser-owned
  // because r_dbowner installed the trusted extension (the daemon's schema
  // check stops this one: hx_own is r_dbowner's)
  const ctQuery = `select ${tmpSchema}.hx_grab()::pg_catalog.text, 'a'::pg_catalog.text, 'b'::pg_catalog.text`;
  await attack("r_admin: queue_extra_maint = tablefunc's crosstab (r_dbowner installed it)", "r_admin", "tenant", null,
    async (c) => {
      await c.query("select pgq.create_queue($1)", [ctQuery]);
      await c.query("update pgq.queue set queue_extra_maint = '{hx_own.crosstab}' where queue_name = $1", [ctQuery]);
    });
  // NEW, the daemon's own check: pgq 4.0 (and PgQ 3.5) hand
  // queue_extra_maint out as written, and the daemon looked a bare name up
  // in pg_catalog: ts_stat (and lo_import) got the queue's name; plus (5)
  // there: the temporary function by its schema-qualified name
  const legacyQuery = `select pg_catalog.to_tsvector(${legacyTmp}.hx_grab()::pg_catalog.text)`;
  await attack("r_admin on pgq 4.0: queue_extra_maint = bare ts_stat", "r_admin", "legacydb", null, async (c) => {
    await c.query("select pgq.create_queue($1)", [legacyQuery]);
    await c.query("update pgq.queue set queue_extra_maint = '{ts_stat,lo_import}' where queue_name = $1", [legacyQuery]);
    await c.query("update pgq.queue set queue_extra_maint = $1 where queue_name = 'lq'", [[`${legacyTmp}.hx_grab`]]);
  });

  // ---- r_dbowner (its plants are made in beforeAll; these are the direct tries)
  // a DDL hook that would run in the superuser's sessions; 4.0: refused (PostgreSQL's rule)
  await attack("r_dbowner creates an event trigger", "r_dbowner", "tenant", "42501", async (c) => {
    await c.query(`create function public.hx_et() returns event_trigger language plpgsql as $$
        begin perform public.hx_view_grab(); end $$`);
    await c.query("create event trigger hx_et on ddl_command_start execute function public.hx_et()");
  });
  // the pgq roles are cluster-wide, granted by their creator; 4.0: refused
  await attack("r_dbowner grants itself pgq_admin", "r_dbowner", "tenant", "42501",
    (c) => c.query("grant pgq_admin to r_dbowner"));
  // owning the database is not owning the extension's schema; 4.0: refused
  await attack("r_dbowner takes over the extension's schema", "r_dbowner", "tenant", "42501",
    (c) => c.query("alter schema pgq owner to r_dbowner"));
}

/**
 * NEW: a pgq_writer claims the pgq_ext row of a consumer that has written
 * none yet (rows are keyed by consumer name only), with the end tick of its
 * next batch: the superuser's consumer, which sees every row, took the
 * batch as applied and finished it unread (its events lost), and the
 * writer kept the row.
 */
async function squat(): Promise<void> {
  await su("tenant", "select pgq.register_consumer('squatq', 'c_squat')");
  await su("tenant", "select pgq.insert_event('squatq', 'squat', 'E' || i) from generate_series(1, 2) i");
  // the next tick ends the consumer's first batch, with both events
  await su("tenant", "select pgq.force_tick('squatq')");
  await waitFor(async () => Number((await su<{ p: string }>("tenant",
    "select pending_events p from pgq.get_consumer_info('squatq', 'c_squat')"))[0]!.p) > 0, 15_000, "a tick on squatq");
  // what the writer needs is public: the consumer's last tick (get_consumer_info)
  const w = await open("tenant", "r_writer");
  const next = (await w.query("select last_tick + 1 t from pgq.get_consumer_info('squatq', 'c_squat')")).rows[0].t;
  await w.end();
  await as("r_writer", "tenant2", `select pgq_ext.set_last_tick('c_squat', ${Number(next)})`);
  const got: string[] = [];
  const victim = new Consumer({ connection: cluster.config("tenant"), queue: "squatq", consumer: "c_squat",
    exactlyOnce: { target: cluster.config("tenant2"), mode: "tick" } });
  const handler = async (b: { events(): AsyncIterable<PgqEvent[]> }) => {
    for await (const evs of b.events()) for (const e of evs) got.push(e.ev_data!);
  };
  let first: string | null = null;
  try {
    await victim.runOnce(handler);
  } catch (err) {
    first = (err as { code?: string }).code ?? "(no SQLSTATE)";
  }
  got.length = 0; // (the handler may have run: its transaction was rolled back)
  // an administrator removes the claim; the event must still be there
  await su("tenant2", "delete from pgq_ext.completed_tick where consumer_id = 'c_squat'");
  for (let i = 0; i < 5 && got.length === 0; i++) await victim.runOnce(handler);
  await victim.close();
  squatOutcome = { first, afterCleanup: [...got] };
}

// ---------------------------------------------------------------- the run

describe("a hostile tenant against a superuser's pgq", () => {
  it("tools, producers and consumers work on while every role attacks", async () => {
    const t0 = Date.now();
    startConsumer("orders", "c_orders", "tenant", "batch", 5);
    startConsumer("dst_a", "c_dst_a", "tenant2", "tick");
    startConsumer("dst_b", "c_dst_b", "tenant2", "batch");
    const manual = manualConsumer(await open("tenant"));
    consumers.push(manual);

    const suTenant = await open("tenant");
    const wrTenant = await open("tenant", "r_writer");
    const suTenant2 = await open("tenant2");
    expect((await suTenant2.query("show search_path")).rows[0].search_path).toBe("public, pg_catalog");
    const producers = [
      produce(suTenant, 1_000, 70, "su", true),
      produce(wrTenant, 100_000, 60, "wr", true),
      produce(suTenant2, 1_000, 60, "su2", false),
    ];
    await sleep(1500);
    await attacks();
    const tAttacks = Date.now();
    await squat();
    // NEW: the superuser updates the table whose bulk trigger lacks OLD TABLE
    badBulk = { id: "superuser updates hx.t_bad (bulk trigger without OLD TABLE; public.pgq_old is a view)", expected: "22023", got: null };
    try {
      await suTenant.query("update hx.t_bad set tag = 'u'");
    } catch (err) {
      badBulk.got = (err as { code?: string }).code ?? "(no SQLSTATE)";
      badBulk.message = (err as Error).message;
    }
    console.log(`hostile-tenant: attacks took ${((tAttacks - t0) / 1000).toFixed(1)} s`);
    for (let i = 0; i < 3; i++) {
      const st = runCli("pgqadm", [join(dir, "adm.ini"), "status"]);
      expect(await st.exit, st.output()).toBe(0);
      expect(st.output()).toMatch(/orders/);
      statusOutputs.push(st.output());
      await sleep(500);
    }
    await Promise.all(producers);
    const tProduced = Date.now();
    await suTenant.query("truncate hx.t_json");

    // drained: every consumer has every event of its queue
    await waitFor(async () => (await missing()).length === 0, 30_000, "consumers to drain their queues");
    const tDrained = Date.now();
    stop.abort();
    await Promise.all(consumers);
    for (const r of [runner, admTicker, splitter]) r.child.kill("SIGINT");
    for (const r of [runner, admTicker, splitter]) expect(await r.exit, r.output()).toBe(0);
    await adminTemp.end();
    await legacyTemp.end();
    const secs = (a: number, b: number) => `${((b - a) / 1000).toFixed(1)} s`;
    console.log(`hostile-tenant: workload and attacks ${secs(t0, tProduced)}, drained in ${secs(tProduced, tDrained)},`
      + ` stopped in ${secs(tDrained, Date.now())}`);
  }, 120_000);

  it("no role gained an attribute or a membership", async () => {
    expect(await roleAttrs()).toEqual(rolesBefore);
    expect(await memberships()).toEqual(membersBefore);
  });

  it("no planted object ever ran", async () => {
    const calls: unknown[] = [];
    for (const db of DBS) {
      for (const r of await su(db, `select what, by_role, count(*)::int n from public.hx_called group by 1, 2 order by 1, 2`)) {
        calls.push({ db, ...r });
      }
      // the sequence also counts calls whose transaction was rolled back
      const seq = await su<{ is_called: boolean; last_value: string }>(db, "select is_called, last_value from public.hx_called_seq");
      if (seq[0]!.is_called) calls.push({ db, sequence: seq[0]!.last_value });
    }
    expect(calls).toEqual([]);
  });

  it("every event was consumed exactly once by each legit consumer, with its ev_time", async () => {
    expect(await missing()).toEqual([]);
    expect(consumerErrors.map(String)).toEqual([]);
    expect(badTimes).toEqual([]);
    // the splitter kept each event's time (to the millisecond: it passes
    // through a JavaScript Date)
    const times = async (db: string, queues: string[]) => (await su<{ t: string }>(db, `
        select e.ev_data || ' ' || floor(extract(epoch from e.ev_time) * 1000)::text t
          from pgq.event_template e join pgq.queue q on q.queue_id = e.ev_queue
         where q.queue_name = any ($1) and e.ev_type = 'split' order by 1`, [queues])).map((r) => r.t);
    expect(await times("tenant2", ["dst_a", "dst_b"])).toEqual(await times("tenant", ["split_src"]));
  });

  it("names from the database reach logs and terminals escaped", () => {
    for (const out of [...statusOutputs, splitter.output(), runner.output(), admTicker.output()]) {
      expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(out).not.toMatch(new RegExp(`^${FORGED}`, "m"));
    }
    expect(statusOutputs.at(-1)).toContain("hx\\x1b]0;owned\\x07\\x0a2026-01-01");
    expect(splitter.output()).toMatch(/WARNING .*skipped event \d+: queue "nope\\x0a2026-01-01 00:00:00 INFO queue_splitter: forged line\\x1b\[2J" does not exist/);
  });

  it("each attack failed with its SQLSTATE (or went through harmlessly)", () => {
    const wrong = outcomes.filter((o) => o.got !== o.expected);
    expect(wrong).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(30);
    expect(badBulk).toMatchObject({ got: "22023" });
  });

  it("a pgq_writer's claim on a new consumer's pgq_ext row loses no event", () => {
    // the superuser's consumer refuses the foreign row instead of skipping its batch
    expect(squatOutcome).toEqual({ first: "42501", afterCleanup: ["E1", "E2"] });
  });

  it("the daemon refused the fake pgq and the untrusted maintenance functions", () => {
    const out = runner.output();
    expect(out).toMatch(/WARNING pgq-runner db=victimdb: schema pgq owned by untrusted role r_dbowner, skipping/);
    expect(out).toMatch(/db=legacydb: maint: not calling ts_stat/);
    expect(out).not.toMatch(/db=tenant2?: .*untrusted role/);
  });
});

/** Events of the consumed queues that a legit consumer has not got exactly once ("consumer: what"). */
async function missing(): Promise<string[]> {
  const problems: string[] = [];
  const events = async (db: string, q: string) => {
    const pfx = (await su<{ p: string }>(db, "select queue_data_pfx p from pgq.queue where queue_name = $1", [q]))[0]!.p;
    return su<{ ev_id: string; ev_type: string; ev_data: string }>(db,
      `select ev_id, ev_type, ev_data from ${pfx} where ev_retry is null order by ev_id`);
  };
  const recv = async (consumer: string) =>
    su<{ ev_id: string; ev_type: string; ev_data: string }>("tenant2",
      "select ev_id, ev_type, ev_data from hx.recv where consumer = $1 order by ev_id", [consumer]);
  const compare = (who: string, want: string[], got: string[]) => {
    const count = new Map<string, number>();
    for (const g of got) count.set(g, (count.get(g) ?? 0) + 1);
    for (const w of want) {
      const n = count.get(w) ?? 0;
      if (n !== 1) problems.push(`${who}: ${w} x${n}`);
      count.delete(w);
    }
    for (const [g] of count) problems.push(`${who}: unexpected ${g}`);
  };
  const orders = (await events("tenant", "orders")).map((e) => e.ev_id);
  compare("c_orders", orders, (await recv("c_orders")).map((e) => e.ev_id));
  compare("su_manual", orders, suManual);
  for (const [q, c] of [["dst_a", "c_dst_a"], ["dst_b", "c_dst_b"]] as const) {
    compare(c, (await events("tenant2", q)).map((e) => e.ev_id), (await recv(c)).map((e) => e.ev_id));
  }
  // the splitter: every split_src event arrives in dst_a or dst_b once
  const moved = [...(await recv("c_dst_a")), ...(await recv("c_dst_b"))].filter((e) => e.ev_type === "split");
  compare("split_job", (await events("tenant", "split_src")).filter((e) => e.ev_type === "split").map((e) => e.ev_data),
    moved.map((e) => e.ev_data));
  return problems;
}
