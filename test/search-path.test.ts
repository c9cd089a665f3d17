// No function of pgq, pgq_ext or pgq_coop resolves a name through the caller's
// search_path.  The rule (CONTRIBUTING: "search_path"): every function pins
// `search_path = pg_catalog, pg_temp`, except the hot per-row trigger code
// listed in QUALIFIED below, which qualifies every call and operator
// instead.  This file proves both halves:
//  - the catalog: every function is pinned or listed, and nothing listed is
//    pinned-less by accident;
//  - behaviour: with traps planted for every pg_catalog function, aggregate
//    and operator our scripts could name (test/support/hostile.sql, a list
//    generated from the built scripts), and search_path = evil, pg_catalog,
//    the whole API, every listed helper and every trigger form run without
//    springing one.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, type TestDb } from "./support/db.js";

const root = resolve(import.meta.dirname, "..");
const PIN = "search_path=pg_catalog, pg_temp";

let db: TestDb;
let c: pg.Client;
const notices: string[] = [];

/** Runs SQL under the hostile search_path; every statement must succeed. */
async function q(sql: string, params: unknown[] = []) {
  return c.query(sql, params);
}

// the unpinned functions and how each is run directly under the hostile path
const QUALIFIED: Record<string, () => Promise<unknown>> = {
  "pgq.logutriga()": () => q("insert into public.hx_log values (1, 'a b é', 2)"),
  "pgq.sqltriga()": () => q("insert into public.hx_sql values (1, 'x''y', null)"),
  "pgq.jsontriga()": () => q("insert into public.hx_json values (1, 'j', true)"),
  "pgq.logutriga_bulk()": () => q("insert into public.hx_bulk_log select i, pg_catalog.concat('v', i), i from pg_catalog.generate_series(1, 3) i"),
  "pgq.sqltriga_bulk()": () => q("insert into public.hx_bulk_sql select i, pg_catalog.concat('v', i), i from pg_catalog.generate_series(1, 3) i"),
  "pgq.jsontriga_bulk()": () => q("insert into public.hx_bulk_json select i, pg_catalog.concat('v', i), i from pg_catalog.generate_series(1, 3) i"),
  "pgq._row_fields(text)": () => q(`select pgq._row_fields('(1,"a ""b"" \\\\c",,x)')`),
  "pgq._urlencode(text)": () => q("select pgq._urlencode(v) from (values ('plain'), ('a b:c+d'), ('é&=%')) t(v)"),
  "pgq._urlencode_bytes(text)": () => q("select pgq._urlencode_bytes('ä ö/ü')"),
  "pgq._urlencode_row(text[],text[],text[])": () =>
    q("select pgq._urlencode_row('{a,b,c}', '{1,null,\"x y\"}', '{c}')"),
  "pgq._sql_fragment(text,text[],text[],text[],text[],text[],text[])": () =>
    q(`select pgq._sql_fragment(op, '{id,a,b}', '{1,x,null}', '{1,y,2}', '{id}', '{}', '{a,b}')
         from (values ('INSERT'), ('UPDATE'), ('DELETE')) t(op)`),
  "pgq._json_row(text[],oid[],text[],json,text[])": () =>
    q(`select pgq._json_row('{a,b,c,d,e,f}', array['int4','bool','text','timestamptz','int8','json']::regtype[]::oid[],
                            '{1,t,"x\\"y",2020-01-01 00:00:00+00,5,"{}"}', '{"d": "2020-01-01T00:00:00+00:00"}', '{}')`),
  "pgq._json_ev_type(text,text,text,text[])": () => q("select pgq._json_ev_type('UPDATE', 'public', 'x\"y', '{id,k}')"),
  "pgq._trigger_args(text[])": () =>
    q("select * from pgq._trigger_args(array['q', 'SKIP', 'backup', 'deny', 'ignore=a,b', 'pkey=id', 'when=true', 'ev_extra1=1'])"),
  "pgq._trigger_table(oid)": () => q("select * from pgq._trigger_table('public.hx_log'::regclass)"),
  // the row triggers' fast path: a table it serves, every operation, with
  // values it converts (bool, date, timestamptz) and backup
  "pgq._trigger_fast(text,text,text,text,oid,text[],text,text,anyelement,anyelement)": async () => {
    await q("insert into public.hx_fast values (1, 'a b', true, '2020-01-02', '2020-01-02 03:04:05+00')");
    await q("update public.hx_fast set a = 'c', b = false where id operator(pg_catalog.=) 1");
    await q("delete from public.hx_fast where id operator(pg_catalog.=) 1");
    const n = await q("select pg_catalog.count(*) n from pgq.event_template e join pgq.queue q on q.queue_id operator(pg_catalog.=) e.ev_queue where q.queue_name operator(pg_catalog.=) 'hq' and e.ev_extra1 operator(pg_catalog.=) 'public.hx_fast'");
    expect(Number((n as pg.QueryResult).rows[0].n)).toBe(3);
    // sqltriga's and jsontriga's fast path with ignore= and pkey= too
    for (const t of ["hx_fast_sql", "hx_fast_json"]) {
      await q(`insert into public.${t} values (1, 'a b', true, '2020-01-02', '2020-01-02 03:04:05+00')`);
      await q(`update public.${t} set a = 'c', b = false where id operator(pg_catalog.=) 1`);
      await q(`update public.${t} set b = true where id operator(pg_catalog.=) 1`);
      await q(`delete from public.${t} where id operator(pg_catalog.=) 1`);
      const m = await q(`select pg_catalog.count(*) n from pgq.event_template e join pgq.queue q on q.queue_id operator(pg_catalog.=) e.ev_queue where q.queue_name operator(pg_catalog.=) 'hq' and e.ev_extra1 operator(pg_catalog.=) 'public.${t}'`);
      expect(Number((m as pg.QueryResult).rows[0].n)).toBe(3);
    }
  },
  "pgq._trigger_values(json,text,text[])": () =>
    q(`select pgq._trigger_values(pg_catalog.to_json(r), 'tbds', '{a,b,d,ts}')
         from (select 'x'::text a, true b, '2020-01-02'::date d, '2020-01-02 03:04:05+00'::timestamptz ts) r`),
  "pgq._trigger_value(text,text,bigint,text,text[])": () =>
    q(`select pgq._trigger_value(v, n, o, 'tbdss', '{a,b,d,ts,tz}')
         from (values ('x', 'a', 1), ('true', 'b', 2), ('2020-01-02', 'd', 3), ('2020-01-02T03:04:05', 'ts', 4),
                      ('2020-01-02T03:04:05+01:00', 'tz', 5), ('true', 'zz', 2)) t(v, n, o)`),
  "pgq._urlencode_field(text,text)": () => q("select pgq._urlencode_field(n, v) from (values ('a b', 'é&='), ('c', null)) t(n, v)"),
  "pgq._trigger_kind(oid,oid)": () =>
    q(`select pgq._trigger_kind(t, c) from pg_catalog.unnest('{bool,date,timestamptz,int4,json,int4[],numeric,float4,interval,bpchar,text}'::pg_catalog.regtype[]) t,
         pg_catalog.unnest('{0,100}'::pg_catalog.oid[]) c`),
  // an UPDATE's changed columns judged with the types' equality: the fast
  // path (numeric, float, interval, character), the general path and the
  // statement-level form
  "pgq._trigger_value_changed(text,text,text,bigint,text,text[])": async () => {
    await q(`select pgq._trigger_value_changed(v, o, 'x', 1, k, '{x}')
               from (values ('1.0', '1.00', 'n'), ('0', '-0', 'f'), ('1 day', '24 hours', 'i'), ('ab', 'ab  ', 'c'),
                            ('a', 'b', 't'), (null, 'a', 't')) t(v, o, k)`);
    await q("insert into public.hx_fast_num values (1, 1.0, 0, '1 day', 'ab')");
    await q("update public.hx_fast_num set n = 1.00, f = 5, iv = '24 hours', c = 'ab  ' where id operator(pg_catalog.=) 1");
    await q("update public.hx_log set b = b operator(pg_catalog.+) 1 where id operator(pg_catalog.=) 1");
    await q("update public.hx_bulk_log set b = b operator(pg_catalog.+) 1, a = a");
    // the fast path's update changed nothing but the ignored column: no event
    const m = await q(`select pg_catalog.count(*) n from pgq.event_template e join pgq.queue q on q.queue_id operator(pg_catalog.=) e.ev_queue
                        where q.queue_name operator(pg_catalog.=) 'hq' and e.ev_extra1 operator(pg_catalog.=) 'public.hx_fast_num'`);
    expect(Number((m as pg.QueryResult).rows[0].n)).toBe(1);
  },
};

beforeAll(async () => {
  db = await createTestDb("pgq_sp");
  c = await db.connect();
  c.on("notice", (n) => notices.push(n.message ?? ""));
  await c.query("create extension pgq_ext; create extension pgq_coop");
  // names our scripts could call: every identifier followed by "(" in the
  // built scripts (pg_catalog.-qualified ones included: cheap, and a
  // qualified call is unaffected by the trap)
  const text = ["extension/pgq.sql", "extension/pgq_ext.sql", "extension/pgq_coop.sql"].map((f) => readFileSync(resolve(root, f), "utf8")).join("\n");
  const names = [...new Set([...text.toLowerCase().matchAll(/([a-z_][a-z0-9_]*)\s*\(/g)].map((m) => m[1]!))];
  await c.query(readFileSync(resolve(root, "test/support/hostile.sql"), "utf8"));
  const planted = await c.query<{ n: number }>("select public.hostile_plant($1) n", [names]);
  expect(planted.rows[0]!.n).toBeGreaterThan(800);
  // producers' tables, one per trigger form
  await c.query(`
    select pgq.create_queue('hq');
    create table public.hx_log (id int primary key, a text, b int);
    create trigger t after insert or update or delete on public.hx_log for each row
        execute function pgq.logutriga('hq', 'backup', 'ignore=b', 'when=id operator(pg_catalog.>) 0', 'ev_extra3=pg_catalog.concat(a, ''!'')');
    create trigger tt after truncate on public.hx_log for each statement execute function pgq.logutriga('hq');
    create table public.hx_sql (id int primary key, a text, b int);
    create trigger t after insert or update or delete on public.hx_sql for each row execute function pgq.sqltriga('hq', 'pkey=id');
    create table public.hx_skip (id int primary key, a text);
    create trigger t before insert on public.hx_skip for each row execute function pgq.logutriga('hq', 'SKIP');
    create table public.hx_before (id int primary key, a text);
    create trigger t before insert or update or delete on public.hx_before for each row execute function pgq.jsontriga('hq');
    create table public.hx_json (id int primary key, a text, c bool);
    create trigger t after insert or update or delete on public.hx_json for each row execute function pgq.jsontriga('hq', 'backup');
    create table public.hx_fast (id int primary key, a text, b bool, d date, ts timestamptz);
    create trigger t after insert or update or delete on public.hx_fast for each row execute function pgq.logutriga('hq', 'backup', 'ignore=d', 'pkey=id');
    create table public.hx_fast_sql (id int primary key, a text, b bool, d date, ts timestamptz);
    create trigger t after insert or update or delete on public.hx_fast_sql for each row execute function pgq.sqltriga('hq', 'backup', 'ignore=b', 'pkey=id');
    create table public.hx_fast_json (id int primary key, a text, b bool, d date, ts timestamptz);
    create trigger t after insert or update or delete on public.hx_fast_json for each row execute function pgq.jsontriga('hq', 'ignore=b', 'pkey=id');
    create table public.hx_fast_num (id int primary key, n numeric, f float8, iv interval, c bpchar);
    create trigger t after insert or update or delete on public.hx_fast_num for each row execute function pgq.logutriga('hq', 'ignore=f');
    create table public.hx_bulk_log (id int primary key, a text, b int);
    create table public.hx_bulk_sql (id int primary key, a text, b int);
    create table public.hx_bulk_json (id int primary key, a text, b int);
  `);
  for (const kind of ["log", "sql", "json"]) {
    const fn = `pgq.${kind === "log" ? "logu" : kind}triga_bulk`;
    await c.query(`
      create trigger ti after insert on public.hx_bulk_${kind} referencing new table as pgq_new
          for each statement execute function ${fn}('hq', 'backup', 'when=id operator(pg_catalog.>) 0', 'ev_extra3=a');
      create trigger tu after update on public.hx_bulk_${kind} referencing old table as pgq_old new table as pgq_new
          for each statement execute function ${fn}('hq', 'backup');
      create trigger td after delete on public.hx_bulk_${kind} referencing old table as pgq_old
          for each statement execute function ${fn}('hq');`);
  }
  await c.query("set search_path = evil, pg_catalog");
});

afterAll(async () => {
  await db?.drop();
});

describe("search_path", () => {
  it("every function is pinned or qualified, and only the listed ones are not pinned", async () => {
    const r = await c.query<{ fn: string; config: string[] | null }>(`
      select p.oid::pg_catalog.regprocedure::pg_catalog.text fn, p.proconfig config
        from pg_catalog.pg_proc p
       where p.pronamespace operator(pg_catalog.=) any (array['pgq'::pg_catalog.regnamespace, 'pgq_ext'::pg_catalog.regnamespace,
                                                         'pgq_coop'::pg_catalog.regnamespace])`);
    expect(r.rows.filter((x) => x.fn.startsWith("pgq_coop.")).length).toBe(8);
    const unpinned = r.rows.filter((x) => !(x.config ?? []).includes(PIN)).map((x) => x.fn).sort();
    expect(unpinned).toEqual(Object.keys(QUALIFIED).sort());
    // and a pinned function sets nothing else, but for the one that must
    // not wait long for its lock
    const OTHER: Record<string, string[]> = { "pgq.maint_drop_storage(text)": ["lock_timeout=20ms"] };
    for (const row of r.rows) {
      expect(row.config ?? [], row.fn).toEqual(
        (row.config ?? []).includes(PIN) ? [PIN, ...(OTHER[row.fn] ?? [])] : [...(OTHER[row.fn] ?? [])]);
    }
  });

  for (const [fn, run] of Object.entries(QUALIFIED)) {
    it(`${fn} runs under a hostile search_path without resolving through it`, async () => {
      const before = notices.length;
      await run();
      expect(notices.slice(before).filter((n) => n.includes("PLANTED"))).toEqual([]);
    });
  }

  it("the whole API runs under a hostile search_path", async () => {
    const before = notices.length;
    const steps: string[] = [
      "select pgq.create_queue('hq2')",
      "select pgq.set_queue_config('hq2', 'ticker_max_lag', '0')",
      "select pgq.set_queue_config('hq2', 'ticker_idle_period', '0')",
      "select pgq.set_queue_config('hq2', 'rotation_period', '0')",
      "select pgq.register_consumer('hq2', 'c1')",
      "select pgq.register_consumer_at('hq2', 'c2', (select pg_catalog.max(tick_id) from pgq.tick))",
      "select pgq.insert_event('hq2', 't', 'd')",
      "select pgq.insert_event('hq2', 't', 'd', 'e1', 'e2', 'e3', 'e4')",
      "select pgq.insert_events('hq2', array['a','b'], array['1','2'])",
      "select pgq.insert_event_raw('hq2', null, pg_catalog.now(), null, null, 't', 'd', null, null, null, null)",
      "select pgq.current_event_table('hq2')",
      "select pgq.force_tick('hq2')",
      "select pgq.ticker('hq2')",
      "select pgq.ticker()",
      "select * from pgq.get_queue_info()",
      "select * from pgq.get_queue_info('hq2')",
      "select * from pgq.get_consumer_info()",
      "select * from pgq.get_consumer_info('hq2')",
      "select * from pgq.get_consumer_info('hq2', 'c1')",
      "select pgq.seq_getval('pgq.event_2_id_seq')",
      "select pgq.seq_setval('pgq.event_2_id_seq', 100)",
      "select pgq.quote_fqname('pgq.x')",
      "select pgq.version()",
      "select pgq_ext.version()",
      "select pgq.tune_storage('hq2')",
      "select pgq.grant_perms('hq2')",
      "select pgq.upgrade_schema()",
      "select pgq_ext.upgrade_schema()",
      "select * from pgq.maint_operations()",
      "select * from pgq.maint_tables_to_vacuum()",
      "select pgq.maint_rotate_tables_step1('hq2')",
      "select pgq.maint_rotate_tables_step2()",
      "select pgq.maint_retry_events()",
      "select pgq.maint_compact('pgq.tick')",
      "select pgq_ext.set_batch_done('x', 1)",
      "select pgq_ext.set_batch_done('x', 's', 1)",
      "select pgq_ext.is_batch_done('x', 1)",
      "select pgq_ext.is_batch_done('x', 's', 1)",
      "select pgq_ext.set_event_done('x', 1, 2)",
      "select pgq_ext.set_event_done('x', 's', 1, 2)",
      "select pgq_ext.is_event_done('x', 1, 2)",
      "select pgq_ext.is_event_done('x', 's', 1, 2)",
      "select pgq_ext.set_last_tick('x', 5)",
      "select pgq_ext.set_last_tick('x', 's', 5)",
      "select pgq_ext.get_last_tick('x')",
      "select pgq_ext.get_last_tick('x', 's')",
    ];
    for (const s of steps) await q(s);

    // a batch, walked every way, retried, finished
    const b = (await q("select pgq.next_batch('hq2', 'c1') b")).rows[0].b;
    expect(b).not.toBeNull();
    for (const s of [
      "select * from pgq.next_batch_info('hq2', 'c1')",
      "select * from pgq.next_batch_custom('hq2', 'c1', null, null, null)",
      "select * from pgq.get_batch_info($1)",
      "select pgq.batch_event_sql($1)",
      "select * from pgq.batch_event_tables($1)",
      "select * from pgq.get_batch_events($1)",
    ]) await q(s, s.includes("$1") ? [b] : []);
    await q("begin");
    await q("select * from pgq.get_batch_cursor($1, 'cur1', 1)", [b]);
    await q("select * from pgq.get_batch_cursor($1, 'cur2', 1, 'ev_type is not null')", [b]);
    await q("commit");
    const ev = (await q("select ev_id from pgq.get_batch_events($1) limit 1", [b])).rows[0].ev_id;
    await q("select pgq.event_retry($1, $2, 0)", [b, ev]);
    await q("select pgq.event_retry($1, $2, pg_catalog.now())", [b, ev]);
    await q("select pgq.batch_retry($1, 0)", [b]);
    // dead letters (4.1)
    await q("select pgq.set_queue_config('hq2', 'max_retries', '0')");
    await q("select pgq.event_retry($1, $2, 0, 'why')", [b, ev]);
    await q("select pgq.event_dead($1, (select pg_catalog.max(ev_id) from pgq.get_batch_events($1)), 'why')", [b]);
    await q("select * from pgq.get_dead_letters('hq2', null)");
    await q("select * from pgq.get_dead_letters('hq2', 'c1')");
    await q("select pgq.finish_batch($1)", [b]);
    await q("select pgq.event_retry_raw('hq2', 'c1', pg_catalog.now(), null, pg_catalog.now(), 1, 't', 'd', null, null, null, null)");
    await q("select pgq.maint_retry_events()");
    await q("select pgq.replay_dead_letters('hq2', 'c1', null)");
    await q("select pgq.purge_dead_letters('hq2', null, null)");
    await q(`select * from pgq.find_tick_helper((select queue_id from pgq.queue where queue_name operator(pg_catalog.=) 'hq2'),
                                                 1, pg_catalog.now(), 1, 1, null)`);
    // the splitter, within one database
    await q("select pgq.create_queue('hq_target')");
    await q("select pgq.insert_event('hq2', 't', 'd', 'hq_target', null, null, null)");
    await q("select pgq.ticker('hq2')");
    await q("select pgq_ext.queue_splitter_local('hq2', 'c2', 'extra1', true)");
    // every trigger operation, row and statement level
    await q("insert into public.hx_skip values (1, 'skipped')");
    await q("insert into public.hx_before values (1, 'b')");
    await q("update public.hx_before set a = 'c' where id operator(pg_catalog.=) 1");
    await q("delete from public.hx_before");
    for (const t of ["hx_log", "hx_sql", "hx_json"]) {
      await q(`insert into public.${t} values (7, 'x', null)`);
      await q(`update public.${t} set a = 'y' where id operator(pg_catalog.=) 7`);
      await q(`delete from public.${t} where id operator(pg_catalog.=) 7`);
    }
    await q("truncate public.hx_log");
    for (const t of ["hx_bulk_log", "hx_bulk_sql", "hx_bulk_json"]) {
      await q(`insert into public.${t} values (7, 'x', null)`);
      await q(`update public.${t} set a = 'y'`);
      await q(`delete from public.${t}`);
    }
    // cooperative consumers: register, batch, take over, finish, unregister
    await q("select pgq_coop.version()");
    await q("select pgq_coop.register_subconsumer('hq2', 'cc', 's1')");
    await q("insert into public.hx_log values (8, 'coop', null)");
    await q("select pgq.ticker('hq2')");
    const cb = (await q("select pgq_coop.next_batch('hq2', 'cc', 's1') b")).rows[0].b;
    expect(cb).not.toBeNull();
    await q("select pgq.ticker('hq2')");
    await q("select pgq_coop.next_batch('hq2', 'cc', 's2', '1 hour')");
    await q("select pgq_coop.next_batch_custom('hq2', 'cc', 's3', null, null, null)");
    await q("select pgq_coop.next_batch_custom('hq2', 'cc', 's3', null, 1, null, '0 seconds')");
    await q("select pgq_coop.finish_batch($1)", [cb]);
    await q("select pgq_coop.unregister_subconsumer('hq2', 'cc', 's1', 1)");
    await q("select pgq_coop.unregister_subconsumer('hq2', 'cc', 's3', 1)");
    await q("select pgq.unregister_consumer('hq2', 'cc')");
    await q("select pgq.unregister_consumer('hq2', 'c2')");
    await q("select pgq.drop_queue('hq_target')");
    await q("select pgq.drop_queue('hq2', true)");
    expect(notices.slice(before).filter((n) => n.includes("PLANTED"))).toEqual([]);
    // the triggers made their events
    const n = (await q("select pg_catalog.count(*)::pg_catalog.int4 n from pgq.event_1")).rows[0].n;
    expect(n).toBeGreaterThan(20);
  });
});
