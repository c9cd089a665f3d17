// queue_splitter across server restarts: source and target live on a
// private cluster that is restarted twice while producers write and the
// splitter runs; every event still arrives exactly once.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { killDaemons, runCli, waitFor } from "./support/cli.js";

let cluster: PrivateCluster;
const dir = mkdtempSync(join(tmpdir(), "splitter-restart."));
beforeAll(() => {
  cluster = startPrivateCluster();
});
afterAll(() => {
  killDaemons(dir);
  cluster?.stop();
});

describe("queue_splitter and server restarts", () => {
  it("delivers every event exactly once across restarts", async () => {
    await cluster.createDb("rs_src");
    await cluster.createDb("rs_dst");
    const q = cluster.query.bind(cluster);
    await q("rs_dst", "create extension pgq_ext");
    await q("rs_src", "select pgq.create_queue('src')");
    await q("rs_src", "update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0'");
    await q("rs_src", "select pgq.register_consumer('src', 'rs_split')");
    for (const t of ["a", "b"]) await q("rs_dst", "select pgq.create_queue($1)", [t]);
    const cfg = join(dir, "rs.ini");
    const conn = (db: string) => `dbname=${db} host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres`;
    writeFileSync(cfg, `[queue_splitter3]
job_name = rs_split
src_db = ${conn("rs_src")}
dst_db = ${conn("rs_dst")}
pgq_queue_name = src
loop_delay = 0.1
`);
    const run = runCli("queue_splitter", [cfg]);
    let produced = 0;
    const produce = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await q("rs_src", "select pgq.insert_event('src', 't', 'e' || g, case when g % 2 = 0 then 'a' else 'b' end, null, null, null) from generate_series($1::int, $2::int) g",
          [produced + 1, produced + 10]);
        produced += 10;
        await q("rs_src", "select pgq.ticker('src')");
      }
    };
    const moved = async () => {
      let n = 0;
      for (const t of ["a", "b"]) {
        const pfx = (await q<{ p: string }>("rs_dst", "select queue_data_pfx p from pgq.queue where queue_name = $1", [t]))[0]!.p;
        n += Number((await q<{ n: string }>("rs_dst", `select count(*) n from ${pfx}`))[0]!.n);
      }
      return n;
    };
    await produce(5);
    await waitFor(async () => (await moved()) === produced, 15_000, "first events moved");
    for (let round = 0; round < 2; round++) {
      cluster.restart();
      await produce(5);
    }
    await waitFor(async () => (await moved()) === produced, 30_000, "events moved after the restarts");
    await new Promise((r) => setTimeout(r, 500));
    expect(await moved()).toBe(produced);
    const data: string[] = [];
    for (const t of ["a", "b"]) {
      const pfx = (await q<{ p: string }>("rs_dst", "select queue_data_pfx p from pgq.queue where queue_name = $1", [t]))[0]!.p;
      data.push(...(await q<{ d: string }>("rs_dst", `select ev_data d from ${pfx}`)).map((r) => r.d));
    }
    expect(new Set(data).size).toBe(produced);
    expect(run.output()).toMatch(/ERROR rs_split/); // it saw the restarts
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });
});
