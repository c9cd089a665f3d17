// make refcheck: random rows over many types through our triggers and
// through PgQ 3.5's C triggers (Debian's postgresql-15-pgq3, fetched and
// loaded by bench/reference.sh into a database of its own), for all three
// triggers and every option; the events (ev_type, ev_data, ev_extra1..4)
// and the error messages must be identical.
//
//   npx tsx test/refcheck/refcheck.ts [--rows N] [--seed S] [--bulk]   (PG* environment names the server)
// With --bulk our statement-level triggers (pgq.*_bulk) are checked against
// the C row triggers instead of our row triggers.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import pg from "pg";
import { rng } from "../support/rng.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const ROWS = opt("--rows", 60);
// --bulk: our statement-level triggers (pgq.*_bulk) against PgQ's C row triggers
const BULK = argv.includes("--bulk");
const SEED = opt("--seed", 4242);

const COLUMNS: [string, string][] = [
  ["id", "int4"], ["k2", "text"], ["t", "text"], ["vc", "varchar(20)"], ["ch", "char(5)"], ["by", "bytea"],
  ["b", "bool"], ["ts", "timestamp"], ["tz", "timestamptz"], ["d", "date"], ["iv", "interval"],
  ["n", "numeric"], ["s2", "int2"], ["i4", "int4"], ["i8", "int8"], ["f4", "float4"], ["f8", "float8"],
  ["u", "uuid"], ["j", "json"], ["jb", "jsonb"], ["ia", "int4[]"], ["ta", "text[]"], ["Mixed Case", "text"],
  ["db", "rc_bool"], ["e", "rc_mood"], ["bc", "bpchar"], ["ci", "text collate rc_ci"], ["p", "rc_pair"],
];

// the columns of the row triggers' fast path (pgq._trigger_fast): built-in
// types whose to_json() form is their text output, or one it converts back
// (bool, date, timestamps); a domain or an enum (COLUMNS) takes the general
// path
const FAST_COLUMNS: [string, string][] = [
  ["id", "int4"], ["k2", "text"], ["t", "text"], ["vc", "varchar(20)"], ["ch", "char(5)"], ["by", "bytea"],
  ["b", "bool"], ["ts", "timestamp"], ["tz", "timestamptz"], ["d", "date"], ["tm", "time"],
  ["ttz", "timetz"], ["iv", "interval"], ["n", "numeric"], ["s2", "int2"], ["i4", "int4"], ["i8", "int8"],
  ["f4", "float4"], ["f8", "float8"], ["u", "uuid"], ["Mixed Case", "text"], ["bc", "bpchar"],
];

// session settings that change the types' text output
const SETTINGS: Record<string, string[]> = {
  german: ["DateStyle = 'German, DMY'", "IntervalStyle = postgres_verbose", "extra_float_digits = 0",
    "bytea_output = escape", "TimeZone = 'Asia/Kolkata'"],
  sql: ["DateStyle = 'SQL, MDY'", "IntervalStyle = sql_standard", "extra_float_digits = 3",
    "TimeZone = 'America/New_York'"],
  postgres: ["DateStyle = 'Postgres, DMY'", "IntervalStyle = iso_8601", "extra_float_digits = -15",
    "TimeZone = 'Pacific/Chatham'"],
};

function makeValue(type: string, r: () => number): string | null {
  if (r() < 0.12) return null;
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const word = () => pick(["plain", "with space", "quote'd", 'dbl"q', "back\\slash", "a&b=c+d%e", "ünïcødé €", "",
    "tab\there", "new\nline", "semi;colon", "(paren)", "{brace}", ",comma", "-_.~", "x".repeat(40)]);
  switch (type) {
    case "int4": return pick(["0", "1", "-1", "2147483647", "-2147483648", String(Math.floor(r() * 1e6))]);
    case "int2": return pick(["0", "32767", "-32768", String(Math.floor(r() * 1000))]);
    case "int8": return pick(["9223372036854775807", "-9223372036854775808", String(Math.floor(r() * 1e12))]);
    case "text": case "varchar(20)": return word().slice(0, type === "text" ? 100 : 20);
    case "char(5)": return pick(["a", "ab cd", "", "x'y"]);
    case "bpchar": return pick(["ab", "ab  ", "", " x "]);
    case "text collate rc_ci": return pick(["Plain", "MiXed", "ünï", ""]);
    case "rc_pair": return pick(["(1,1.5)", "(,)", "(2,NaN)", "(-3,0.10)"]);
    case "bytea": return pick(["\\x", "\\x00ff10", "\\x414243"]);
    case "bool": case "rc_bool": return pick(["t", "f"]);
    case "timestamp": return pick(["2009-09-19 11:59:48.599", "2000-01-01 00:00:00", "1999-12-31 23:59:59.999999",
      "infinity", "-infinity", "0044-03-15 12:00:00 BC", "12345-06-07 08:09:10"]);
    case "timestamptz": return pick(["2009-09-19 11:59:48.599+00", "2020-02-29 12:00:00+03", "1970-01-01 00:00:00+00",
      "infinity", "1850-01-01 00:00:00+00", "0044-03-15 12:00:00+00 BC"]);
    case "date": return pick(["2009-09-19", "2000-02-29", "1900-01-01", "-infinity", "0044-03-15 BC"]);
    case "time": return pick(["00:00:00", "23:59:59.999999", "12:34:56.5"]);
    case "timetz": return pick(["00:00:00+00", "12:34:56.5-05:30"]);
    case "rc_mood": return pick(["sad", "ok", "happy day"]);
    case "interval": return pick(["1 day 02:03:04", "-1 mons", "00:00:00.5"]);
    case "numeric": return pick(["1.50", "0", "-3", "123456789012345678901234567890.123", "NaN"]);
    case "float4": return pick(["1.5", "-0", "NaN", "Infinity", "3.4028235e+38"]);
    case "float8": return pick(["0.1", "-Infinity", "1e-300", "2.718281828459045"]);
    case "uuid": return pick(["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000"]);
    case "json": return pick(['{"x": [1, 2]}', '"str\\"q"', "null", "[]"]);
    case "jsonb": return pick(['{"b": 1, "a": "\\u00e9"}', "[1, 2.50]", "true"]);
    case "int4[]": return pick(["{1,2,3}", "{}", "{NULL,4}"]);
    case "text[]": return pick(['{"a b","c,d"}', "{}", '{"q\\"x"}']);
    default: throw new Error(type);
  }
}

interface Scenario {
  name: string;
  kind: "logutriga" | "sqltriga" | "jsontriga";
  when: "BEFORE" | "AFTER";
  args: string[];
  pkey?: boolean; // table has a primary key (id, k2): default true
  keyOrder?: boolean; // the primary key's columns in another order than the table's: (k2, id)
  include?: boolean; // the primary key (id) INCLUDE (k2)
  magic?: boolean | "unknown"; // add _pgq_ev_type / _pgq_ev_extra1 columns, or an unknown _pgq_ev_bogus
  truncate?: boolean;
  role?: "local";
  fast?: boolean; // the table of FAST_COLUMNS instead of COLUMNS
  plain?: boolean; // with fast: no numeric, float4 or float8 column (jsontriga's data is then the row's to_json())
  settings?: keyof typeof SETTINGS;
}

const kinds = ["logutriga", "sqltriga", "jsontriga"] as const;
const SCENARIOS: Scenario[] = kinds.flatMap((kind): Scenario[] => [
  { name: `${kind} plain`, kind, when: "AFTER", args: [] },
  { name: `${kind} backup`, kind, when: "AFTER", args: ["backup"] },
  { name: `${kind} ignore`, kind, when: "AFTER", args: ["ignore=t,b"] },
  { name: `${kind} pkey`, kind, when: "AFTER", args: ["pkey=i4,id"] },
  // pkey= naming columns the table lacks: listed in ev_type, never compared
  { name: `${kind} pkey unknown`, kind, when: "AFTER", args: ["pkey=nosuch"] },
  { name: `${kind} pkey partly unknown`, kind, when: "AFTER", args: ["pkey=nosuch,id", "backup"] },
  { name: `${kind} SKIP`, kind, when: "BEFORE", args: ["SKIP"] },
  { name: `${kind} BEFORE`, kind, when: "BEFORE", args: [] },
  { name: `${kind} when`, kind, when: "AFTER", args: ["when=coalesce(b, false)"] },
  { name: `${kind} when NULL`, kind, when: "AFTER", args: ["when=b"] },
  { name: `${kind} exprs`, kind, when: "AFTER", args: ["ev_type=upper(k2)", "ev_extra1=id * 2", "ev_extra3='x'||t", "ev_extra4=null"] },
  { name: `${kind} magic`, kind, when: "AFTER", args: [], magic: true },
  { name: `${kind} magic+expr`, kind, when: "AFTER", args: ["ev_extra1='arg wins'"], magic: true },
  { name: `${kind} unknown magic`, kind, when: "AFTER", args: [], magic: "unknown" },
  { name: `${kind} no pkey`, kind, when: "AFTER", args: [], pkey: false },
  { name: `${kind} key order`, kind, when: "AFTER", args: ["backup"], keyOrder: true },
  { name: `${kind} deny`, kind, when: "AFTER", args: ["deny"] },
  { name: `${kind} truncate`, kind, when: "AFTER", args: [], truncate: true },
  { name: `${kind} local role`, kind, when: "AFTER", args: [], role: "local" },
  { name: `${kind} fast`, kind, when: "AFTER", args: [], fast: true },
  { name: `${kind} fast backup`, kind, when: "AFTER", args: ["backup"], fast: true },
  { name: `${kind} fast SKIP`, kind, when: "BEFORE", args: ["SKIP"], fast: true },
  { name: `${kind} fast BEFORE backup`, kind, when: "BEFORE", args: ["backup"], fast: true },
  { name: `${kind} fast no pkey`, kind, when: "AFTER", args: [], fast: true, pkey: false },
  { name: `${kind} fast key order`, kind, when: "AFTER", args: [], fast: true, keyOrder: true },
  { name: `${kind} fast key include`, kind, when: "AFTER", args: ["backup"], fast: true, include: true },
  { name: `${kind} fast pkey`, kind, when: "AFTER", args: ["pkey=i4,id"], fast: true },
  { name: `${kind} fast pkey unknown`, kind, when: "AFTER", args: ["pkey=nosuch"], fast: true },
  { name: `${kind} fast ignore`, kind, when: "AFTER", args: ["ignore=t,b"], fast: true },
  { name: `${kind} fast ignore pkey backup`, kind, when: "AFTER", args: ["ignore=b,u", "pkey=i4,id", "backup"], fast: true },
  { name: `${kind} fast SKIP ignore`, kind, when: "BEFORE", args: ["SKIP", "ignore=t"], fast: true },
  // columns whose values the updates below change only in how they are written
  { name: `${kind} fast ignore equal values`, kind, when: "AFTER", args: ["ignore=n,iv,f4,bc"], fast: true },
  { name: `${kind} ignore equal values`, kind, when: "AFTER", args: ["ignore=n,iv,ci,p"] },
  { name: `${kind} fast plain types`, kind, when: "AFTER", args: ["backup"], fast: true, plain: true },
  { name: `${kind} fast plain types german`, kind, when: "AFTER", args: ["backup"], fast: true, plain: true, settings: "german" },
  { name: `${kind} fast plain types BEFORE`, kind, when: "BEFORE", args: [], fast: true, plain: true },
  ...Object.keys(SETTINGS).flatMap((settings): Scenario[] => [
    { name: `${kind} fast ${settings}`, kind, when: "AFTER", args: ["backup"], fast: true, settings },
    { name: `${kind} ${settings}`, kind, when: "AFTER", args: ["backup"], settings },
  ]),
]);

interface Outcome {
  events: string[];
  errors: string[];
  rows: number;
}

async function run(c: pg.Client, sc: Scenario, seed: number, bulk = false): Promise<Outcome> {
  const r = rng(seed);
  const magic: [string, string][] = sc.magic === "unknown" ? [["_pgq_ev_bogus", "text"]]
    : sc.magic ? [["_pgq_ev_type", "text"], ["_pgq_ev_extra1", "text"]] : [];
  const fastCols = sc.plain ? FAST_COLUMNS.filter(([, t]) => !["numeric", "float4", "float8"].includes(t)) : FAST_COLUMNS;
  const cols = [...(sc.fast ? fastCols : COLUMNS), ...magic];
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  await c.query("drop table if exists rc cascade");
  await c.query("drop domain if exists rc_bool; create domain rc_bool as bool");
  await c.query("drop type if exists rc_mood; create type rc_mood as enum ('sad', 'ok', 'happy day')");
  await c.query("drop type if exists rc_pair; create type rc_pair as (a int4, n numeric)");
  await c.query(`drop collation if exists rc_ci;
                 create collation rc_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`);
  await c.query(`create table rc (${cols.map(([n, t]) => `${q(n)} ${t}`).join(", ")}${sc.pkey === false ? "" : sc.keyOrder ? ", primary key (k2, id)" : sc.include ? ", primary key (id) include (k2)" : ", primary key (id, k2)"})`);
  const args = ["rq", ...sc.args].map((a) => `'${a.replace(/'/g, "''")}'`).join(", ");
  if (bulk) {
    await c.query(`create trigger rc_i after insert on rc referencing new table as pgq_new
                   for each statement execute procedure pgq.${sc.kind}_bulk(${args})`);
    await c.query(`create trigger rc_u after update on rc referencing old table as pgq_old new table as pgq_new
                   for each statement execute procedure pgq.${sc.kind}_bulk(${args})`);
    await c.query(`create trigger rc_d after delete on rc referencing old table as pgq_old
                   for each statement execute procedure pgq.${sc.kind}_bulk(${args})`);
  } else if (sc.truncate) {
    await c.query(`create trigger rc_t after truncate on rc for each statement execute procedure pgq.${sc.kind}(${args})`);
  } else {
    await c.query(`create trigger rc_t ${sc.when} insert or update or delete on rc for each row execute procedure pgq.${sc.kind}(${args})`);
  }
  await c.query("select pgq.drop_queue('rq', true) from pgq.queue where queue_name = 'rq'");
  await c.query("select pgq.create_queue('rq')");
  if (sc.role) await c.query(`set session_replication_role = ${sc.role}`);
  for (const setting of SETTINGS[sc.settings ?? ""] ?? []) await c.query(`set ${setting}`);
  const errors: string[] = [];
  const attempt = async (text: string, values: unknown[] = []) => {
    await c.query("savepoint s");
    try {
      await c.query(text, values);
      await c.query("release savepoint s");
    } catch (err) {
      errors.push((err as Error).message);
      await c.query("rollback to savepoint s");
    }
  };
  await c.query("begin");
  const names = cols.map(([n]) => n);
  for (let i = 0; i < ROWS; i++) {
    const vals = cols.map(([n, t]) => (n === "id" ? String(i) : n === "k2" ? `k${i % 7}` : makeValue(t, r)));
    await attempt(`insert into rc (${names.map(q).join(", ")}) values (${names.map((_, j) => `$${j + 1}`).join(", ")})`, vals);
  }
  // updates: a non-key column, an ignored-only column, nothing, a key column
  for (let i = 0; i < ROWS; i += 3) {
    const col = cols[2 + Math.floor(r() * (cols.length - 2))]!;
    await attempt(`update rc set ${q(col[0])} = $1 where id = $2`, [makeValue(col[1], r), i]);
  }
  await attempt("update rc set t = t || '!' where id % 5 = 0");
  await attempt("update rc set b = not b where id % 4 = 1");
  await attempt("update rc set i4 = i4 where id % 6 = 2");
  // values equal by their type's equality but written otherwise: no change
  // for the C triggers (numeric scale, -0, interval units, a character's
  // trailing spaces, a nondeterministic collation, a composite's numeric);
  // and a float changed by one unit in the last place, which
  // extra_float_digits below 1 writes as before: a change
  const has = (col: string) => names.includes(col);
  if (has("n")) await attempt("update rc set n = n * 1.000 where id % 5 = 1");
  if (has("f4")) await attempt("update rc set f4 = 0 where f4 = 0 and id % 2 = 1");
  if (has("iv")) await attempt("update rc set iv = iv + interval '24 hours' - interval '1 day' where id % 3 = 1");
  if (has("bc")) await attempt("update rc set bc = pg_catalog.rtrim(bc)::bpchar || '  ' where id % 4 = 3");
  if (has("ci")) await attempt("update rc set ci = pg_catalog.upper(ci) where id % 3 = 2");
  if (has("p")) await attempt("update rc set p = row((p).a, (p).n * 1.0)::rc_pair where id % 5 = 3");
  if (has("f8")) await attempt("update rc set f8 = f8 + pg_catalog.abs(f8) * 3e-16 where id % 7 = 3");
  await attempt("update rc set k2 = k2 || 'x' where id = 1");
  await attempt("delete from rc where id % 2 = 0");
  if (sc.truncate) await attempt("truncate rc");
  await c.query("commit");
  if (sc.role) await c.query("set session_replication_role = origin");
  if (sc.settings) await c.query("reset all");
  // pgq.event_<id> holds every table of the queue, in both implementations
  const pfx = (await c.query("select queue_data_pfx from pgq.queue where queue_name = 'rq'")).rows[0].queue_data_pfx;
  const ev = await c.query(`select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
                              from ${pfx} order by ev_id`);
  const rows = Number((await c.query("select count(*) n from rc")).rows[0].n);
  return { events: ev.rows.map((x) => JSON.stringify(Object.values(x))), errors, rows };
}

async function main(): Promise<void> {
  const here = import.meta.dirname;
  execFileSync(resolve(here, "../../bench/reference.sh"), ["refcheck_c", "c"], { stdio: ["ignore", "ignore", "inherit"] });
  const admin = new pg.Client({ database: "postgres" });
  await admin.connect();
  await admin.query("drop database if exists refcheck_ours with (force)");
  await admin.query("create database refcheck_ours");
  const ours = new pg.Client({ database: "refcheck_ours" });
  const ref = new pg.Client({ database: "refcheck_c" });
  await ours.connect();
  await ref.connect();
  await ours.query("create extension pgq");
  let failed = 0;
  let events = 0;
  // the statement-level triggers have no SKIP, BEFORE or TRUNCATE forms
  const scenarios = BULK ? SCENARIOS.filter((sc) => sc.when === "AFTER" && !sc.truncate) : SCENARIOS;
  for (const [i, sc] of scenarios.entries()) {
    const seed = SEED * 1000 + i;
    const a = await run(ours, sc, seed, BULK);
    const b = await run(ref, sc, seed);
    events += b.events.length;
    const diff: string[] = [];
    if (a.rows !== b.rows) diff.push(`rows left: ours ${a.rows}, C ${b.rows}`);
    if (JSON.stringify(a.errors) !== JSON.stringify(b.errors)) {
      diff.push(`errors differ:\n    ours: ${JSON.stringify(a.errors.slice(0, 3))}\n    C:    ${JSON.stringify(b.errors.slice(0, 3))}`);
    }
    const n = Math.max(a.events.length, b.events.length);
    for (let k = 0; k < n && diff.length < 4; k++) {
      if (a.events[k] !== b.events[k]) diff.push(`event ${k + 1}:\n    ours: ${a.events[k]}\n    C:    ${b.events[k]}`);
    }
    if (diff.length) {
      failed++;
      console.log(`not ok ${i + 1} - ${sc.name}\n  ${diff.join("\n  ")}`);
    } else {
      console.log(`ok ${i + 1} - ${sc.name} (${b.events.length} events, ${b.errors.length} errors)`);
    }
  }
  console.log(`1..${scenarios.length}`);
  console.log(`refcheck${BULK ? " --bulk" : ""}: ${events} events compared, seed ${SEED}`);
  console.log(`${scenarios.length - failed} passed, ${failed} failed`);
  await ours.end();
  await ref.end();
  await admin.query("drop database refcheck_ours with (force)");
  await admin.query("drop database refcheck_c with (force)");
  await admin.end();
  process.exit(failed ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error("refcheck failed:", err);
  process.exit(1);
});
