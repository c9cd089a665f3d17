// A pg_dump of this pgq restored into another server, whose transaction
// counter is behind the old one's: the restored ticks lie in its future and
// the ticker refuses ('Invalid PgQ state') until pgq.restore_rebase_txids()
// has moved them into its past; then the consumers go on where they were.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { pgDumpCannot } from "./support/pgdump.js";
import { batch, drain, insert, one, sorted, tick } from "./support/pgq35.js";

let from: PrivateCluster;
let to: PrivateCluster;
const clients: pg.Client[] = [];
const dir = mkdtempSync(join(tmpdir(), "pgq-dump-server."));

beforeAll(() => {
  from = startPrivateCluster();
  to = startPrivateCluster();
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.end()));
  from?.stop();
  to?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(cluster: PrivateCluster, db: string): Promise<pg.Client> {
  const c = new pg.Client(cluster.config(db));
  await c.connect();
  c.on("notice", () => {});
  clients.push(c);
  return c;
}

const env = (cluster: PrivateCluster, db: string) =>
  ({ ...process.env, ...cluster.env, PGDATABASE: db, PATH: `/usr/lib/postgresql/15/bin:${process.env.PATH}` });

describe("pg_dump into another server", () => {
  it("needs pgq.restore_rebase_txids(), and then nothing is lost", async (ctx) => {
    await from.createDb("app");
    const o = await connect(from, "app");
    const cannot = await pgDumpCannot(o, env(from, "app"));
    if (cannot) ctx.skip(cannot);
    await o.query("do $$ begin for i in 1..2000 loop perform txid_current(); commit; end loop; end $$");
    await o.query("select pgq.create_queue('q')");
    for (const c of ["c_open", "c_lag"]) await o.query("select pgq.register_consumer('q', $1)", [c]);
    const a = await insert(o, "q", "a", 4);
    await tick(o, "q");
    const open = await batch(o, "q", "c_open", false);
    expect(open?.data).toEqual(a);
    const b = await insert(o, "q", "b", 3);
    await tick(o, "q");
    const c = await insert(o, "q", "c", 2); // after the last tick
    const dump = join(dir, "app.dump");
    execFileSync("pg_dump", ["-Fc", "-f", dump], { env: env(from, "app") });

    await to.query("postgres", "create database app");
    execFileSync("pg_restore", ["--exit-on-error", "-d", "app", dump], { env: env(to, "app") });
    const n = await connect(to, "app");
    expect(Number(await one(n, "select txid_current()"))).toBeLessThan(Number(await one(o, "select txid_current()")));
    // the ticker refuses the queue (a warning per queue from ticker(), an error from ticker(q))
    await expect(n.query("select pgq.ticker('q')")).rejects.toThrow(/Invalid PgQ state/);
    expect(await one(n, "select pgq.restore_rebase_txids()")).toBe(1);
    expect(await one(n, "select pgq.restore_rebase_txids()")).toBe(0);

    const again = await batch(n, "q", "c_open");
    expect(again?.id).toBe(open!.id);
    expect(again?.data).toEqual(a);
    const d = await insert(n, "q", "d", 2);
    await tick(n, "q");
    expect(sorted(await drain(n, "q", "c_open"))).toEqual(sorted([...b, ...c, ...d]));
    expect(sorted(await drain(n, "q", "c_lag"))).toEqual(sorted([...a, ...b, ...c, ...d]));
  });
});
