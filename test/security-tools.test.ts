// The tools' side of the security review: a runner that survives its log
// directory going away, periods a timer can hold, pidfiles that are really
// ours, driver options checked at construction, bounded %(key)s expansion,
// libpq's connection keywords and sslmode, a fixed search_path, and no call
// into a pgq schema that an untrusted role owns.  Runs on private clusters
// (one without SSL, one with), as the runner discovers databases.
import { execFileSync, spawn } from "node:child_process";
import {
  chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseIni, resolveSection } from "../src/config.js";
import { clientConfig } from "../src/db.js";
import { Consumer, InvalidOptionError, PgqClient } from "../src/index.js";
import { loadRunnerConfig } from "../src/runner/config.js";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { killDaemons, processGone, runCli as startCli, waitFor, type Run } from "./support/cli.js";

let cluster: PrivateCluster;
const dir = mkdtempSync(join(tmpdir(), "pgq-security-test."));
/** Processes to kill at the end, should a test fail before ending them. */
const others: number[] = [];

function runCli(tool: string, args: string[]): Run {
  const run = startCli(tool, args);
  others.push(run.child.pid!);
  return run;
}

beforeAll(() => {
  cluster = startPrivateCluster();
});
afterAll(() => {
  killDaemons(dir);
  for (const pid of others) {
    try {
      if (!processGone(pid)) process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const q = <T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []) =>
  cluster.query<T>(db, text, params);

/** Runs statements on db as another role. */
async function asRole(role: string, db: string, ...statements: string[]): Promise<void> {
  const c = new pg.Client({ ...cluster.config(db), user: role });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

function ini(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const base = () => `base_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres`;
const fast = `ticker_period = 0.2
maint_period = 0.5
retry_period = 0.5
check_period = 0.5
stats_period = 0.5
`;

async function tickingDb(name: string): Promise<void> {
  await cluster.createDb(name);
  await q(name, "select pgq.create_queue('q')");
  await q(name, "update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0'");
}

const ticks = async (db: string) => Number((await q<{ n: string }>(db, "select count(*) n from pgq.tick"))[0]!.n);

function running(run: Run): boolean {
  return run.child.exitCode === null && run.child.signalCode === null;
}

/** A process that is not ours, for pidfiles to point at. */
function unrelated(): number {
  const p = spawn("sleep", ["600"], { stdio: "ignore", detached: true });
  p.unref();
  others.push(p.pid!);
  return p.pid!;
}

describe("logging never kills the runner (7)", () => {
  it("goes on ticking when its log directory is removed, logging to stderr, and back to the file later", async () => {
    await tickingDb("s_log");
    const logdir = join(dir, "logs");
    mkdirSync(logdir);
    const logfile = join(logdir, "runner.log");
    const pidfile = join(dir, "log-runner.pid");
    const cfg = ini("log.ini", `[pgq-runner]
${base()}
database_list = s_log
logfile = ${logfile}
pidfile = ${pidfile}
${fast}`);
    const run = runCli("pgq-runner", [cfg]);
    await waitFor(() => existsSync(logfile) && /pgq found, ticking/.test(readFileSync(logfile, "utf8")), 15_000, "ticking");
    rmSync(logdir, { recursive: true });
    const before = await ticks("s_log");
    await waitFor(() => /cannot write logfile/.test(run.output()), 10_000, "the stderr notice");
    await waitFor(async () => (await ticks("s_log")) > before + 5, 15_000, "ticks after the log directory went");
    await waitFor(() => (run.output().match(/INFO pgq-runner db=s_log: \d+ ticks/g) ?? []).length >= 2, 10_000,
      "stats lines on stderr");
    expect(running(run)).toBe(true);
    expect(run.output().match(/cannot write logfile/g)).toHaveLength(1);
    expect(run.output()).toMatch(new RegExp(`WARNING pgq-runner: cannot write logfile ${logfile}: .*ENOENT.*; logging to stderr until it works again`));

    mkdirSync(logdir);
    await waitFor(() => existsSync(logfile) && /writing to it again/.test(readFileSync(logfile, "utf8")), 10_000,
      "logging to the file again");
    expect(run.output()).toMatch(/logging to .*runner\.log again/);
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });

  it.each(["throw", "reject"])("an uncaught error (%s) is logged, exits 1 and takes the pidfile along", async (how) => {
    const pidfile = join(dir, `fatal-${how}.pid`);
    const logfile = join(dir, `fatal-${how}.log`);
    const child = spawn(process.execPath, ["--import", "tsx", resolve(import.meta.dirname, "support/fatal-tool.ts"),
      join(dir, "fatal.ini"), pidfile, logfile, how], { stdio: "ignore" });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(1);
    const log = readFileSync(logfile, "utf8");
    expect(log).toMatch(/INFO fatal-tool: started/);
    expect(log).toMatch(how === "throw"
      ? /ERROR fatal-tool: uncaught exception: boom; exiting/
      : /ERROR fatal-tool: unhandled promise rejection: boom; exiting/);
    expect(existsSync(pidfile)).toBe(false);
  });
});

describe("periods a timer can hold (9)", () => {
  it("the runner's config refuses periods above 2147483 s, negative and NaN, all at once", () => {
    const path = ini("periods.ini", `[pgq-runner]
maint_period = 2147484
retry_period = 1e10
check_period = NaN
ticker_period = -1
connection_lifetime = 99999999999
stats_period = 2147483
`);
    let err: ConfigError | undefined;
    try {
      loadRunnerConfig(path);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toEqual([
      'check_period must be a positive number of seconds, not "NaN"',
      'maint_period must be at most 2147483 seconds (a timer waits at most 24.8 days), not "2147484"',
      'retry_period must be at most 2147483 seconds (a timer waits at most 24.8 days), not "1e10"',
      'ticker_period must be a positive number of seconds, not "-1"',
      'connection_lifetime must be at most 2147483 seconds (a timer waits at most 24.8 days), not "99999999999"',
    ]);
    const ok = loadRunnerConfig(ini("periods-ok.ini", "[pgq-runner]\nmaint_period = 2147483\n"));
    expect(ok.maintPeriod).toBe(2147483);
  });

  it("pgq-runner, pgqadm and queue_splitter exit 2 on such periods", async () => {
    const runner = runCli("pgq-runner", [ini("p-runner.ini", "[pgq-runner]\nticker_period = 3000000\n")]);
    expect(await runner.exit).toBe(2);
    expect(runner.output()).toMatch(/ticker_period must be at most 2147483 seconds/);
    const adm = runCli("pgqadm", [ini("p-adm.ini", `[pgqadm]
db = dbname=x
loop_delay = 3000000
maint_delay_min = 40000
`), "status"]);
    expect(await adm.exit).toBe(2);
    expect(adm.output()).toMatch(/loop_delay must be at most 2147483 seconds/);
    expect(adm.output()).toMatch(/maint_delay_min must be at most 35791 minutes/);
    const split = runCli("queue_splitter", [ini("p-split.ini", `[queue_splitter3]
src_db = dbname=a
dst_db = dbname=b
queue_name = q
loop_delay = 2500000
`)]);
    expect(await split.exit).toBe(2);
    expect(split.output()).toMatch(/loop_delay must be at most 2147483 seconds/);
  });

  it("the driver refuses poll intervals and timeouts a timer cannot hold", () => {
    const o = { connection: "dbname=x", queue: "q", consumer: "c" };
    for (const bad of [2 ** 31, -5, 0, NaN, Infinity]) {
      expect(() => new Consumer({ ...o, pollIntervalMs: bad })).toThrow(/pollIntervalMs must be a number of milliseconds above 0 up to 2147483647/);
    }
    expect(() => new Consumer({ ...o, pollIntervalMs: 2 ** 31 - 1 })).not.toThrow();
    expect(() => new PgqClient({ connectionTimeoutMillis: 3e9 })).toThrow(/connection.connectionTimeoutMillis must be a number of milliseconds/);
    expect(() => new PgqClient({ idleTimeoutMillis: 3e9 })).toThrow(/connection.idleTimeoutMillis/);
    expect(() => clientConfig("dbname=x connect_timeout=99999999")).toThrow(/connect_timeout must be a whole number of seconds up to 2147483, not "99999999"/);
  });
});

describe("pidfiles (10)", () => {
  const runnerIni = (name: string, pidfile: string, extra = "") => ini(name, `[pgq-runner]
${base()}
database_list = s_pid
pidfile = ${pidfile}
${fast}${extra}`);

  beforeAll(async () => {
    await tickingDb("s_pid");
  });

  it("-k with a stale pidfile leaves an unrelated process alone; such a pid does not block a start", async () => {
    const pidfile = join(dir, "stale.pid");
    const cfg = runnerIni("stale.ini", pidfile);
    const victim = unrelated();
    writeFileSync(pidfile, `${victim}\n`);
    for (const sw of ["-k", "-s", "-r"]) {
      const r = runCli("pgq-runner", [sw, cfg]);
      expect(await r.exit).toBe(1);
      expect(r.output()).toMatch(new RegExp(`not running: pidfile ${pidfile} is stale, its pid ${victim} is not pgq-runner \\(left alone\\)`));
    }
    // pgqadm and queue_splitter check the same way
    const adm = ini("stale-adm.ini", `[pgqadm]\ndb = dbname=s_pid\npidfile = ${pidfile}\n`);
    expect(await runCli("pgqadm", ["-k", adm]).exit).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(processGone(victim)).toBe(false);

    const run = runCli("pgq-runner", [cfg]);
    await waitFor(() => readFileSync(pidfile, "utf8").trim() === String(run.child.pid), 10_000, "pidfile taken over");
    expect(running(run)).toBe(true);
    // a second instance is still refused, and -s reaches the real one
    const second = runCli("pgq-runner", [cfg]);
    expect(await second.exit).toBe(1);
    expect(second.output()).toMatch(/already running as pid \d+/);
    expect(await runCli("pgq-runner", ["-s", cfg]).exit).toBe(0);
    expect(await run.exit).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
    expect(processGone(victim)).toBe(false);
  });

  it("a pidfile that is a symlink is replaced, its target left as it was", async () => {
    const target = join(dir, "precious.txt");
    writeFileSync(target, "do not overwrite\n");
    const pidfile = join(dir, "link.pid");
    symlinkSync(target, pidfile);
    const cfg = runnerIni("link.ini", pidfile);
    const run = runCli("pgq-runner", [cfg]);
    await waitFor(() => lstatSync(pidfile).isFile(), 10_000, "pidfile written");
    expect(readFileSync(pidfile, "utf8")).toBe(`${run.child.pid}\n`);
    expect(readFileSync(target, "utf8")).toBe("do not overwrite\n");
    // SIGINT once it is at work (its handlers are in place by then; on a
    // loaded machine the signal could otherwise come first)
    await waitFor(() => /pgq found, ticking/.test(run.output()), 15_000, "ticking");
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("do not overwrite\n");
  });

  it("-r, -s and -k reach the running instance when its config file is broken now", async () => {
    const pidfile = join(dir, "broken.pid");
    const logfile = join(dir, "broken.log");
    const good = `[pgq-runner]
${base()}
database_list = s_pid
pidfile = ${pidfile}
logfile = ${logfile}
${fast}`;
    const cfg = ini("broken.ini", good);
    expect(await runCli("pgq-runner", ["-d", cfg]).exit).toBe(0);
    const pid = Number(readFileSync(pidfile, "utf8"));
    writeFileSync(cfg, `${good}ticker_period = fast\ncolour = blue\n`);

    const reload = runCli("pgq-runner", ["-r", cfg]);
    expect(await reload.exit).toBe(0);
    expect(reload.output()).toMatch(/warning: .*bad configuration/);
    expect(reload.output()).toMatch(/ticker_period must be a positive number of seconds, not "fast"/);
    expect(reload.output()).toMatch(new RegExp(`using pidfile ${pidfile} from it anyway \\(the running instance will refuse this config`));
    await waitFor(() => /reload: .*keeping the old config/.test(readFileSync(logfile, "utf8")), 10_000, "reload refused");
    expect(processGone(pid)).toBe(false);

    writeFileSync(cfg, `${good}this line is not ini\n`);
    const stop = runCli("pgq-runner", ["-s", cfg]);
    expect(await stop.exit).toBe(0);
    expect(stop.output()).toMatch(/cannot parse: this line is not ini/);
    await waitFor(() => !existsSync(pidfile), 10_000, "stopped by -s");
    await waitFor(() => processGone(pid), 10_000, "daemon ended after -s");

    writeFileSync(cfg, good);
    expect(await runCli("pgq-runner", ["-d", cfg]).exit).toBe(0);
    const pid2 = Number(readFileSync(pidfile, "utf8"));
    writeFileSync(cfg, `${good}maint_period = %(nowhere)s\n`);
    expect(await runCli("pgq-runner", ["-k", cfg]).exit).toBe(0);
    await waitFor(() => processGone(pid2), 10_000, "killed by -k");

    // when even the pidfile cannot be found, say so (exit 2)
    writeFileSync(cfg, `[pgq-runner]\npidfile = %(missing)s\n`);
    const lost = runCli("pgq-runner", ["-s", cfg]);
    expect(await lost.exit).toBe(2);
    expect(lost.output()).toMatch(/cannot find the pidfile for -s: .*%\(missing\)s is not defined/);
    writeFileSync(cfg, `[elsewhere]\npidfile = ${pidfile}\n`);
    const none = runCli("pgq-runner", ["-s", cfg]);
    expect(await none.exit).toBe(2);
    expect(none.output()).toMatch(/no \[pgq-runner\] \(or \[pgqd\]\) section/);
    expect(none.output()).toMatch(/cannot find the pidfile for -s/);
  });
});

describe("driver options (14)", () => {
  const o = { connection: "dbname=x", queue: "q", consumer: "c" };

  it("a Consumer refuses fetchSize 0 and every other bad option at construction, all at once", () => {
    expect(() => new Consumer({ ...o, fetchSize: 0 })).toThrow(InvalidOptionError);
    expect(() => new Consumer({ ...o, fetchSize: 0 })).toThrow(/fetchSize must be an integer from 1 to 2147483647, not 0/);
    let err: InvalidOptionError | undefined;
    try {
      new Consumer({
        connection: "dbname=x port=x", queue: "", consumer: "c", fetchSize: 2.5, minCount: 0,
        exactlyOnce: { target: { port: 0 }, mode: "twice" as "batch" }, fetchsize: 10,
      } as never);
    } catch (e) {
      err = e as InvalidOptionError;
    }
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(err!.problems).toEqual([
      'queue must be a non-empty string, not ""',
      "fetchSize must be an integer from 1 to 2147483647, not 2.5",
      "minCount must be an integer from 1 to 2147483647, not 0",
      expect.stringMatching(/^fetchsize is not an option \(known: connection, queue, consumer, fetchSize/),
      'connection: port must be a number from 1 to 65535, not "x"',
      'exactlyOnce.mode must be one of batch, tick, handler, not "twice"',
      "exactlyOnce.target.port must be an integer from 1 to 65535, not 0",
    ]);
    expect(() => new Consumer({ queue: "q" } as never)).toThrow(/connection is required; consumer is required/);
    expect(() => new Consumer({ ...o, onError: "log" as never })).toThrow(/onError must be a function/);
  });

  it("a PgqClient refuses bad connection settings at construction", () => {
    expect(() => new PgqClient("dbname=x port=x")).toThrow(/PgqClient: bad options: connection: port must be a number from 1 to 65535, not "x"/);
    expect(() => new PgqClient({ port: "x" as never })).toThrow(/connection.port must be an integer from 1 to 65535/);
    expect(() => new PgqClient({ databse: "x" } as never)).toThrow(/connection.databse is not an option/);
    expect(() => new PgqClient({ max: 0 })).toThrow(/connection.max must be an integer from 1/);
  });

  it("small fetch sizes deliver every event of a batch", async () => {
    await tickingDb("s_fetch");
    await q("s_fetch", "select pgq.register_consumer('q', 'c')");
    await q("s_fetch", "select pgq.insert_event('q', 't', 'e' || i) from generate_series(1, 5) i");
    await q("s_fetch", "select pgq.ticker()");
    const consumer = new Consumer({ connection: cluster.config("s_fetch"), queue: "q", consumer: "c", fetchSize: 2 });
    const got: string[] = [];
    try {
      expect(await consumer.runOnce(async (b) => {
        for await (const evs of b.events()) got.push(...evs.map((e) => e.ev_data!));
      })).toBe(true);
    } finally {
      await consumer.close();
    }
    expect(got).toEqual(["e1", "e2", "e3", "e4", "e5"]);
  });
});

describe("%(key)s expansion (15)", () => {
  it("memoises, caps the size of a value and names the cycle", () => {
    // 7 levels of 10 references: 10^7 characters, 2.6 s and 125 MB before
    let text = "[s]\nk0 = x\n";
    for (let i = 1; i <= 7; i++) text += `k${i} = ${`%(k${i - 1})s`.repeat(10)}\n`;
    const t0 = Date.now();
    expect(() => resolveSection(parseIni(text), "s")).toThrow(/k5: %\(\.\.\.\)s references expand to more than 65536 characters/);
    expect(Date.now() - t0).toBeLessThan(1000);

    // one line with many references to a long value is cut short too
    const wide = `[s]\nbig = ${"y".repeat(60000)}\nhuge = ${"%(big)s".repeat(20000)}\nfine = %(big)s\n`;
    let err: ConfigError | undefined;
    try {
      resolveSection(parseIni(wide), "s");
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err!.problems).toEqual(["huge: %(...)s references expand to more than 65536 characters"]);

    // below the cap: the same reference many times over is expanded once
    let deep = "[s]\nk0 = ab\n";
    for (let i = 1; i <= 12; i++) deep += `k${i} = %(k${i - 1})s%(k${i - 1})s\n`;
    expect(resolveSection(parseIni(deep), "s").k12).toBe("ab".repeat(4096));

    expect(() => resolveSection(parseIni("[s]\na = %(b)s\nb = x%(c)s\nc = %(a)s\n"), "s"))
      .toThrow(/%\(a\)s refers to itself: a -> b -> c -> a/);
  });

  it("pgq-runner exits 2 at once on such a config", async () => {
    let text = "[pgq-runner]\nk0 = x\n";
    for (let i = 1; i <= 7; i++) text += `k${i} = ${`%(k${i - 1})s`.repeat(10)}\n`;
    const r = runCli("pgq-runner", [ini("bomb.ini", `${text}logfile = %(k7)s\n`)]);
    expect(await r.exit).toBe(2);
    expect(r.output()).toMatch(/expand to more than 65536 characters/);
  });
});

describe("connection strings (16)", () => {
  const tcp = () => `host=127.0.0.1 port=${cluster.env.PGPORT} user=postgres dbname=postgres`;

  async function sslOf(connstr: string): Promise<boolean> {
    const c = new pg.Client(clientConfig(connstr));
    await c.connect();
    try {
      return (await c.query("select ssl from pg_catalog.pg_stat_ssl where pid = pg_catalog.pg_backend_pid()")).rows[0].ssl;
    } finally {
      await c.end();
    }
  }

  it("refuses bad ports, unknown keywords and sslmodes, naming the key", () => {
    for (const bad of ["x", "0", "70000", "54 32", "5432,5433"]) {
      expect(() => clientConfig(`dbname=a port='${bad}'`)).toThrow(/port/);
    }
    expect(() => clientConfig("dbname=a port=x")).toThrow('port must be a number from 1 to 65535, not "x"');
    expect(() => clientConfig("postgresql://h:x/db")).toThrow('port must be a number from 1 to 65535, not "x"');
    expect(() => clientConfig("postgresql://h/db?port=x")).toThrow('port must be a number from 1 to 65535, not "x"');
    expect(() => clientConfig("dbname=a nonsense=1")).toThrow('unknown connection parameter "nonsense"');
    expect(() => clientConfig("postgresql://h/db?nonsense=1")).toThrow('unknown connection parameter "nonsense"');
    expect(() => clientConfig("dbname=a gssencmode=prefer")).toThrow('connection parameter "gssencmode" is not supported');
    expect(() => clientConfig("dbname=a sslmode=maybe")).toThrow(
      'sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, not "maybe"');
    const saved = process.env.PGSSLMODE;
    process.env.PGSSLMODE = "sometimes";
    try {
      expect(() => clientConfig("dbname=a")).toThrow('PGSSLMODE must be one of disable, allow, prefer');
      expect(clientConfig("dbname=a sslmode=disable")).toMatchObject({ ssl: false });
    } finally {
      if (saved === undefined) delete process.env.PGSSLMODE;
      else process.env.PGSSLMODE = saved;
    }
    expect(() => clientConfig("dbname=a sslmode=verify-full sslrootcert=/nonexistent/root.crt"))
      .toThrow(/sslrootcert: cannot read \/nonexistent\/root.crt: ENOENT/);
  });

  it("against a server without SSL: prefer, allow, disable and the default connect in plain text; require fails clearly", async () => {
    for (const mode of ["prefer", "allow", "disable"]) expect(await sslOf(`${tcp()} sslmode=${mode}`)).toBe(false);
    expect(await sslOf(tcp())).toBe(false);
    expect(await sslOf(`postgresql://postgres@127.0.0.1:${cluster.env.PGPORT}/postgres?sslmode=prefer`)).toBe(false);
    const saved = process.env.PGSSLMODE;
    process.env.PGSSLMODE = "prefer"; // node-postgres alone reads this as "SSL required"
    try {
      expect(await sslOf(tcp())).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.PGSSLMODE;
      else process.env.PGSSLMODE = saved;
    }
    // Unix sockets never use SSL, whatever sslmode says (as libpq)
    expect(await sslOf(`host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres dbname=postgres sslmode=require`)).toBe(false);
    writeFileSync(join(dir, "any.crt"), "");
    for (const mode of ["require", "verify-ca"]) {
      const extra = mode === "verify-ca" ? ` sslrootcert=${join(dir, "any.crt")}` : "";
      await expect(sslOf(`${tcp()} sslmode=${mode}${extra}`)).rejects.toThrow(
        `server does not support SSL, but SSL was required (sslmode=${mode})`);
    }
  });

  /** Runs fn with environment variables set (undefined: unset), restoring them after. */
  async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const set = (vs: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(vs)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    };
    set(vars);
    try {
      return await fn();
    } finally {
      set(saved);
    }
  }

  async function one(connstr: string, text: string): Promise<unknown> {
    const c = new pg.Client(clientConfig(connstr));
    await c.connect();
    try {
      return Object.values((await c.query(text)).rows[0])[0];
    } finally {
      await c.end();
    }
  }

  it("service= and PGSERVICE read pg_service.conf; the string's own keywords win; options reach the server", async () => {
    const file = join(dir, "pg_service.conf");
    writeFileSync(file, `# services for the test\n[other]\ndbname=nowhere\n\n[mine]\nhost=127.0.0.1\nport=${cluster.env.PGPORT}\n`
      + "user=postgres\ndbname=postgres\noptions=-c work_mem=3MB\n");
    await withEnv({ PGSERVICEFILE: file, PGSERVICE: undefined }, async () => {
      expect(await one("service=mine", "select current_setting('work_mem')")).toBe("3MB");
      expect(await one("service=mine dbname=template1", "select current_database()")).toBe("template1");
      expect(await one(`postgresql:///template1?service=mine`, "select current_database()")).toBe("template1");
      expect(() => clientConfig("service=missing")).toThrow(/definition of service "missing" not found/);
      await withEnv({ PGSERVICE: "mine" }, async () => {
        expect(await one("application_name=x", "select current_setting('work_mem')")).toBe("3MB");
      });
    });
    expect(await one(`${tcp()} options='-c statement_timeout=1234'`, "select current_setting('statement_timeout')")).toBe("1234ms");
  });

  it("connect_timeout (default 15 s, PGCONNECT_TIMEOUT) ends an attempt on a server that never answers", async () => {
    expect(clientConfig("dbname=a").connectionTimeoutMillis).toBe(15_000);
    expect(clientConfig("dbname=a connect_timeout=0").connectionTimeoutMillis).toBe(0);
    await withEnv({ PGCONNECT_TIMEOUT: "5" }, () => expect(clientConfig("dbname=a").connectionTimeoutMillis).toBe(5_000));
    // a TCP server that accepts and then says nothing
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const c = new pg.Client(clientConfig(`host=127.0.0.1 port=${port} dbname=x user=x sslmode=disable connect_timeout=2`));
      await expect(c.connect()).rejects.toThrow(/timeout/i);
    } finally {
      silent.close();
    }
  });

  it("prefer asks for SSL first and goes on in plain text on the same connection; disable does not ask", async () => {
    const seen: string[] = [];
    const proxy = net.createServer((down) => {
      const up = net.connect(Number(cluster.env.PGPORT), "127.0.0.1");
      up.on("error", () => down.destroy());
      down.on("error", () => up.destroy());
      down.once("data", (first: Buffer) => {
        const ssl = first.length >= 8 && first.readInt32BE(4) === 80877103;
        seen.push(ssl ? "ssl request" : "plain");
        if (ssl) down.write("N");
        else up.write(first);
        down.pipe(up);
        up.pipe(down);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const port = (proxy.address() as net.AddressInfo).port;
    try {
      expect(await sslOf(`host=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=prefer`)).toBe(false);
      expect(await sslOf(`host=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=disable`)).toBe(false);
    } finally {
      proxy.close();
    }
    expect(seen).toEqual(["ssl request", "plain"]);
  });

  describe("against a server with SSL", () => {
    let ssl: PrivateCluster;
    let cert: string;
    beforeAll(() => {
      ssl = startPrivateCluster();
      const cdir = ssl.env.PGHOST;
      cert = join(cdir, "server.crt");
      const key = join(cdir, "server.key");
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], { stdio: "ignore" });
      if (process.getuid?.() === 0) {
        const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
        chownSync(cert, uid, -1);
        chownSync(key, uid, -1);
      }
      execFileSync("chmod", ["600", key]);
      writeFileSync(join(cdir, "data/postgresql.conf"),
        `${readFileSync(join(cdir, "data/postgresql.conf"), "utf8")}ssl = on\nssl_cert_file = '${cert}'\nssl_key_file = '${key}'\n`);
      ssl.restart();
    });
    afterAll(() => ssl?.stop());

    const at = (extra: string) => `host=127.0.0.1 port=${ssl.env.PGPORT} user=postgres dbname=postgres ${extra}`;

    it("prefer, allow, require and verify-* use SSL; disable does not; certificates are checked", async () => {
      expect(await sslOf(at(""))).toBe(true);
      expect(await sslOf(at("sslmode=prefer"))).toBe(true);
      expect(await sslOf(at("sslmode=allow"))).toBe(true);
      expect(await sslOf(at("sslmode=require"))).toBe(true);
      expect(await sslOf(at("sslmode=disable"))).toBe(false);
      expect(await sslOf(at(`sslmode=verify-ca sslrootcert=${cert}`))).toBe(true);
      // the certificate names localhost, not 127.0.0.1
      await expect(sslOf(at(`sslmode=verify-full sslrootcert=${cert}`))).rejects.toThrow(/does not match certificate's altnames/);
      expect(await sslOf(`host=localhost hostaddr=127.0.0.1 port=${ssl.env.PGPORT} user=postgres dbname=postgres sslmode=verify-full sslrootcert=${cert}`)).toBe(true);
      // a root certificate that did not sign it
      const other = join(dir, "other.crt");
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "other.key"),
        "-out", other, "-days", "2", "-subj", "/CN=other"], { stdio: "ignore" });
      await expect(sslOf(at(`sslmode=verify-ca sslrootcert=${other}`))).rejects.toThrow(/self[- ]signed certificate/);
      // a PgqClient pool over SSL works like any other
      const client = new PgqClient(at("sslmode=require"));
      try {
        expect((await client.db.query("select ssl from pg_catalog.pg_stat_ssl where pid = pg_catalog.pg_backend_pid()")).rows[0].ssl).toBe(true);
      } finally {
        await client.end();
      }
    });
  });
});

describe("search_path and trust (3)", () => {
  it("every session of the runner, pgqadm, queue_splitter and the driver has search_path pg_catalog, pg_temp", async () => {
    await tickingDb("s_probe");
    await q("s_probe", "create extension pgq_ext");
    // probes that record the caller's search_path (no SET of their own)
    await q("s_probe", "create table public.seen (app text, path text)");
    await q("s_probe", `create or replace function pgq.version() returns text language sql as $$
        insert into public.seen values (current_setting('application_name'), current_setting('search_path'));
        select '4.1'::text $$`);
    await q("s_probe", "alter function pgq.register_consumer(text, text) rename to register_consumer_real");
    await q("s_probe", `create function pgq.register_consumer(a text, b text) returns integer language sql as $$
        insert into public.seen values (current_setting('application_name'), current_setting('search_path'));
        select pgq.register_consumer_real(a, b) $$`);
    // an unqualified maintenance function is looked up in pg_catalog only;
    // maint_operations lists it as PgQ 3.5 lists queue_extra_maint: bare
    await q("s_probe", `create function public.probe_maint(text) returns integer language sql as $$
        insert into public.seen values ('probe_maint', current_setting('search_path')); select 0 $$`);
    await q("s_probe", `create or replace function pgq.maint_operations(out func_name text, out func_arg text)
        returns setof record language sql as $$ select 'probe_maint'::text, 'q'::text $$`);

    const runner = runCli("pgq-runner", [ini("probe.ini", `[pgq-runner]\n${base()}\ndatabase_list = s_probe\n${fast}`)]);
    await waitFor(async () => /db=s_probe: maint: .*probe_maint/.test(runner.output())
      || (await q("s_probe", "select 1 from public.seen where app = 'probe_maint'")).length > 0, 15_000, "maint tried probe_maint");
    runner.child.kill("SIGINT");
    expect(await runner.exit).toBe(0);

    const conn = `dbname=s_probe host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres`;
    const adm = runCli("pgqadm", [ini("probe-adm.ini", `[pgqadm]\njob_name = probe_adm\ndb = ${conn}\n`), "status"]);
    expect(await adm.exit).toBe(0);

    const split = runCli("queue_splitter", [ini("probe-split.ini", `[queue_splitter3]
job_name = probe_split
src_db = ${conn}
dst_db = ${conn}
queue_name = q
loop_delay = 0.1
`)]);
    await waitFor(async () => (await q("s_probe", "select 1 from public.seen where app = 'probe_split'")).length > 0,
      15_000, "splitter registered");
    split.child.kill("SIGINT");
    expect(await split.exit).toBe(0);

    const client = new PgqClient({ ...cluster.config("s_probe"), application_name: "probe_client" });
    try {
      await client.version();
      expect((await client.db.query("show search_path")).rows[0].search_path).toBe("pg_catalog, pg_temp");
    } finally {
      await client.end();
    }
    const consumer = new Consumer({ connection: `${conn} application_name=probe_consumer`, queue: "q", consumer: "probe" });
    await consumer.register();
    await consumer.close();

    const seen = await q<{ app: string; path: string }>("s_probe", "select distinct app, path from public.seen order by 1");
    expect(seen).toEqual([
      { app: "pgq-runner", path: "pg_catalog, pg_temp" },
      { app: "probe_adm", path: "pg_catalog, pg_temp" },
      { app: "probe_client", path: "pg_catalog, pg_temp" },
      { app: "probe_consumer", path: "pg_catalog, pg_temp" },
      { app: "probe_split", path: "pg_catalog, pg_temp" },
    ]);
  });

  it("the runner never calls into a pgq that a non-superuser database owner planted, and ticks the others", async () => {
    await q("postgres", "create role r_dbowner login");
    // 1. the owner's own schema pgq, whose ticker would make it superuser
    await q("postgres", "create database s_victim owner r_dbowner");
    const plant = (schema: string) => [
      `create table ${schema}.called (fn text, at timestamptz default now())`,
      `create function ${schema}._grab(fn text) returns integer language plpgsql as $$
       begin
           insert into ${schema}.called (fn) values (fn);
           begin
               execute 'alter role r_dbowner superuser';
           exception when others then null;
           end;
           return 0;
       end $$`,
    ];
    await asRole("r_dbowner", "s_victim", "create schema pgq", ...plant("pgq"),
      "create function pgq.version() returns text language sql as $$ select '3.5'::text $$",
      "create function pgq.ticker() returns bigint language sql as $$ select pgq._grab('ticker')::bigint $$",
      "create function pgq.maint_operations(out func_name text, out func_arg text) returns setof record language sql as $$ select 'pgq._grab', 'maint' $$",
      "create function pgq.maint_retry_events() returns integer language sql as $$ select pgq._grab('retry') $$");
    // 2. a superuser's schema pgq in which the owner may create functions
    await q("postgres", "create database s_fn owner r_dbowner");
    await q("s_fn", "create schema pgq");
    await q("s_fn", "grant usage, create on schema pgq to r_dbowner");
    await q("s_fn", "create table pgq.called (fn text, at timestamptz default now())");
    await q("s_fn", "grant insert on pgq.called to public");
    await asRole("r_dbowner", "s_fn",
      "create function pgq.version() returns text language sql as $$ select '3.5'::text $$",
      "create function pgq.ticker() returns bigint language sql as $$ insert into pgq.called (fn) values ('ticker'); select 1::bigint $$");
    // 3. pgq installed by a superuser, in a database the owner may create
    //    schemas in: PgQ 3.5's maint_operations lists londiste's
    //    periodic_maintenance whoever owns it (stood in for here, so that
    //    the runner's own check is what is tested)
    await q("postgres", "create database s_lond owner r_dbowner");
    await q("s_lond", "create extension pgq");
    await q("s_lond", `create or replace function pgq.maint_operations(out func_name text, out func_arg text)
        returns setof record language sql as $$
        select 'londiste.periodic_maintenance'::text, null::text
         where to_regprocedure('londiste.periodic_maintenance()') is not null $$`);
    await q("s_lond", "select pgq.create_queue('q')");
    await q("s_lond", "update pgq.queue set queue_ticker_max_lag = '0', queue_ticker_idle_period = '0'");
    await asRole("r_dbowner", "s_lond", "create schema londiste", ...plant("londiste"),
      "create function londiste.periodic_maintenance() returns integer language sql as $$ select londiste._grab('periodic') $$");
    // 4. a database to tick
    await tickingDb("s_good");

    const cfg = ini("trust.ini", `[pgq-runner]
base_connstr = host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
initial_database = postgres
${fast}`);
    const run = runCli("pgq-runner", [cfg]);
    const refused = /WARNING pgq-runner db=s_lond: maint: not calling londiste\.periodic_maintenance: schema londiste owned by untrusted role r_dbowner\n/;
    const called = async () => (await q("s_lond", "select 1 from londiste.called")).length > 0;
    await waitFor(async () => refused.test(run.output()) || (await called()), 20_000, "maintenance in s_lond");
    const good = await ticks("s_good");
    await waitFor(async () => (await ticks("s_good")) > good + 5, 15_000, "ticks in s_good");
    await waitFor(async () => (await q("s_lond", "select count(*)::int n from pgq.tick"))[0]!.n as number > 2, 15_000, "ticks in s_lond");
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
    const out = run.output();
    expect(await q("postgres", "select rolsuper from pg_roles where rolname = 'r_dbowner'")).toEqual([{ rolsuper: false }]);
    expect(await q("s_victim", "select fn from pgq.called")).toEqual([]);
    expect(await q("s_fn", "select fn from pgq.called")).toEqual([]);
    expect(await q("s_lond", "select fn from londiste.called")).toEqual([]);
    expect(out).toMatch(refused);
    expect(out).toMatch(/WARNING pgq-runner db=s_victim: schema pgq owned by untrusted role r_dbowner, skipping\n/);
    expect(out).toMatch(/WARNING pgq-runner db=s_fn: function pgq\.ticker\(\) owned by untrusted role r_dbowner, skipping\n/);
    expect(out.match(/db=s_victim: schema pgq owned by untrusted role/g)).toHaveLength(1);
    expect(out).not.toMatch(/db=s_good: .*untrusted/);

    // pgqadm and queue_splitter refuse such a database too
    const victim = `dbname=s_victim host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres`;
    const adm = runCli("pgqadm", [ini("victim-adm.ini", `[pgqadm]\ndb = ${victim}\n`), "status"]);
    expect(await adm.exit).toBe(1);
    expect(adm.output()).toMatch(/database s_victim: schema pgq owned by untrusted role r_dbowner; not using it/);
    const split = runCli("queue_splitter", [ini("victim-split.ini", `[queue_splitter3]
job_name = victim_split
src_db = ${victim}
dst_db = dbname=s_good host=${cluster.env.PGHOST} port=${cluster.env.PGPORT} user=postgres
queue_name = q
`)]);
    expect(await split.exit).toBe(1);
    expect(split.output()).toMatch(/cannot register: source database s_victim: schema pgq owned by untrusted role r_dbowner; not using it/);
    expect(await q("s_victim", "select * from pgq.called")).toEqual([]);
    expect(await q("postgres", "select rolsuper from pg_roles where rolname = 'r_dbowner'")).toEqual([{ rolsuper: false }]);
  });
});
