// The observability facts (sql.observe: pgqadm status --json, pgq-runner's
// /metrics) on a database with the real C PgQ 3.5 (Debian's
// postgresql-15-pgq3): the same pending events, lags and tick ids as PgQ's
// own pgq.get_consumer_info() and pgq.get_queue_info() on the same data.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { runCli, waitFor } from "./support/cli.js";
import { pgq35 } from "./support/pgq35.js";
import { parsePromText, sampleValue } from "./support/promtext.js";

const PREFIX = join(tmpdir(), "pgq35-prefix-status-test");
const dir = mkdtempSync(join(tmpdir(), "status-pgq35-test."));
let cluster: PrivateCluster;
let c: pg.Client;

beforeAll(async () => {
  const bin = pgq35("prefix", PREFIX);
  cluster = startPrivateCluster({ pgbin: bin });
  await cluster.createDb("old");
  c = new pg.Client(cluster.config("old"));
  await c.connect();
  expect((await c.query("select pgq.version() v")).rows[0].v).toBe("3.5");
  await c.query("select pgq.create_queue('orders')");
  await c.query("select pgq.create_queue('idle')");
  for (const consumer of ["fast", "slow", "never"]) await c.query("select pgq.register_consumer('orders', $1)", [consumer]);
  // three rounds of events and ticks; fast reads all, slow one batch, never none
  for (let round = 1; round <= 3; round++) {
    await c.query("select pgq.insert_event('orders', 't', 'r' || $1::text || '-' || i) from generate_series(1, 10 * $1::int) i", [round]);
    await c.query("select pgq.force_tick('orders')");
    await c.query("select pgq.ticker('orders')");
  }
  for (const [consumer, batches] of [["fast", 10], ["slow", 1]] as const) {
    for (let i = 0; i < batches; i++) {
      const b = (await c.query("select pgq.next_batch('orders', $1) id", [consumer])).rows[0].id;
      if (b === null) break;
      await c.query("select pgq.finish_batch($1)", [b]);
    }
  }
  // one open batch
  await c.query("select pgq.next_batch('orders', 'never')");
  await c.query("select pgq.insert_event('orders', 't', 'unticked') from generate_series(1, 4)");
});

afterAll(async () => {
  await c?.end();
  cluster?.stop();
});

interface JsonStatus {
  pgq_version: string;
  queues: { queue: string; last_tick: string; ev_new: number; ticker: string }[];
  consumers: { queue: string; consumer: string; pending_events: number; last_tick: string; batch: string | null; lag: number }[];
}

describe("observability on C PgQ 3.5", () => {
  it("pgqadm status --json counts as PgQ's get_consumer_info and get_queue_info", async () => {
    const ini = join(dir, "old.ini");
    writeFileSync(ini, `[pgqadm]\ndb = dbname=old host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres\n`);
    const r = runCli("pgqadm", [ini, "status", "--json"]);
    expect(await r.exit).toBe(0);
    const st = JSON.parse(r.output()) as JsonStatus;
    const ci = (await c.query("select * from pgq.get_consumer_info() order by 1, 2")).rows;
    expect(ci).toHaveLength(3);
    expect(st.pgq_version).toBe("3.5");
    expect(st.consumers.map((x) => [x.consumer, x.pending_events, x.last_tick, x.batch]))
      .toEqual(ci.map((x) => [x.consumer_name, Number(x.pending_events), x.last_tick, x.current_batch]));
    // the three differ, so the comparison means something
    expect(new Set(ci.map((x) => x.pending_events)).size).toBe(3);
    const qi = (await c.query("select * from pgq.get_queue_info() order by 1")).rows;
    expect(st.queues.map((x) => [x.queue, x.last_tick, x.ev_new])).toEqual(qi.map((x) => [x.queue_name, x.last_tick_id, Number(x.ev_new)]));
    expect(st.queues.find((x) => x.queue === "orders")!.ev_new).toBe(4);
  });

  it("pgq-runner's /metrics on a PgQ 3.5 database", async () => {
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    const ini = join(dir, "runner.ini");
    // a slow ticker period: the facts stay as they are while we compare
    writeFileSync(ini, `[pgq-runner]\nbase_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
database_list = old\nticker_period = 600\nmaint_period = 600\nretry_period = 600\nhttp_listen = 127.0.0.1:${port}\n`);
    const run = runCli("pgq-runner", [ini]);
    try {
      await waitFor(() => /db=old: pgq found, ticking/.test(run.output()), 15_000, "the runner on 3.5");
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const f = parsePromText(text);
      const ci = (await c.query("select consumer_name, pending_events from pgq.get_consumer_info('orders')")).rows;
      for (const x of ci) {
        expect(sampleValue(f, "pgq_consumer_pending_events", { queue: "orders", consumer: x.consumer_name })).toBe(Number(x.pending_events));
      }
      expect(sampleValue(f, "pgq_consumer_batch_open", { queue: "orders", consumer: "never" })).toBe(1);
      expect(sampleValue(f, "pgq_queues", { database: "old" })).toBe(2);
      expect(sampleValue(f, "pgq_runner_database_up", { database: "old" })).toBe(1);
    } finally {
      run.child.kill("SIGINT");
      await run.exit;
    }
  });
});
