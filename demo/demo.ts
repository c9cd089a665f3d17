// make demo: a queue at work, end to end, on whatever server the PG*
// environment names (make demo starts a throwaway one).
//
// Creates a queue, registers a consumer, produces events from two sessions
// (one of them rolls back), ticks, and consumes the batches, printing what
// happens at each step.
import pg from "pg";

const QUEUE = "demo_queue";
const CONSUMER = "demo_consumer";

function say(msg: string): void {
  console.log(msg);
}

async function one<T>(c: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const r = await c.query(sql, params);
  return Object.values(r.rows[0] as Record<string, unknown>)[0] as T;
}

async function main(): Promise<void> {
  const admin = new pg.Client({ database: "postgres" });
  await admin.connect();
  await admin.query("drop database if exists pgq_demo with (force)");
  await admin.query("create database pgq_demo");
  await admin.end();

  const db = new pg.Client({ database: "pgq_demo" });
  const producer = new pg.Client({ database: "pgq_demo" });
  await db.connect();
  await producer.connect();
  try {
    await db.query("create extension pgq");
    say(`pgq ${await one<string>(db, "select pgq.version()")} installed in database pgq_demo`);

    await db.query("select pgq.create_queue($1)", [QUEUE]);
    // tick on every call, so the demo does not have to wait for max_lag
    await db.query("select pgq.set_queue_config($1, 'ticker_max_lag', '0')", [QUEUE]);
    await db.query("select pgq.set_queue_config($1, 'ticker_idle_period', '0')", [QUEUE]);
    await db.query("select pgq.register_consumer($1, $2)", [QUEUE, CONSUMER]);
    say(`created queue ${QUEUE}, registered consumer ${CONSUMER}`);

    for (const [type, data] of [
      ["order.created", "id=1&item=book"],
      ["order.created", "id=2&item=lamp"],
      ["order.paid", "id=1"],
    ]) {
      const id = await one<string>(db, "select pgq.insert_event($1, $2, $3)", [QUEUE, type, data]);
      say(`  produced event ${id}: ${type} ${data}`);
    }

    await producer.query("begin");
    await producer.query("select pgq.insert_event($1, 'order.created', 'id=3&item=ghost')", [QUEUE]);
    await producer.query("rollback");
    say("  produced id=3 in a transaction that rolled back: it must never be seen");

    await producer.query("begin");
    await producer.query("select pgq.insert_event($1, 'order.shipped', 'id=1')", [QUEUE]);
    say("  producing order.shipped in a transaction still open ...");

    let tick = await one<string>(db, "select pgq.ticker($1)", [QUEUE]);
    say(`tick ${tick}`);
    await producer.query("commit");
    say("  ... committed after that tick: it belongs to the next batch");
    tick = await one<string>(db, "select pgq.ticker($1)", [QUEUE]);
    say(`tick ${tick}`);

    let total = 0;
    for (;;) {
      const b = (await db.query("select * from pgq.next_batch_info($1, $2)", [QUEUE, CONSUMER])).rows[0];
      if (b.batch_id === null) break;
      const evs = await db.query("select ev_id, ev_type, ev_data from pgq.get_batch_events($1)", [b.batch_id]);
      say(`batch ${b.batch_id} (ticks ${b.prev_tick_id}..${b.cur_tick_id}): ${evs.rowCount} events`);
      for (const e of evs.rows) say(`  consumed event ${e.ev_id}: ${e.ev_type} ${e.ev_data}`);
      total += evs.rowCount ?? 0;
      await db.query("select pgq.finish_batch($1)", [b.batch_id]);
    }

    const info = (await db.query("select * from pgq.get_consumer_info($1, $2)", [QUEUE, CONSUMER])).rows[0];
    say(`consumer ${CONSUMER}: ${total} events consumed, last tick ${info.last_tick}, pending ${info.pending_events}`);
    if (total !== 4) throw new Error(`expected 4 events, got ${total}`);
    say("demo ok: every committed event arrived once, the rolled-back one never");
  } finally {
    await db.end();
    await producer.end();
  }
}

main().catch((err: unknown) => {
  console.error("demo failed:", err);
  process.exit(1);
});
