// pgqadm, SkyTools' interface: every command, the ticker with -d/-s, bad
// configs.  Runs on a private cluster (its ticker must not tick other test
// files' queues, and install needs databases of its own).
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { killDaemons, runCli, waitFor } from "./support/cli.js";
import { PGQ_VERSION } from "./support/env.js";

let cluster: PrivateCluster;
const dir = mkdtempSync(join(tmpdir(), "pgqadm-test."));
beforeAll(() => {
  cluster = startPrivateCluster();
});
afterAll(() => {
  killDaemons(dir);
  cluster?.stop();
});

const sql = <T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []) =>
  cluster.query<T>(db, text, params);

function config(db: string, extra = ""): string {
  const path = join(dir, `${db}.ini`);
  writeFileSync(path, `[pgqadm]
job_name = adm_${db}
db = dbname=${db} host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
loop_delay = 0.2
maint_delay = 0.5
pidfile = ${join(dir, `%(job_name)s.pid`)}
logfile = ${join(dir, `%(job_name)s.log`)}
${extra}`);
  return path;
}

async function adm(args: string[]): Promise<{ code: number | null; out: string }> {
  const r = runCli("pgqadm", args);
  const code = await r.exit;
  return { code, out: r.output() };
}

describe("pgqadm", () => {
  it("install, create, register, status, config, unregister, drop", async () => {
    await sql("postgres", "create database adm1");
    const cfg = config("adm1");
    expect(await adm([cfg, "install"])).toEqual({ code: 0, out: `pgq ${PGQ_VERSION} installed with CREATE EXTENSION\n` });
    expect((await adm([cfg, "install"])).out).toBe(`pgq ${PGQ_VERSION} is installed already (extension)\n`);
    // pgq_ext when named, after pgq; a connection string stands for a config file
    const url = `postgresql://postgres@${encodeURIComponent(cluster.env.PGHOST)}:${cluster.env.PGPORT}/adm1`;
    expect(await adm([`host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres dbname=adm1`, "install", "pgq_ext"]))
      .toEqual({ code: 0, out: `pgq ${PGQ_VERSION} is installed already (extension)\npgq_ext ${PGQ_VERSION} installed with CREATE EXTENSION\n` });
    expect((await adm([url, "install", "pgq_ext"])).out).toMatch(/^pgq .* already .*\npgq_ext .* is installed already \(extension\)\n$/);
    const unknownExt = await adm([cfg, "install", "pgq_exp"]);
    expect(unknownExt).toEqual({ code: 2, out: "pgqadm: install: unknown extension pgq_exp (known: pgq, pgq_ext, pgq_coop)\n" });
    expect(await adm([cfg, "create", "orders"])).toEqual({ code: 0, out: "queue orders created\n" });
    expect((await adm([cfg, "create", "orders"])).out).toBe("queue orders exists already\n");
    expect((await adm([cfg, "create", "mail"])).code).toBe(0);
    expect(await adm([cfg, "register", "orders", "billing"])).toEqual({ code: 0, out: "consumer billing registered on orders\n" });
    expect((await adm([cfg, "register", "orders", "billing"])).out).toMatch(/already/);
    await sql("adm1", "select pgq.insert_event('orders', 't', 'd') from generate_series(1, 42)");

    const status = await adm([cfg, "status"]);
    expect(status.code).toBe(0);
    const lines = status.out.split("\n");
    const major = Math.floor(Number((await sql<{ v: string }>("adm1", "select current_setting('server_version_num') v"))[0]!.v) / 10000);
    expect(lines[0]).toMatch(new RegExp(`^database adm1: PostgreSQL ${major}\\.\\d+, pgq ${PGQ_VERSION.replace(".", "\\.")}$`));
    expect(status.out).toMatch(/^queue\s+ticker lag\s+events\/s\s+new events\s+last tick\s+rotation\s+ticker$/m);
    expect(status.out).toMatch(/^orders\s+[\d.]+s\s+[-\d.]+\s+41\s+1\s+02:00:00\s+ok$/m);
    expect(status.out).toMatch(/^orders\s+billing\s+[\d.]+s\s+[\d.]+s\s+0\s+-$/m);

    const set = await adm([cfg, "config", "orders", "ticker_max_count=100", "queue_ticker_max_lag=5", "rotation_period=1 hour"]);
    expect(set.code).toBe(0);
    expect(set.out).toMatch(/^orders\s+100\s+00:00:05\s+00:01:00\s+01:00:00\s+-\s+-$/m);
    const all = await adm([cfg, "config"]);
    expect(all.out).toMatch(/^mail\s+500\s+00:00:03\s+00:01:00\s+02:00:00\s+-\s+-$/m);
    // on-demand ticking on and off again
    expect((await adm([cfg, "config", "orders", "ticker_on_demand=5ms"])).out)
      .toMatch(/^orders\s+100\s+00:00:05\s+00:01:00\s+01:00:00\s+-\s+00:00:00\.005$/m);
    expect((await adm([cfg, "config", "orders", "ticker_on_demand=off"])).out)
      .toMatch(/^orders\s+100\s+00:00:05\s+00:01:00\s+01:00:00\s+-\s+-$/m);

    // dead letters: max_retries, dead, replay, purge
    expect((await adm([cfg, "config", "mail", "max_retries=0"])).out).toMatch(/^mail\s+500\s+00:00:03\s+00:01:00\s+02:00:00\s+0\s+-$/m);
    expect((await adm([cfg, "register", "mail", "postman"])).code).toBe(0);
    expect(await adm([cfg, "dead", "mail"])).toEqual({ code: 0, out: "id: no dead letters\n" });
    await sql("adm1", "select pgq.insert_event('mail', 'letter', 'to bob')");
    await sql("adm1", "select pgq.ticker('mail')");
    await sql("adm1", `select pgq.event_retry(b, ev_id, 0, 'no such address')
                         from pgq.next_batch('mail', 'postman') b, pgq.get_batch_events(b)`);
    await sql("adm1", "select pgq.finish_batch(sub_batch) from pgq.subscription where sub_batch is not null");
    const dead = await adm([cfg, "dead", "mail", "postman"]);
    expect(dead.code).toBe(0);
    expect(dead.out).toMatch(/^id\s+consumer\s+time\s+retries\s+reason\s+event\s+type\s+data$/m);
    expect(dead.out).toMatch(/^\s*1\s+postman\s+\S+\s+0\s+no such address\s+\d+\s+letter\s+to bob$/m);
    expect((await adm([cfg, "dead", "mail", "nobody"])).out).toBe("id: no dead letters\n");
    expect(await adm([cfg, "replay", "mail", "postman", "1"])).toEqual({ code: 0, out: "1 dead letter of postman put back into mail\n" });
    expect((await sql<{ n: number }>("adm1", "select count(*)::int n from pgq.dead_letter"))[0]!.n).toBe(0);
    expect((await adm([cfg, "replay", "mail"])).code).toBe(2);
    expect((await adm([cfg, "replay", "mail", "nobody"])).out).toMatch(/Not subscriber to queue: mail\/nobody \[PQ002\]/);
    // the replayed event keeps its id, so the event sequence shows nothing
    // new: force the tick (PgQ's rule would wait for max_lag / 2)
    await sql("adm1", "select pgq.force_tick('mail')");
    await sql("adm1", "select pgq.ticker('mail')");
    await sql("adm1", `select pgq.event_dead(b, ev_id, 'gave up')
                         from pgq.next_batch('mail', 'postman') b, pgq.get_batch_events(b)`);
    expect(await adm([cfg, "purge", "mail"])).toEqual({ code: 0, out: "1 dead letter deleted from mail\n" });
    expect((await adm([cfg, "purge", "nope"])).code).toBe(1);
    await sql("adm1", "select pgq.finish_batch(sub_batch) from pgq.subscription where sub_batch is not null");
    expect((await adm([cfg, "unregister", "mail", "postman"])).code).toBe(0);
    const bad = await adm([cfg, "config", "orders", "ticker_paused=true"]);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/cannot set ticker_paused=true/);
    expect((await adm([cfg, "config", "orders", "ticker_max_count=-3"])).code).toBe(1);
    expect((await adm([cfg, "config", "nope"])).code).toBe(2);

    const dropBusy = await adm([cfg, "drop", "orders"]);
    expect(dropBusy.code).toBe(1);
    expect(dropBusy.out).toMatch(/cannot drop queue, consumers still attached \[PQ008\]/);
    expect((await adm([cfg, "unregister", "orders", "billing"])).out).toBe("consumer billing unregistered from orders\n");
    expect((await adm([cfg, "unregister", "orders", "billing"])).out).toMatch(/was not registered/);
    expect(await adm([cfg, "drop", "orders"])).toEqual({ code: 0, out: "queue orders dropped\n" });
    expect((await adm([cfg, "drop", "orders"])).code).toBe(1);

    // with a producer transaction open on another queue, the drop does not
    // wait for it and says that maintenance removes the emptied tables
    expect((await adm([cfg, "create", "held"])).code).toBe(0);
    expect((await adm([cfg, "create", "gone"])).code).toBe(0);
    const id = (await sql<{ id: number }>("adm1", "select queue_id id from pgq.queue where queue_name = 'gone'"))[0]!.id;
    const producer = new pg.Client(cluster.config("adm1"));
    await producer.connect();
    try {
      await producer.query("begin");
      await producer.query("select pgq.insert_event('held', 't', 'open')");
      expect(await adm([cfg, "drop", "gone"])).toEqual({
        code: 0,
        out: `queue gone dropped; its emptied tables (pgq.event_${id}) are removed by maintenance once no transaction holds pgq.event_template\n`,
      });
      await producer.query("commit");
    } finally {
      await producer.end();
    }
    expect(await sql("adm1", "select func_name, func_arg from pgq.maint_operations() where func_name = 'pgq.maint_drop_storage'"))
      .toEqual([{ func_name: "pgq.maint_drop_storage", func_arg: `pgq.event_${id}` }]);
    expect((await adm([cfg, "drop", "held"])).out).toBe("queue held dropped\n");
  });

  it("create: many queues at once, 100 to a transaction; too many in one transaction fail clearly (53200)", async () => {
    await sql("postgres", "create database adm_many");
    await sql("adm_many", "create extension pgq");
    const names = Array.from({ length: 250 }, (_, i) => `q${i}`);
    const r = await adm([config("adm_many"), "create", ...names, "q0"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out.split("\n").filter(Boolean)).toEqual([...names.map((n) => `queue ${n} created`), "queue q0 exists already"]);
    expect(await sql("adm_many", "select count(*)::int n from pgq.queue")).toEqual([{ n: 250 }]);
    // all in one transaction: about 45 locks a queue fill the lock table
    // (64 x ~120 slots here) before a thousand
    const c = new pg.Client(cluster.config("adm_many"));
    await c.connect();
    try {
      await c.query("begin");
      const err = await c.query("select pgq.create_queue('x' || i) from generate_series(1, 1000) i")
        .then(() => undefined, (e: pg.DatabaseError) => e);
      expect(err?.code).toBe("53200");
      expect(err?.message).toMatch(/^cannot create queue x\d+: the lock table is nearly full \(\d+ of about \d+ slots in use, \d+ by this transaction; a queue holds about 45 until its transaction ends\)$/);
      expect(err?.hint).toMatch(/^Create fewer queues per transaction \(pgqadm create takes many names and commits every 100\), or raise max_locks_per_transaction \(now 64; needs a restart\)\.$/);
      await c.query("rollback");
    } finally {
      await c.end();
    }
  });

  it("install falls back to the plain script where CREATE EXTENSION is not allowed", async () => {
    await sql("postgres", "create role adm_owner login createrole");
    await sql("postgres", "create database adm2 owner adm_owner");
    const path = join(dir, "adm2.ini");
    writeFileSync(path, `[pgqadm]
db = dbname=adm2 host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=adm_owner
`);
    const r = await adm([path, "install"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pgq [\d.]+ installed from the plain script \(CREATE EXTENSION: permission denied to create extension "pgq"/);
    expect(await sql("adm2", "select pgq.version() v")).toEqual([{ v: PGQ_VERSION }]);
    expect(await sql("adm2", "select count(*)::int n from pg_extension where extname = 'pgq'")).toEqual([{ n: 0 }]);
  });

  it("ticker ticks the database, in the background with -d, stopped with -s", async () => {
    await sql("postgres", "create database adm3");
    const cfg = config("adm3");
    expect((await adm([cfg, "install"])).code).toBe(0);
    expect((await adm([cfg, "create", "q"])).code).toBe(0);
    expect((await adm([cfg, "config", "q", "ticker_max_lag=0", "ticker_idle_period=0"])).code).toBe(0);
    expect((await adm(["-d", cfg, "ticker"])).code).toBe(0);
    const pidfile = join(dir, "adm_adm3.pid");
    expect(existsSync(pidfile)).toBe(true);
    await waitFor(async () => Number((await sql<{ n: string }>("adm3", "select count(*) n from pgq.tick"))[0]!.n) > 3,
      15_000, "ticks from pgqadm ticker");
    expect((await adm(["-s", cfg])).code).toBe(0);
    await waitFor(() => !existsSync(pidfile), 10_000, "pidfile gone");
    expect((await adm(["-s", cfg])).code).toBe(1);
  });

  it("status: a stalled ticker, lags in human units, wide names aligned, problems; --json the same facts", async () => {
    await sql("postgres", "create database adm4");
    const cfg = config("adm4");
    expect((await adm([cfg, "install"])).code).toBe(0);
    expect((await adm([cfg, "create", "東京の注文"])).code).toBe(0);
    expect((await adm([cfg, "create", "plain"])).code).toBe(0);
    expect((await adm([cfg, "register", "東京の注文", "請求書"])).code).toBe(0);
    expect((await adm([cfg, "register", "plain", "slow"])).code).toBe(0);
    await sql("adm4", "select pgq.insert_event('東京の注文', 't', 'd') from generate_series(1, 7)");
    await sql("adm4", "select pgq.force_tick('東京の注文')");
    await sql("adm4", "select pgq.ticker('東京の注文')");
    // no ticker has run for 5 minutes: the ticks (1 ms apart, in their order)
    // and the consumers' visits set to 5 minutes ago, so that the slow CLI
    // start-ups above do not count
    await sql("adm4", `update pgq.tick t set tick_time = now() - interval '5 minutes'
        - interval '1 millisecond' * (select count(*) from pgq.tick n where n.tick_queue = t.tick_queue and n.tick_id > t.tick_id)`);
    await sql("adm4", "update pgq.subscription set sub_active = now() - interval '5 minutes'");

    const r = await adm([cfg, "status"]);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    const q = lines.find((l) => l.startsWith("東京の注文 "))!;
    expect(q).toMatch(/^東京の注文\s+5m [0-2]\ds\s+[-\d.]+\s+0\s+\d+\s+02:00:00\s+stalled$/);
    expect(lines.find((l) => l.startsWith("plain "))).toMatch(/\s5m [0-2]\ds\s.*\sstalled$/);
    // the ticker lag column ends at the same terminal column on every line
    const { displayWidth } = await import("../src/cli/table.js");
    const head = lines.find((l) => l.startsWith("queue   ") || /^queue\s+ticker lag/.test(l))!;
    const lagEnd = (l: string) => displayWidth(l.slice(0, l.search(/(5m [0-2]\ds|ticker lag)/) + (l.includes("ticker lag") ? 10 : 6)));
    expect(lagEnd(q)).toBe(lagEnd(head));
    // consumers: the last column is right-aligned, so every line is as wide
    const cons = lines.slice(lines.findIndex((l) => /^queue\s+consumer/.test(l)));
    const table = cons.slice(0, cons.findIndex((l) => l === ""));
    expect(table).toHaveLength(4);
    expect(new Set(table.map(displayWidth)).size).toBe(1);
    const info = await sql<{ consumer_name: string; pending_events: string }>("adm4",
      "select consumer_name, pending_events from pgq.get_consumer_info() order by 1");
    const pend = Number(info.find((x) => x.consumer_name === "請求書")!.pending_events);
    expect(pend).toBeGreaterThan(0);
    expect(table.find((l) => l.startsWith("東京の注文"))).toMatch(new RegExp(`^東京の注文\\s+請求書\\s+5m [0-2]\\ds\\s+5m [0-2]\\ds\\s+${pend}\\s+-$`));
    expect(r.out).toMatch(/^problems:$/m);
    expect(r.out).toMatch(/^ {2}東京の注文: ticker stalled: last tick 5m [0-2]\ds ago/m);

    const j = await adm([cfg, "status", "--json"]);
    expect(j.code).toBe(0);
    const st = JSON.parse(j.out) as {
      database: string; queues: { queue: string; ticker: string; ticker_lag: number }[];
      consumers: { queue: string; consumer: string; pending_events: number; lag: number; last_seen: number }[];
      problems: { kind: string; queue: string }[];
    };
    expect(st.database).toBe("adm4");
    expect(st.queues.map((x) => [x.queue, x.ticker])).toEqual([["plain", "stalled"], ["東京の注文", "stalled"]]);
    expect(st.queues[0]!.ticker_lag).toBeGreaterThan(299);
    const c = st.consumers.find((x) => x.consumer === "請求書")!;
    expect(c.pending_events).toBe(pend);
    expect(c.lag).toBeGreaterThan(299);
    expect(st.problems.filter((p) => p.kind === "ticker_stalled").map((p) => p.queue).sort()).toEqual(["plain", "東京の注文"]);
    expect((await adm([cfg, "status", "--xml"])).code).toBe(2);
    expect((await adm([cfg, "status", "extra"])).code).toBe(2);
  });

  it("bad configs and usage: exit 2 with every problem", async () => {
    const path = join(dir, "bad.ini");
    writeFileSync(path, `[pgqadm]
loop_delay = soon
colour = red
use_skylog = 1
`);
    const r = await adm([path, "status"]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/db is required/);
    expect(r.out).toMatch(/loop_delay must be a positive number of seconds, not "soon"/);
    expect(r.out).toMatch(/unknown setting colour/);
    expect(r.out).not.toMatch(/use_skylog/);
    const cfg = config("adm1");
    expect((await adm([cfg, "frobnicate"])).code).toBe(2);
    expect((await adm([cfg, "create"])).code).toBe(2);
    expect((await adm([cfg])).code).toBe(2);
    expect((await adm(["-h"])).out).toMatch(/^usage: pgqadm/);
  });
});
