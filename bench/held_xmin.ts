// Held-xmin scenario: a producer, a ticker, a maintenance loop (what pgqd
// runs: pgq.maint_operations() rows, rotation every few seconds) and a
// consumer that polls as fast as it can; in the middle phase another
// session holds the xmin horizon with an open REPEATABLE READ transaction
// that has an xid (so it blocks rotation as well as VACUUM).
// Run for pgq (ours) and for PgQ 3.5 with its C parts, one after the other
// in the same cluster, and print per phase: consumer polls/s, events/s
// consumed, dead row versions and size of pgq.subscription and pgq.tick,
// and the size of the event tables.
//
//   npx tsx bench/held_xmin.ts [--quick]      (PG* environment names the server)
import pg from "pg";
import { client, dropDb, fail, freshDb, quick, record, referenceDb, scalar, sleep } from "./lib.js";

const PHASES: [string, number][] = quick
  ? [["before", 4], ["held", 12], ["after", 4]]
  : [["before", 60], ["held", 600], ["after", 90]];
const EVENTS_PER_SEC = 1000;

interface PhaseResult {
  system: string;
  phase: string;
  polls: number;
  events: number;
  subDead: number;
  subKb: number;
  tickDead: number;
  tickKb: number;
  eventKb: number;
}


async function runSystem(system: string, database: string): Promise<PhaseResult[]> {
  const setup = await client(database);
  await setup.query("select pgq.create_queue('hx')");
  await setup.query("update pgq.queue set queue_ticker_max_lag = '100 ms', queue_ticker_idle_period = '1 s',"
    + " queue_rotation_period = '5 s' where queue_name = 'hx'");
  await setup.query("select pgq.register_consumer('hx', 'c')");

  let stop = false;
  const counters = { polls: 0, events: 0 };

  const producer = (async () => {
    const c = await client(database);
    const perTx = 10;
    const payload = "x".repeat(100);
    while (!stop) {
      const t0 = Date.now();
      await c.query("select pgq.insert_event('hx', 'ev', $1) from generate_series(1, $2)", [payload, perTx]);
      const wait = (perTx * 1000) / EVENTS_PER_SEC - (Date.now() - t0);
      if (wait > 0) await sleep(wait);
    }
    await c.end();
  })();

  const ticker = (async () => {
    const c = await client(database);
    while (!stop) {
      await c.query("select pgq.ticker()");
      await sleep(50);
    }
    await c.end();
  })();

  const maint = (async () => {
    const c = await client(database);
    while (!stop) {
      const ops = await c.query("select func_name, func_arg from pgq.maint_operations()");
      for (const op of ops.rows as { func_name: string; func_arg: string | null }[]) {
        if (op.func_name.startsWith("vacuum")) {
          await c.query(`${op.func_name} ${op.func_arg}`);
        } else {
          const call = op.func_arg === null ? `select ${op.func_name}()` : `select ${op.func_name}($1)`;
          await c.query(call, op.func_arg === null ? [] : [op.func_arg]);
        }
      }
      while ((await scalar<number>(c, "select pgq.maint_retry_events()")) > 0);
      await sleep(2000);
    }
    await c.end();
  })();

  const consumer = (async () => {
    const c = await client(database);
    while (!stop) {
      const id = await scalar<string | null>(c, "select pgq.next_batch('hx', 'c')");
      counters.polls++;
      if (id === null) continue;
      counters.events += await scalar<number>(c, "select count(*)::int from pgq.get_batch_events($1)", [id]);
      await c.query("select pgq.finish_batch($1)", [id]);
    }
    await c.end();
  })();

  const stats = await client(database);
  const results: PhaseResult[] = [];
  let holder: pg.Client | undefined;
  for (const [phase, secs] of PHASES) {
    if (phase === "held") {
      holder = await client(database);
      // a snapshot and an xid: holds VACUUM's horizon and, through every
      // new tick's xmin, table rotation too
      await holder.query("begin isolation level repeatable read");
      await holder.query("select txid_current()");
    }
    counters.polls = 0;
    counters.events = 0;
    await sleep(secs * 1000);
    const polls = counters.polls / secs;
    const events = counters.events / secs;
    await sleep(1200); // let backends flush their statistics
    const s = (await stats.query(`
        select pg_stat_get_dead_tuples('pgq.subscription'::regclass) as sub_dead,
               pg_total_relation_size('pgq.subscription') / 1024 as sub_kb,
               pg_stat_get_dead_tuples('pgq.tick'::regclass) as tick_dead,
               pg_total_relation_size('pgq.tick') / 1024 as tick_kb,
               (select sum(pg_total_relation_size(c.oid)) / 1024 from pg_class c
                 where c.relnamespace = 'pgq'::regnamespace and c.relname ~ '^event_[0-9]+_[0-9]+$'
                   and c.relkind = 'r') as event_kb`)).rows[0];
    results.push({
      system, phase, polls, events,
      subDead: Number(s.sub_dead), subKb: Number(s.sub_kb),
      tickDead: Number(s.tick_dead), tickKb: Number(s.tick_kb), eventKb: Number(s.event_kb),
    });
    if (phase === "held" && holder) {
      await holder.query("commit");
      await holder.end();
    }
  }
  stop = true;
  await Promise.all([producer, ticker, maint, consumer]);
  await stats.end();
  await setup.end();
  return results;
}

async function main(): Promise<void> {
  referenceDb("bench_hx_c", "c");
  await freshDb("bench_hx_ours");
  const ours = await client("bench_hx_ours");
  await ours.query("create extension pgq");
  await ours.end();

  const all = [...(await runSystem("pgq (ours)", "bench_hx_ours")), ...(await runSystem("PgQ 3.5 C", "bench_hx_c"))];
  console.log(`| system | phase (s) | consumer polls/s | events/s | subscription dead / KiB | tick dead / KiB | event tables KiB |`);
  console.log(`|---|---|---:|---:|---:|---:|---:|`);
  for (const r of all) {
    const secs = PHASES.find(([p]) => p === r.phase)![1];
    console.log(`| ${r.system} | ${r.phase} (${secs}) | ${Math.round(r.polls)} | ${Math.round(r.events)} | `
      + `${r.subDead} / ${r.subKb} | ${r.tickDead} / ${r.tickKb} | ${r.eventKb} |`);
  }
  const ratio = (sys: string) => {
    const b = all.find((r) => r.system === sys && r.phase === "before")!;
    const h = all.find((r) => r.system === sys && r.phase === "held")!;
    return (h.polls / b.polls).toFixed(2);
  };
  for (const [sys, id] of [["pgq (ours)", "ours"], ["PgQ 3.5 C", "c"]] as const) {
    const h = all.find((r) => r.system === sys && r.phase === "held")!;
    const a = all.find((r) => r.system === sys && r.phase === "after")!;
    record("held_polls", id, Number(ratio(sys)));
    record("held_dead", id, h.subDead + h.tickDead);
    record("held_after_events_kb", id, a.eventKb);
  }
  console.log(`\nconsumer polls/s, held / before: pgq (ours) ${ratio("pgq (ours)")}, PgQ 3.5 C ${ratio("PgQ 3.5 C")}`);
  await dropDb("bench_hx_ours");
  await dropDb("bench_hx_c");
}

main().catch(fail("held_xmin bench"));
