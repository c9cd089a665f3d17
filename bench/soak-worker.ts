// The soak's own processes (bench/soak.ts starts them, kills them and
// starts them again):
//   soak-worker.ts producer '<json>'   three producers on one queue: one-event
//       transactions (pgq.insert_event), bulk transactions (insert_events or
//       many insert_event calls) and a trigger producer (jsontriga on a
//       table), each committing the keys of its events into soak_ledger in
//       the same transaction; one transaction in 20 is rolled back on
//       purpose (keys "x..."), which nothing may ever deliver.  SIGUSR1: a
//       burst (ten times the rate), SIGUSR2: back to the normal rate.
//   soak-worker.ts consumer '<json>'   a Consumer of the driver: "plain"
//       (at least once: records each batch's keys on the target database,
//       then lets the batch finish) or "eo" (exactly once through pgq_ext
//       into the target, in the target transaction).
// Both reconnect after every error (a killed backend, a server restart)
// and log one line per event worth knowing.
import pg from "pg";
import { Consumer, SafeClient, type Pooler } from "../src/index.js";

interface ProducerCfg {
  conn: string;
  pooler: Pooler;
  queue: string;
  /** One-event transactions per second per producer loop, at the normal rate. */
  rate: number;
}

interface ConsumerCfg {
  conn: string;
  target: string;
  pooler: Pooler;
  queue: string;
  consumer: string;
  mode: "plain" | "eo";
}

const [role, json] = process.argv.slice(2);
const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${role} ${process.pid}: ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0];

/** The key an event stands for: its data, or a trigger event's row id. */
export function keyOf(data: string | null): string {
  if (data === null) return "";
  return data.startsWith("{") ? String((JSON.parse(data) as { id: string }).id) : data;
}

async function producer(cfg: ProducerCfg): Promise<void> {
  let burst = false;
  let stopping = false;
  process.on("SIGUSR1", () => { burst = true; log("burst: 10x the rate"); });
  process.on("SIGUSR2", () => { burst = false; log("burst over"); });
  process.on("SIGINT", () => { stopping = true; });
  let seq = 0;
  const key = (kind: string, abort: boolean) => `${abort ? "x" : ""}${kind}${process.pid}-${++seq}`;
  // one loop per kind, each on its own connection
  const kinds: Array<{ kind: string; size: () => number; write: (c: pg.Client, keys: string[]) => Promise<void> }> = [
    { kind: "s", size: () => 1, write: async (c, keys) => {
      await c.query("select pgq.insert_event($1, 'single', $2, 'part_a', null, null, null)", [cfg.queue, keys[0]]);
    } },
    { kind: "b", size: () => 5 + Math.floor(Math.random() * 46), write: async (c, keys) => {
      // half through insert_events (one set-based insert), half one call per event
      if (keys.length % 2 === 0) {
        await c.query("select pgq.insert_events($1, pg_catalog.array_fill('bulk'::text, array[$3::int]), $2::text[],"
          + " pg_catalog.array_fill('part_b'::text, array[$3::int]))", [cfg.queue, keys, keys.length]);
      } else {
        await c.query("select pgq.insert_event($1, 'bulk', k, 'part_b', null, null, null) from pg_catalog.unnest($2::text[]) k",
          [cfg.queue, keys]);
      }
    } },
    { kind: "t", size: () => 1 + Math.floor(Math.random() * 10), write: async (c, keys) => {
      await c.query("insert into public.soak_orders (id, qty) select k, 1 from pg_catalog.unnest($1::text[]) k", [keys]);
    } },
  ];
  const counts = { committed: 0, aborted: 0, failed: 0 };
  const loops = kinds.map(async ({ kind, size, write }) => {
    let c: SafeClient | undefined;
    while (!stopping) {
      const t0 = Date.now();
      try {
        if (!c) {
          c = new SafeClient({ ...parse(cfg.conn), application_name: "soak-producer", pooler: cfg.pooler });
          c.on("error", () => undefined);
          await c.connect();
        }
        const abort = Math.random() < 0.05;
        const keys = Array.from({ length: size() }, () => key(kind, abort));
        await c.query("begin");
        await write(c, keys);
        await c.query("insert into public.soak_ledger (k) select pg_catalog.unnest($1::text[])", [keys]);
        if (abort) {
          await c.query("rollback");
          counts.aborted += keys.length;
        } else {
          await c.query("commit");
          counts.committed += keys.length;
        }
      } catch (err) {
        counts.failed++;
        log(`${kind}: ${text(err)}; reconnecting`);
        await c?.end().catch(() => undefined);
        c = undefined;
        await sleep(200);
        continue;
      }
      const period = 1000 / cfg.rate / (burst ? 10 : 1);
      await sleep(Math.max(0, period - (Date.now() - t0)));
    }
    await c?.end().catch(() => undefined);
  });
  const stats = setInterval(() => log(`events committed ${counts.committed}, rolled back ${counts.aborted}, failed transactions ${counts.failed}`), 30_000);
  await Promise.all(loops);
  clearInterval(stats);
  log(`stopped: events committed ${counts.committed}, rolled back ${counts.aborted}, failed transactions ${counts.failed}`);
}

function parse(conn: string): pg.ClientConfig {
  const cfg: pg.ClientConfig = {};
  for (const part of conn.split(/\s+/)) {
    const [k, v] = part.split("=") as [string, string];
    if (k === "host") cfg.host = v;
    else if (k === "port") cfg.port = Number(v);
    else if (k === "user") cfg.user = v;
    else if (k === "dbname") cfg.database = v;
  }
  return cfg;
}

async function consumer(cfg: ConsumerCfg): Promise<void> {
  const ctl = new AbortController();
  process.on("SIGINT", () => ctl.abort());
  let rec: SafeClient | undefined;
  const c = new Consumer({
    connection: `${cfg.conn} application_name=soak-${cfg.mode}`,
    queue: cfg.queue,
    consumer: cfg.consumer,
    pooler: cfg.pooler,
    pollIntervalMs: 200,
    fetchSize: 200,
    ...(cfg.mode === "eo" ? { exactlyOnce: { target: `${cfg.target} application_name=soak-eo`, mode: "batch" as const } } : {}),
    onError: (err) => log(`${cfg.consumer}: ${text(err)}`),
  });
  // the server may be down (restarting) when this process starts
  for (let backoff = 250; ; backoff = Math.min(backoff * 2, 5000)) {
    try {
      await c.register();
      break;
    } catch (err) {
      log(`${cfg.consumer}: cannot register: ${text(err)}; again in ${backoff} ms`);
      await c.close();
      await sleep(backoff);
    }
  }
  let batches = 0;
  await c.run(async (batch) => {
    const keys: string[] = [];
    const ids: string[] = [];
    for await (const evs of batch.events()) {
      for (const e of evs) {
        keys.push(keyOf(e.ev_data));
        ids.push(e.ev_id);
      }
    }
    if (cfg.mode === "eo") {
      await batch.target!.query("insert into public.soak_eo (batch_id, ev_id, k) select $1, * from rows from (pg_catalog.unnest($2::bigint[]), pg_catalog.unnest($3::text[]))",
        [batch.info.batch_id, ids, keys]);
    } else {
      if (!rec) {
        rec = new SafeClient({ ...parse(cfg.target), application_name: "soak-plain", pooler: cfg.pooler });
        const r = rec;
        r.on("error", () => { if (rec === r) rec = undefined; });
        await r.connect();
      }
      try {
        await rec.query("insert into public.soak_plain (batch_id, ev_id, k) select $1, * from rows from (pg_catalog.unnest($2::bigint[]), pg_catalog.unnest($3::text[]))",
          [batch.info.batch_id, ids, keys]);
      } catch (err) {
        await rec?.end().catch(() => undefined);
        rec = undefined;
        throw err;
      }
    }
    if (++batches % 500 === 0) log(`${cfg.consumer}: ${batches} batches`);
  }, ctl.signal);
  await rec?.end().catch(() => undefined);
  log(`${cfg.consumer}: stopped after ${batches} batches`);
}

const main = role === "producer" ? producer(JSON.parse(json!) as ProducerCfg)
  : role === "consumer" ? consumer(JSON.parse(json!) as ConsumerCfg)
    : Promise.reject(new Error("usage: soak-worker.ts producer|consumer '<json>'"));
main.then(() => process.exit(0), (err: unknown) => {
  log(`fatal: ${text(err)}`);
  process.exit(1);
});
