// One cooperative subconsumer (Consumer with subconsumer) as a process of
// its own, for test/coop.test.ts.  For every event of each batch it
// inserts (ev_id, worker, batch_id, now()) into table coop_seen, outside
// the batch's transaction, so what it did survives a SIGKILL.
//
//   tsx coop-worker.ts '<json config>'
//   config: { connection: ClientConfig, queue, consumer, subconsumer,
//             deadInterval?, stall?: boolean }
// With stall, it records the first events of its first batch and then
// hangs inside the handler (alive: its heartbeat goes on) until killed.
import pg from "pg";
import { Consumer } from "../../src/index.js";

const cfg = JSON.parse(process.argv[2] ?? "{}") as {
  connection: pg.ClientConfig;
  queue: string;
  consumer: string;
  subconsumer: string;
  deadInterval?: string;
  stall?: boolean;
};

async function main(): Promise<void> {
  const log = new pg.Client({ ...cfg.connection, application_name: `coop-${cfg.subconsumer}` });
  await log.connect();
  const consumer = new Consumer({
    connection: { ...cfg.connection, application_name: `coop-${cfg.subconsumer}` },
    queue: cfg.queue,
    consumer: cfg.consumer,
    subconsumer: cfg.subconsumer,
    deadInterval: cfg.deadInterval,
    fetchSize: 10,
    pollIntervalMs: 50,
    onError: (err) => console.error(`coop-worker ${cfg.subconsumer}: ${String(err)}`),
  });
  const stop = new AbortController();
  process.on("SIGINT", () => stop.abort());
  await consumer.run(async (batch) => {
    for await (const events of batch.events()) {
      await log.query(
        "insert into coop_seen (ev_id, worker, batch_id) select unnest($1::bigint[]), $2, $3",
        [events.map((e) => e.ev_id), cfg.subconsumer, batch.info.batch_id],
      );
      if (cfg.stall) await new Promise(() => undefined);
    }
  }, stop.signal);
  await log.end();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`coop-worker: ${String(err)}`);
    process.exit(1);
  },
);
