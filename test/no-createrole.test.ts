// The plain install by a database owner who may not create roles (a managed
// server's usual account): pgq and pgq_ext install without the roles
// pgq_reader / pgq_writer / pgq_admin, with a warning that says what to do;
// the owner can use every function; once someone with CREATEROLE makes the
// roles, running the plain upgrade scripts again gives them exactly the
// rights a fresh install gives.  On a cluster of its own: roles are the
// cluster's, and the shared test cluster has them already.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { runCli } from "./support/cli.js";
import { PGQ_VERSION } from "./support/env.js";

const ext = resolve(import.meta.dirname, "../extension");
let cluster: PrivateCluster;

beforeAll(async () => {
  cluster = startPrivateCluster();
  await cluster.query("postgres", "create role app_owner login createdb");
  await cluster.query("postgres", "create role app_user login");
  await cluster.query("postgres", "create database app owner app_owner");
  await cluster.query("postgres", "create database app2 owner app_owner");
}, 60_000);
afterAll(() => cluster?.stop());

/** psql -f FILE as `user` on `db`: exit status and everything it printed. */
function psqlFile(db: string, user: string, file: string): { status: number | null; out: string } {
  const r = spawnSync("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-d", db, "-U", user, "-f", file], {
    encoding: "utf8",
    env: { ...process.env, PGHOST: cluster.env.PGHOST, PGPORT: cluster.env.PGPORT },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Runs statements connected as `user`; the rows of the last one. */
async function as<T = Record<string, unknown>>(user: string, db: string, text: string): Promise<T[]> {
  const c = new pg.Client({ ...cluster.config(db), user });
  await c.connect();
  try {
    const r = await c.query(text);
    return (Array.isArray(r) ? r[r.length - 1] : r).rows as T[];
  } finally {
    await c.end();
  }
}

const roles = async () =>
  (await cluster.query<{ r: string }>("postgres",
    "select rolname r from pg_roles where rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin') order by 1")).map((x) => x.r);

/** Who may do what: per role, the functions it may execute and the tables it may use, as one sorted list. */
async function rights(db: string): Promise<string[]> {
  return (await cluster.query<{ x: string }>(db, `
      select r.rolname || ' ' || p.oid::regprocedure::text x
        from pg_proc p, pg_roles r
       where p.pronamespace in ('pgq'::regnamespace, 'pgq_ext'::regnamespace)
         and r.rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin', 'app_user')
         and has_function_privilege(r.oid, p.oid, 'execute')
      union all
      select r.rolname || ' ' || c.oid::regclass::text || ' ' || m
        from pg_class c, pg_roles r, unnest(array['select', 'insert', 'update', 'delete', 'truncate']) m
       where c.relnamespace in ('pgq'::regnamespace, 'pgq_ext'::regnamespace) and c.relkind in ('r', 'p')
         and r.rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin', 'app_user')
         and has_table_privilege(r.oid, c.oid, m)
      union all
      select r.rolname || ' ' || c.oid::regclass::text || ' usage'
        from pg_class c, pg_roles r
       where c.relnamespace = 'pgq'::regnamespace and c.relkind = 'S'
         and r.rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin', 'app_user')
         and has_sequence_privilege(r.oid, c.oid, 'usage')
      order by 1`)).map((r) => r.x);
}

describe("plain install by a database owner without CREATEROLE", () => {
  it("installs pgq and pgq_ext, warning that the roles are missing and how to add them", async () => {
    expect(await roles()).toEqual([]);
    const pgq = psqlFile("app", "app_owner", `${ext}/pgq.sql`);
    expect(pgq.status, pgq.out).toBe(0);
    expect(pgq.out).not.toMatch(/ERROR/);
    expect(pgq.out).toContain(
      "WARNING:  pgq: roles missing (pgq_reader, pgq_writer, pgq_admin) and app_owner may not create roles: "
      + "only app_owner (and superusers) can use pgq until they exist");
    expect(pgq.out).toMatch(/HINT: .*create role pgq_admin in role pgq_reader, pgq_writer; then run pgq.upgrade.sql again/);
    // no stray result rows, no transaction warnings
    expect(pgq.out).not.toMatch(/\(1 row\)|transaction/);
    const pgqExt = psqlFile("app", "app_owner", `${ext}/pgq_ext.sql`);
    expect(pgqExt.status, pgqExt.out).toBe(0);
    expect(await roles()).toEqual([]);
    expect(await cluster.query("app", "select pgq.version() v")).toEqual([{ v: PGQ_VERSION }]);
  });

  it("the owner produces, ticks and consumes; other roles may not", async () => {
    // one transaction per call: the tick must see the event committed
    await as("app_owner", "app", `
        select pgq.create_queue('orders');
        select pgq.set_queue_config('orders', 'ticker_max_lag', '0');
        select pgq.register_consumer('orders', 'mailer')`);
    await as("app_owner", "app", "select pgq.insert_event('orders', 'order.created', 'id=1')");
    await as("app_owner", "app", "select pgq.ticker()");
    const rows = await as("app_owner", "app", `
        select pgq_ext.set_batch_done('mailer', 1);
        select ev_data from pgq.get_batch_events(pgq.next_batch('orders', 'mailer'))`);
    expect(rows).toEqual([{ ev_data: "id=1" }]);
    await expect(as("app_user", "app", "select pgq.insert_event('orders', 't', 'd')"))
      .rejects.toMatchObject({ code: "42501" });
  });

  it("pgqadm install (with pgq_ext) falls back to the plain scripts and passes the warning on", async () => {
    const r = runCli("pgqadm", [`host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=app_owner dbname=app2`, "install", "pgq_ext"]);
    expect(await r.exit, r.output()).toBe(0);
    const out = r.output();
    expect(out).toMatch(/^ {2}warning: pgq: roles missing \(pgq_reader, pgq_writer, pgq_admin\) and app_owner may not create roles/m);
    expect(out).toMatch(new RegExp(`^pgq ${PGQ_VERSION} installed from the plain script \\(CREATE EXTENSION: permission denied`, "m"));
    expect(out).toMatch(new RegExp(`^pgq_ext ${PGQ_VERSION} installed from the plain script \\(pgq is a plain install\\)$`, "m"));
  });

  it("once the roles exist, the plain upgrade scripts grant them what a fresh install does", async () => {
    await as("postgres", "postgres",
      "create role pgq_reader; create role pgq_writer; create role pgq_admin in role pgq_reader, pgq_writer");
    for (const f of ["pgq.upgrade.sql", "pgq_ext.upgrade.sql"]) {
      const r = psqlFile("app", "app_owner", `${ext}/${f}`);
      expect(r.status, r.out).toBe(0);
      expect(r.out).not.toMatch(/WARNING|ERROR/);
    }
    // the reference: the same scripts in a fresh database, the roles there
    // from the start, with the same queue
    await cluster.query("postgres", "create database fresh owner app_owner");
    for (const f of ["pgq.sql", "pgq_ext.sql"]) expect(psqlFile("fresh", "app_owner", `${ext}/${f}`).status).toBe(0);
    await as("app_owner", "fresh", "select pgq.create_queue('orders')");
    const got = await rights("app");
    expect(got).toEqual(await rights("fresh"));
    expect(got).toContain("pgq_writer pgq.insert_event(text,text,text)");
    expect(got).toContain("pgq_admin pgq.event_1_id_seq usage");
    expect(got).toContain("pgq_writer pgq_ext.completed_batch insert");
    // a role in none of them keeps what PUBLIC has: status functions and reading the queue tables
    expect(got.filter((x) => x.startsWith("app_user ")).map((x) => x.slice(9))).toEqual([
      "pgq._tick_channel(text)", "pgq.consumer select", "pgq.get_consumer_info()", "pgq.get_consumer_info(text)",
      "pgq.get_consumer_info(text,text)", "pgq.get_queue_info()", "pgq.get_queue_info(text)", "pgq.queue select",
      "pgq.quote_fqname(text)", "pgq.seq_getval(text)", "pgq.subscription select", "pgq.tick select", "pgq.version()",
      "pgq_ext.version()",
    ]);

    // and they work: a writer produces, a reader consumes
    await cluster.query("postgres", "grant pgq_writer to app_user");
    await as("app_user", "app", "select pgq.insert_event('orders', 'order.created', 'id=2')");
    await as("postgres", "postgres", "revoke pgq_writer from app_user; grant pgq_reader to app_user");
    await as("app_owner", "app", "select pgq.finish_batch(1)");
    await as("app_owner", "app", "select pgq.ticker()");
    const evs = await as<{ ev_data: string }>("app_user", "app",
      "select ev_data from pgq.get_batch_events(pgq.next_batch('orders', 'mailer'))");
    expect(evs).toEqual([{ ev_data: "id=2" }]);
  });
});
