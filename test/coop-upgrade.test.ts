// pgq_coop over PgQ's own: a plain install of PgQ's pgq_coop (its functions
// and signatures, here as stubs with PgQ's names, argument names, result
// types, language and SECURITY DEFINER, and PgQ's old grants to PUBLIC)
// brought to this version by extension/pgq_coop.upgrade.sql, which carries
// what the extension update scripts pgq_coop--3.x--4.1.sql carry (every
// function again, then the grants).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, createTickingQueue, value, type TestDb } from "./support/db.js";

const root = resolve(import.meta.dirname, "..");
let db: TestDb;
let c: pg.Client;
beforeAll(async () => {
  db = await createTestDb("pgq_coop_upg");
  c = await db.connect();
});
afterAll(async () => {
  await db?.drop();
});

const PGQ_COOP_34 = `
create schema pgq_coop;
create function pgq_coop.register_subconsumer(i_queue_name text, i_consumer_name text, i_subconsumer_name text)
    returns integer language plpgsql security definer as $$ begin return -1; end $$;
create function pgq_coop.unregister_subconsumer(i_queue_name text, i_consumer_name text, i_subconsumer_name text,
                                                i_batch_handling integer)
    returns integer language plpgsql security definer as $$ begin return -1; end $$;
create function pgq_coop.next_batch(i_queue_name text, i_consumer_name text, i_subconsumer_name text)
    returns bigint language plpgsql as $$ begin return -1; end $$;
create function pgq_coop.next_batch(i_queue_name text, i_consumer_name text, i_subconsumer_name text,
                                    i_dead_interval interval)
    returns bigint language plpgsql as $$ begin return -1; end $$;
create function pgq_coop.next_batch_custom(i_queue_name text, i_consumer_name text, i_subconsumer_name text,
                                           i_min_lag interval, i_min_count int4, i_min_interval interval)
    returns bigint language plpgsql as $$ begin return -1; end $$;
create function pgq_coop.next_batch_custom(i_queue_name text, i_consumer_name text, i_subconsumer_name text,
                                           i_min_lag interval, i_min_count int4, i_min_interval interval,
                                           i_dead_interval interval)
    returns bigint language plpgsql security definer as $$ begin return -1; end $$;
create function pgq_coop.finish_batch(i_batch_id bigint)
    returns integer language plpgsql security definer as $$ begin return -1; end $$;
create function pgq_coop.version() returns text language plpgsql as $$ begin return '3.4'; end $$;
grant usage on schema pgq_coop to public;
grant execute on all functions in schema pgq_coop to public;
`;

describe("pgq_coop.upgrade.sql over PgQ's pgq_coop 3.4 (plain)", () => {
  it("replaces every function in place, with our grants, and the subconsumers work", async () => {
    await c.query(PGQ_COOP_34);
    const oids = (await c.query("select oid::regprocedure::text f, oid::int o from pg_proc where pronamespace = 'pgq_coop'::regnamespace order by 1")).rows;
    expect(oids.length).toBe(8);
    await c.query(readFileSync(resolve(root, "extension/pgq_coop.upgrade.sql"), "utf8"));
    expect(await value(c, "select pgq_coop.version()")).toMatch(/^4\./);
    const after = (await c.query(`select oid::regprocedure::text f, oid::int o, proconfig, prosecdef,
                                         has_function_privilege('public', oid, 'execute') pub,
                                         has_function_privilege('pgq_reader', oid, 'execute') reader
                                    from pg_proc where pronamespace = 'pgq_coop'::regnamespace order by 1`)).rows;
    // the same functions (same oids: replaced, not dropped and made anew)
    expect(after.map((r) => [r.f, r.o])).toEqual(oids.map((r) => [r.f, r.o]));
    for (const r of after) {
      expect(r.proconfig, r.f).toEqual(["search_path=pg_catalog, pg_temp"]);
      expect(r.pub, r.f).toBe(r.f === "pgq_coop.version()");
      expect(r.reader, r.f).toBe(true);
      expect(r.prosecdef, r.f).toBe(r.f !== "pgq_coop.version()");
    }
    await createTickingQueue(c, "uq");
    expect(await value(c, "select pgq_coop.register_subconsumer('uq', 'c', 's1')")).toBe(1);
    await c.query("select pgq.insert_event('uq', 't', 'd')");
    await c.query("select pgq.ticker('uq')");
    const b = await value<string>(c, "select pgq_coop.next_batch('uq', 'c', 's1')");
    expect(b).not.toBeNull();
    expect(await value(c, "select pgq_coop.next_batch('uq', 'c', 's2')")).toBeNull();
    expect(await value(c, "select pgq_coop.finish_batch($1)", [b])).toBe(1);
    // and again: the script is idempotent
    await c.query(readFileSync(resolve(root, "extension/pgq_coop.upgrade.sql"), "utf8"));
    expect(await value(c, "select count(*)::int from pg_proc where pronamespace = 'pgq_coop'::regnamespace")).toBe(8);
  });
});
