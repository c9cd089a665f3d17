// pgq-runner as a process: ticking, rotation and retries on two databases,
// discovery, recovery after a server restart, signals, daemon mode, bad
// configs.  Discovery and restarts use a private cluster, so they do not
// touch the databases of other test files.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { killDaemons, processGone, runCli, waitFor } from "./support/cli.js";
import { Consumer } from "../src/index.js";

let cluster: PrivateCluster;
const dir = mkdtempSync(join(tmpdir(), "pgq-runner-test."));

beforeAll(() => {
  cluster = startPrivateCluster();
});
afterAll(() => {
  killDaemons(dir);
  cluster?.stop();
});

function ini(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const q = <T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []) =>
  cluster.query<T>(db, text, params);

const fast = `ticker_period = 0.2
maint_period = 0.5
retry_period = 0.5
check_period = 0.5
stats_period = 1
`;

describe("pgq-runner", () => {
  it("ticks, rotates and moves retries on two databases; SIGINT exits 0", async () => {
    await cluster.createDb("r_one");
    await cluster.createDb("r_two");
    for (const db of ["r_one", "r_two"]) {
      await q(db, "select pgq.create_queue('q')");
      await q(db, "update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0', queue_rotation_period = '0'");
      await q(db, "select pgq.register_consumer('q', 'c')");
      await q(db, "select pgq.event_retry_raw('q', 'c', now(), null, now(), 0, 't', 'retry me', null, null, null, null)");
    }
    const cfg = ini("two.ini", `[pgq-runner]
base_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
database_list = r_one, r_two
${fast}`);
    const run = runCli("pgq-runner", [cfg]);
    for (const db of ["r_one", "r_two"]) {
      await waitFor(async () => Number((await q<{ n: string }>(db, "select count(*) n from pgq.tick"))[0]!.n) > 3, 15_000, `ticks in ${db}`);
      await waitFor(async () => (await q(db, "select 1 from pgq.retry_queue")).length === 0, 15_000, `retry moved in ${db}`);
      // the consumer moves on, so rotation can go ahead
      await waitFor(async () => {
        const b = (await q<{ id: string | null }>(db, "select pgq.next_batch('q', 'c') id"))[0]!.id;
        if (b !== null) await q(db, "select pgq.finish_batch($1)", [b]);
        return Number((await q<{ t: number }>(db, "select queue_cur_table t from pgq.queue"))[0]!.t) !== 0;
      }, 20_000, `rotation in ${db}`);
    }
    const retried = await q<{ n: string }>("r_one", "select count(*) n from pgq.event_1 where ev_retry = 0 and ev_owner is not null");
    expect(Number(retried[0]!.n)).toBe(1);
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
    expect(run.output()).toMatch(/INFO pgq-runner db=r_one: pgq found, ticking/);
    expect(run.output()).toMatch(/INFO pgq-runner: stopped/);
  });

  it("discovers databases, also one created while it runs, and skips those without pgq", async () => {
    const cfg = ini("disc.ini", `[pgqd]
base_connstr = postgresql://postgres@127.0.0.1:${cluster.env.PGPORT}
initial_database = postgres
${fast}`);
    const run = runCli("pgq-runner", [cfg]);
    await waitFor(() => /db=postgres: no pgq schema/.test(run.output()), 15_000, "postgres skipped");
    await cluster.createDb("r_new");
    await q("r_new", "select pgq.create_queue('fresh')");
    await q("r_new", "update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0'");
    await waitFor(async () => Number((await q<{ n: string }>("r_new", "select count(*) n from pgq.tick"))[0]!.n) > 2,
      15_000, "ticks in the new database");
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("recovers within 10 s after a PostgreSQL restart, and consumers lose nothing", async () => {
    await cluster.createDb("r_restart");
    await q("r_restart", "select pgq.create_queue('q')");
    await q("r_restart", "update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0'");
    const consumer = new Consumer({ connection: cluster.config("r_restart"), queue: "q", consumer: "c", pollIntervalMs: 100 });
    await consumer.register();
    const cfg = ini("restart.ini", `[pgq-runner]
base_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
database_list = r_restart
${fast}`);
    const run = runCli("pgq-runner", [cfg]);
    const got: string[] = [];
    const ctl = new AbortController();
    const consuming = consumer.run(async (b) => {
      for await (const evs of b.events()) got.push(...evs.map((e) => e.ev_data!));
    }, ctl.signal);
    const produce = (tag: string) =>
      q("r_restart", "select pgq.insert_event('q', 't', $1 || i) from generate_series(1, 50) i", [tag]);
    const ticks = async () => Number((await q<{ n: string }>("r_restart", "select count(*) n from pgq.tick"))[0]!.n);
    await produce("before");
    await waitFor(async () => (await ticks()) > 2, 15_000, "first ticks");
    cluster.restart();
    await produce("after");
    const after = await ticks();
    const t0 = Date.now();
    await waitFor(async () => (await ticks()) > after + 2, 10_000, "ticks after the restart");
    expect(Date.now() - t0).toBeLessThan(10_000);
    await waitFor(() => new Set(got).size === 100, 15_000, "every event consumed");
    expect([...new Set(got)].sort()).toEqual(
      [...Array.from({ length: 50 }, (_, i) => `before${i + 1}`), ...Array.from({ length: 50 }, (_, i) => `after${i + 1}`)].sort());
    // said once, whichever way the runner noticed: a failed step, or the
    // idle connection's end
    expect(run.output()).toMatch(/pgq-runner db=r_restart: ticker: .*reconnecting/);
    ctl.abort();
    await consuming;
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("runs as a daemon: -d, -r, -s and -k through the pidfile", async () => {
    const pidfile = join(dir, "runner.pid");
    const logfile = join(dir, "runner.log");
    const cfg = ini("daemon.ini", `[pgq-runner]
base_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
database_list = r_one
pidfile = ${pidfile}
logfile = ${logfile}
${fast}`);
    expect(await runCli("pgq-runner", ["-d", cfg]).exit).toBe(0);
    expect(existsSync(pidfile)).toBe(true);
    const pid = Number(readFileSync(pidfile, "utf8"));
    expect(await runCli("pgq-runner", ["-r", cfg]).exit).toBe(0);
    await waitFor(() => existsSync(logfile) && /reloaded config/.test(readFileSync(logfile, "utf8")), 10_000, "reload");
    const second = runCli("pgq-runner", [cfg]);
    expect(await second.exit).toBe(1);
    expect(second.output()).toMatch(/already running as pid \d+/);
    expect(await runCli("pgq-runner", ["-s", cfg]).exit).toBe(0);
    await waitFor(() => !existsSync(pidfile), 10_000, "pidfile removed after -s");
    await waitFor(() => processGone(pid), 10_000, "daemon ended after -s");
    expect(await runCli("pgq-runner", ["-s", cfg]).exit).toBe(1); // not running

    expect(await runCli("pgq-runner", ["-d", cfg]).exit).toBe(0);
    const pid2 = Number(readFileSync(pidfile, "utf8"));
    expect(await runCli("pgq-runner", ["-k", cfg]).exit).toBe(0);
    await waitFor(() => processGone(pid2), 10_000, "daemon ended after -k");
  });

  it("reports every problem of a bad config at once, exit 2", async () => {
    const cfg = ini("bad.ini", `[pgq-runner]
ticker_period = fast
maint_period = -1
base_connstr = dbname=x nonsense=1
colour = blue
`);
    const run = runCli("pgq-runner", [cfg]);
    expect(await run.exit).toBe(2);
    const out = run.output();
    expect(out).toMatch(/ticker_period must be a positive number of seconds, not "fast"/);
    expect(out).toMatch(/maint_period must be a positive number of seconds, not "-1"/);
    expect(out).toMatch(/base_connstr: unknown connection parameter "nonsense"/);
    expect(out).toMatch(/unknown setting colour/);
    expect(await runCli("pgq-runner", [join(dir, "missing.ini")]).exit).toBe(2);
    expect(await runCli("pgq-runner", []).exit).toBe(2);
    expect(await runCli("pgq-runner", ["-x", cfg]).exit).toBe(2);
    const sample = runCli("pgq-runner", ["--ini"]);
    expect(await sample.exit).toBe(0);
    expect(sample.output()).toMatch(/^\[pgq-runner\]/);
  });
});
