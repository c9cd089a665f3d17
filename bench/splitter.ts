// queue_splitter benchmark: events/s moved from one source queue into 1, 10
// and 100 target queues on another database (one batch, through the same
// handler the CLI uses), against the floor: the same rows read from a plain
// table and written with one INSERT ... SELECT into a plain table on the
// other database.
//   npx tsx bench/splitter.ts [--quick]      (PG* environment names the server)
import { Consumer } from "../src/index.js";
import { splitBatch } from "../src/splitter.js";

import { client, dropDb, fail, freshDb, median, quick, record } from "./lib.js";

const N = quick ? 20_000 : 100_000;
const ROUNDS = quick ? 1 : 3;

async function main(): Promise<void> {
  for (const db of ["bench_split_src", "bench_split_dst"]) await freshDb(db);
  const src = await client("bench_split_src");
  const dst = await client("bench_split_dst");
  await src.query("create extension pgq");
  await dst.query("create extension pgq_ext cascade");
  const payload = "x".repeat(100);

  const rows: string[] = [];
  for (const k of [1, 10, 100]) {
    for (let i = 0; i < k; i++) await dst.query("select pgq.create_queue($1)", [`t${k}_${i}`]);
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const queue = `s${k}_${round}`;
      const consumer = `split_${k}_${round}`;
      await src.query("select pgq.create_queue($1)", [queue]);
      await src.query("select pgq.register_consumer($1, $2)", [queue, consumer]);
      await src.query(`select count(pgq.insert_event($1, 't', $2, 't' || $3::int || '_' || (g % $3::int), null, null, null))
                         from generate_series(1, $4::int) g`, [queue, payload, k, N]);
      await src.query("select pgq.force_tick($1)", [queue]);
      await src.query("select pgq.ticker($1)", [queue]);
      const c = new Consumer({ connection: { database: "bench_split_src" }, queue, consumer,
        exactlyOnce: { target: { database: "bench_split_dst" }, mode: "handler" } });
      const t0 = performance.now();
      while (await c.runOnce(splitBatch({ consumer, field: "ev_extra1", skipBad: false })));
      times.push(performance.now() - t0);
      await c.close();
    }
    const rate = N / (median(times) / 1000);
    record(`splitter_${k}`, "ours", rate);
    rows.push(`| queue_splitter into ${k} queue${k > 1 ? "s" : ""} | ${Math.round(rate)} |`);
  }

  // the floor: plain rows, one read, one INSERT ... SELECT on the other side
  await src.query("create table plain_src as select 't'::text as ev_type, $1::text as ev_data, 't1_0'::text as ev_extra1,"
    + " now() as ev_time from generate_series(1, $2::int)", [payload, N]);
  await dst.query("create table plain_dst (ev_type text, ev_data text, ev_extra1 text, ev_time timestamptz)");
  const plain: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await dst.query("truncate plain_dst");
    const t0 = performance.now();
    await dst.query("begin");
    const r = await src.query("select ev_type, ev_data, ev_extra1, ev_time from plain_src");
    await dst.query("insert into plain_dst select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])",
      [r.rows.map((x) => x.ev_type), r.rows.map((x) => x.ev_data), r.rows.map((x) => x.ev_extra1), r.rows.map((x) => x.ev_time)]);
    await dst.query("commit");
    plain.push(performance.now() - t0);
  }
  const floor = N / (median(plain) / 1000);
  for (const k of [1, 10, 100]) record(`splitter_${k}`, "plain", floor);
  console.log(`| ${N} events, median of ${ROUNDS} | events/s | ratio to plain copy |`);
  console.log("|---|---:|---:|");
  for (const row of rows) {
    const v = Number(row.split("|")[2]);
    console.log(`${row} ${(v / floor).toFixed(2)} |`);
  }
  console.log(`| plain SELECT + INSERT ... SELECT between the databases | ${Math.round(floor)} | 1.00 |`);
  await src.end();
  await dst.end();
  for (const db of ["bench_split_src", "bench_split_dst"]) await dropDb(db);
}

main().catch(fail("splitter bench"));
