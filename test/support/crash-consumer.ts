// A consumer that applies batches from a queue on one database into a
// table on another, exactly once through pgq_ext, for the crash test.
// It records progress with pgq_ext.set_batch_done in the same target
// transaction as its writes, commits the target, then finishes the batch
// on the source.  Killed at any point, it is simply started again.
//
//   tsx crash-consumer.ts '<json config>'
//   config: { src: ClientConfig, dst: ClientConfig, queue, consumer, drainIdleMs? }
// With drainIdleMs it exits 0 after that long without a batch.
import pg from "pg";

const cfg = JSON.parse(process.argv[2] ?? "{}") as {
  src: pg.ClientConfig;
  dst: pg.ClientConfig;
  queue: string;
  consumer: string;
  drainIdleMs?: number;
};

async function main(): Promise<void> {
  const src = new pg.Client({ ...cfg.src, application_name: "crash-consumer" });
  const dst = new pg.Client({ ...cfg.dst, application_name: "crash-consumer" });
  await src.connect();
  await dst.connect();
  let idleSince = Date.now();
  for (;;) {
    const b = (await src.query("select batch_id from pgq.next_batch($1, $2) batch_id", [cfg.queue, cfg.consumer]))
      .rows[0] as { batch_id: string | null };
    if (b.batch_id === null) {
      if (cfg.drainIdleMs !== undefined && Date.now() - idleSince > cfg.drainIdleMs) break;
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    idleSince = Date.now();
    const evs = await src.query("select ev_id, ev_data from pgq.get_batch_events($1)", [b.batch_id]);
    await dst.query("begin");
    const done = (await dst.query("select pgq_ext.is_batch_done($1, $2) d", [cfg.consumer, b.batch_id])).rows[0].d;
    if (!done) {
      await dst.query(
        "insert into applied (ev_id, ev_data) select * from unnest($1::bigint[], $2::text[])",
        [evs.rows.map((r) => r.ev_id), evs.rows.map((r) => r.ev_data)],
      );
      await dst.query("select pgq_ext.set_batch_done($1, $2)", [cfg.consumer, b.batch_id]);
    }
    await dst.query("commit");
    await src.query("select pgq.finish_batch($1)", [b.batch_id]);
  }
  await src.end();
  await dst.end();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`crash-consumer: ${String(err)}`);
    process.exit(1);
  },
);
