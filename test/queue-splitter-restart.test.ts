// queue_splitter across server restarts: source and target live on a
// private cluster that is restarted twice while producers write and the
// splitter runs; every event still arrives exactly once.
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { killDaemons, runCli, waitFor } from "./support/cli.js";
import { freePort } from "./support/pgbouncer.js";

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

  // found by the soak (issue #20): started while its server was restarting
  // (through PgBouncer: "server login has been failing"), it exited 1
  it("waits for its databases at start instead of exiting, and moves events once they are there", async () => {
    await cluster.createDb("late_src");
    await cluster.createDb("late_dst");
    const q = cluster.query.bind(cluster);
    await q("late_dst", "create extension pgq_ext");
    await q("late_dst", "select pgq.create_queue('a')");
    await q("late_src", "select pgq.create_queue('src')");
    await q("late_src", "update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0'");
    // the databases are reached through a port where nothing listens yet
    const port = await freePort();
    const conn = (db: string) => `dbname=${db} host=127.0.0.1 port=${port} user=postgres sslmode=disable`;
    const cfg = join(dir, "late.ini");
    writeFileSync(cfg, `[queue_splitter3]
job_name = late_split
src_db = ${conn("late_src")}
dst_db = ${conn("late_dst")}
pgq_queue_name = src
loop_delay = 0.1
`);
    const run = runCli("queue_splitter", [cfg]);
    await waitFor(() => (run.output().match(/cannot register: .*ECONNREFUSED.*; again in/g) ?? []).length >= 2, 15_000,
      "two refused attempts");
    expect(run.child.exitCode).toBe(null);
    // the server comes: a proxy to the cluster's socket on that port
    const proxy = net.createServer((inc) => {
      const out = net.connect(join(cluster.env.PGHOST, `.s.PGSQL.${cluster.env.PGPORT}`));
      inc.pipe(out).pipe(inc);
      inc.on("error", () => out.destroy());
      out.on("error", () => inc.destroy());
    });
    await new Promise<void>((r) => proxy.listen(port, "127.0.0.1", () => r()));
    try {
      await waitFor(() => /registered on the source queue/.test(run.output()), 20_000, "registered");
      await q("late_src", "select pgq.insert_event('src', 't', 'late' || g, 'a', null, null, null) from generate_series(1, 5) g");
      await q("late_src", "select pgq.ticker('src')");
      await waitFor(async () => (await q<{ n: number }>("late_dst",
        "select count(*)::int n from pgq.event_template where ev_data like 'late%'"))[0]!.n === 5, 15_000, "moved");
      run.child.kill("SIGINT");
      expect(await run.exit).toBe(0);
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
      proxy.close();
    }
  });
});
