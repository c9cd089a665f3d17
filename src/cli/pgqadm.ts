#!/usr/bin/env node
// pgqadm: SkyTools' pgqadm (same commands and switches) for pgq.
//   pgqadm [switches] CONFIG.ini COMMAND [ARGS]
import { existsSync } from "node:fs";
import pg from "pg";
import { PgqClient, type QueueSetting } from "../client.js";
import { clientConfig, POOLERS, SafeClient, withTx, type Pooler } from "../db.js";
import { ConfigError, jobNameOf, MAX_TIMER_SECONDS, readIni, readToolSection, type ConfigLayout } from "../config.js";
import { mapErrors } from "../errors.js";
import { errorText } from "../log.js";
import { sql } from "../sql/index.js";
import type { RunnerConfig } from "../runner/config.js";
import { runUntilSignalled } from "./foreground.js";
import {
  controlDespiteBadConfig, controlOrDaemonize, parseCli, startForeground, UsageError, type CommonArgs,
} from "./common.js";
import { PGQADM_SPEC, sampleIni, usage } from "./spec.js";
import { install, installList } from "./install.js";
import { formatTable } from "./table.js";
import { untrustedSchemas } from "../trust.js";
import { DEFAULT_THRESHOLDS, describeXact, human, problems, readState, tickerState } from "../observe.js";

const USAGE = usage(PGQADM_SPEC);
const SAMPLE_INI = sampleIni(PGQADM_SPEC);

interface AdmConfig {
  jobName: string;
  db: pg.ClientConfig;
  dbname: string;
  loopDelay: number;
  maintDelay: number;
  logfile: string | undefined;
  pidfile: string | undefined;
  connectionLifetime: number;
  pooler: Pooler;
  source: string;
}

const CONFIG_VARS = ["ticker_max_count", "ticker_max_lag", "ticker_idle_period", "rotation_period", "max_retries",
  "ticker_on_demand"];

/**
 * A connection string given where the config file goes: a libpq
 * keyword=value string or URI that is not the name of a file.
 */
function isConnString(arg: string): boolean {
  return (/^postgres(ql)?:\/\//.test(arg) || /^\s*[A-Za-z_]+\s*=/.test(arg)) && !existsSync(arg);
}

/** Where pgqadm's settings are: [pgqadm], else the first section; job_name defaults to the file's name. */
function layout(path: string): ConfigLayout {
  const base = isConnString(path) ? "pgqadm" : jobNameOf(path);
  return { sections: ["pgqadm"], anySection: true, extra: () => ({ job_name: base }) };
}

function loadConfig(path: string): AdmConfig {
  // a connection string stands for a config file of one key, db
  const section = readToolSection(path, layout(path), PGQADM_SPEC.keys,
    isConnString(path) ? { pgqadm: { db: path.replace(/%/g, "%%") } } : readIni(path));
  const r = section.r;
  const base = section.extra.job_name!;
  const jobName = r.str("job_name", base)!;
  const dbstr = r.required("db");
  let db: pg.ClientConfig = {};
  if (dbstr) {
    try {
      db = clientConfig(dbstr);
    } catch (err) {
      r.problems.push(`db: ${(err as Error).message}`);
    }
  }
  const maintDefault = r.seconds("maint_delay_min", undefined, { max: Math.floor(MAX_TIMER_SECONDS / 60), unit: "minutes" }) * 60;
  const cfg: AdmConfig = {
    jobName,
    db,
    dbname: db.database ?? process.env.PGDATABASE ?? db.user ?? process.env.PGUSER ?? "postgres",
    loopDelay: r.seconds("loop_delay"),
    maintDelay: r.seconds("maint_delay", maintDefault),
    logfile: r.str("logfile"),
    pidfile: r.str("pidfile"),
    connectionLifetime: r.seconds("connection_lifetime"),
    pooler: r.oneOf("pooler", POOLERS),
    source: path,
  };
  section.done();
  return cfg;
}

/**
 * Runs fn on a connection with the safe search_path, after making sure that
 * pgq (if there) belongs to a superuser or to the role connected as.
 */
async function withDb<T>(cfg: AdmConfig, fn: (c: pg.Client, pgq: PgqClient) => Promise<T>): Promise<T> {
  const c = new SafeClient({ ...cfg.db, application_name: cfg.jobName, pooler: cfg.pooler });
  await c.connect();
  try {
    const bad = await untrustedSchemas(c, ["pgq"]);
    if (bad) throw new Error(`database ${cfg.dbname}: ${bad}; not using it`);
    return await mapErrors(() => fn(c, new PgqClient(c)));
  } finally {
    await c.end();
  }
}

/**
 * pgqadm status: the queues and consumers of the database as two tables,
 * then its problems; with --json the same facts (sql.observe, as
 * pgq-runner's /metrics and status page read them) as one JSON object.
 */
/**
 * Creates the queues, CREATE_BATCH to a transaction: a new queue holds
 * about 45 locks until its transaction ends, so a few hundred in one would
 * fill the server's lock table.  Says what happened to each name.
 */
const CREATE_BATCH = 100;
async function createQueues(c: pg.Client, names: readonly string[], out: (s: string) => void): Promise<void> {
  for (let i = 0; i < names.length; i += CREATE_BATCH) {
    const batch = names.slice(i, i + CREATE_BATCH);
    const r = await c.query<{ name: string; created: number }>(sql.createQueues, [batch]);
    for (const row of r.rows) out(row.created === 1 ? `queue ${row.name} created` : `queue ${row.name} exists already`);
  }
}

async function status(cfg: AdmConfig, args: string[], out: (s: string) => void): Promise<void> {
  const bad = args.filter((a) => a !== "--json");
  if (bad.length) throw new UsageError(`status takes only --json, not ${bad.join(" ")}`);
  const json = args.includes("--json");
  await withDb(cfg, async (c) => {
    const st = await readState(c);
    const th = DEFAULT_THRESHOLDS;
    const found = problems(st, th);
    if (json) {
      out(JSON.stringify({
        database: cfg.dbname,
        server_version: st.server_version,
        pgq_version: st.pgq_version,
        queues: st.queues.map((q) => ({ ...q, ticker: tickerState(q, th.tickerGrace) })),
        consumers: st.consumers,
        oldest_xact: st.oldest_xact,
        xmin_horizon_age: st.xmin_horizon_age,
        problems: found.map(({ key: _key, ...p }) => p),
      }, null, 2));
      return;
    }
    out(`database ${cfg.dbname}: PostgreSQL ${st.server_version.split(" ")[0]}, pgq ${st.pgq_version}\n`);
    out(formatTable(["queue", "ticker lag", "events/s", "new events", "last tick", "rotation", "ticker"],
      st.queues.map((q) => [q.queue, human(q.ticker_lag), q.ev_per_sec === null ? "-" : q.ev_per_sec.toFixed(1),
        q.ev_new ?? "-", q.last_tick ?? "-", `${period(q.rotation_period)}${q.rotation_blocked ? " blocked" : ""}`,
        tickerState(q, th.tickerGrace)]),
      "no queues"));
    out("");
    out(formatTable(["queue", "consumer", "lag", "last seen", "pending events", "batch"],
      st.consumers.map((r) => [r.queue, r.consumer, human(r.lag), human(r.last_seen), r.pending_events ?? "-", r.batch ?? "-"]),
      "no consumers"));
    if (st.oldest_xact && st.queues.some((q) => q.blocking_xact)) out(`\noldest transaction: ${describeXact(st.oldest_xact)}`);
    if (found.length) {
      out(`\nproblems:`);
      for (const p of found) out(`  ${p.queue}${p.consumer !== undefined ? ` / ${p.consumer}` : ""}: ${p.text}`);
    }
  });
}

/** A period as PostgreSQL prints an interval of under a day ("02:00:00"), or "-". */
function period(s: number | null): string {
  if (s === null) return "-";
  const t = Math.floor(s);
  const p = (n: number) => String(n).padStart(2, "0");
  const frac = s - t > 0 ? (s - t).toFixed(6).replace(/0+$/, "").slice(1) : "";
  const hms = `${p(Math.floor((t % 86400) / 3600))}:${p(Math.floor(t / 60) % 60)}:${p(t % 60)}${frac}`;
  return t >= 86400 ? `${Math.floor(t / 86400)} day${t >= 172800 ? "s" : ""} ${hms}` : hms;
}

async function config(cfg: AdmConfig, args: string[], out: (s: string) => void): Promise<void> {
  await withDb(cfg, async (c, pgq) => {
    const [queue, ...sets] = args;
    if (queue !== undefined && sets.length > 0) {
      const bad = sets.filter((s) => !/^[a-z_]+=/.test(s) || !CONFIG_VARS.includes(s.split("=")[0]!.replace(/^queue_/, "")));
      if (bad.length) throw new UsageError(`cannot set ${bad.join(", ")}: use ${CONFIG_VARS.join(", ")}`);
      await withTx(c, async () => {
        for (const s of sets) {
          const eq = s.indexOf("=");
          await pgq.setQueueConfig(queue, s.slice(0, eq).replace(/^queue_/, "") as QueueSetting, s.slice(eq + 1));
        }
      });
    }
    // max_retries, ticker_on_demand: "-" on PgQ 3.5, which has neither
    const rows = await c.query(sql.queueConfig, [queue ?? null]);
    if (queue !== undefined && rows.rowCount === 0) throw new UsageError(`no such queue: ${queue}`);
    out(formatTable(["queue", ...CONFIG_VARS],
      rows.rows.map((r) => [r.queue_name, String(r.queue_ticker_max_count), r.queue_ticker_max_lag,
        r.queue_ticker_idle_period, r.queue_rotation_period, r.max_retries ?? "-", r.ticker_on_demand ?? "-"]),
      "no queues"));
  });
}

async function ticker(cfg: AdmConfig, args: CommonArgs): Promise<number> {
  const runnerConfig = (c: AdmConfig): RunnerConfig => Object.freeze({
    source: c.source, logfile: c.logfile, pidfile: c.pidfile,
    base: c.db, initialDatabase: c.dbname, databaseList: [c.dbname],
    checkPeriod: 60, maintPeriod: c.maintDelay, retryPeriod: Math.min(30, c.maintDelay),
    tickerPeriod: c.loopDelay, statsPeriod: 60, connectionLifetime: c.connectionLifetime,
    httpListen: undefined, lagThreshold: 300, pooler: c.pooler,
  });
  const early = await controlOrDaemonize("pgqadm", cfg.source, args, cfg.pidfile, cfg.logfile);
  if (early !== undefined) return early;
  const log = startForeground("pgqadm", cfg.jobName, args, cfg.source, cfg.pidfile, cfg.logfile);
  if (typeof log === "number") return log;
  return await runUntilSignalled(runnerConfig(cfg), log, () => runnerConfig(loadConfig(cfg.source)));
}

async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const args = parseCli("pgqadm", argv, USAGE, SAMPLE_INI, ["--json"]);
  if (typeof args === "number") return args;
  const [path, command, ...rest] = args.positional;
  if (!path || (!command && !args.control)) {
    process.stderr.write(`pgqadm: need a config file and a command\n${USAGE}`);
    return 2;
  }
  let cfg: AdmConfig;
  try {
    cfg = loadConfig(path);
  } catch (err) {
    if (args.control && err instanceof ConfigError) {
      return await controlDespiteBadConfig("pgqadm", path, args, layout(path), err);
    }
    process.stderr.write(`pgqadm: ${(err as Error).message}\n`);
    return 2;
  }
  if (args.control) {
    return (await controlOrDaemonize("pgqadm", path, args, cfg.pidfile, cfg.logfile))!;
  }
  const need = (n: number, what: string) => {
    if (rest.length !== n) throw new UsageError(`${command} needs ${what}`);
  };
  try {
    switch (command) {
      case "install": {
        const names = installList(rest);
        await withDb(cfg, (c) => install(c, names, out));
        return 0;
      }
      case "ticker": need(0, "no arguments"); return await ticker(cfg, args);
      case "status": await status(cfg, rest, out); return 0;
      case "create":
        if (rest.length < 1) throw new UsageError("create needs QNAME [QNAME ...]");
        await withDb(cfg, (c) => createQueues(c, rest, out));
        return 0;
      case "drop":
        need(1, "QNAME");
        out(await withDb(cfg, async (c, pgq) => {
          // the queue goes at once; its emptied tables need a lock on
          // pgq.event_template, which maint_drop_storage takes only if it
          // gets it within 20 ms (an open producer transaction anywhere
          // holds it): then maintenance removes them later
          const id = (await c.query(sql.queueId, rest)).rows[0]?.queue_id;
          await pgq.dropQueue(rest[0]!);
          if (id === undefined) return `queue ${rest[0]} dropped`;
          const table = `pgq.event_${id}`;
          if ((await c.query(sql.hasMaintDropStorage)).rows[0].has) await c.query(sql.maintDropStorage, [table]);
          const left = (await c.query(sql.relationExists, [table])).rows[0].exists;
          return left
            ? `queue ${rest[0]} dropped; its emptied tables (${table}) are removed by maintenance once no transaction holds pgq.event_template`
            : `queue ${rest[0]} dropped`;
        }));
        return 0;
      case "register":
        need(2, "QNAME CONS");
        out(await withDb(cfg, async (_c, pgq) => (await pgq.registerConsumer(rest[0]!, rest[1]!))
          ? `consumer ${rest[1]} registered on ${rest[0]}` : `consumer ${rest[1]} was registered on ${rest[0]} already`));
        return 0;
      case "unregister":
        need(2, "QNAME CONS");
        out(await withDb(cfg, async (_c, pgq) => (await pgq.unregisterConsumer(rest[0]!, rest[1]!))
          ? `consumer ${rest[1]} unregistered from ${rest[0]}` : `consumer ${rest[1]} was not registered on ${rest[0]}`));
        return 0;
      case "config": await config(cfg, rest, out); return 0;
      case "dead":
        if (rest.length < 1 || rest.length > 2) throw new UsageError("dead needs QNAME [CONS]");
        await withDb(cfg, async (_c, pgq) => {
          const dead = await pgq.deadLetters(rest[0]!, rest[1]);
          out(formatTable(["id", "consumer", "time", "retries", "reason", "event", "type", "data"],
            dead.map((d) => [d.dl_id, d.consumer_name, d.dl_time.toISOString(), String(d.dl_retry_count),
              d.dl_reason ?? "-", d.ev_id, d.ev_type ?? "", d.ev_data ?? ""]),
            "no dead letters"));
        });
        return 0;
      case "replay":
        if (rest.length < 2 || rest.length > 3) throw new UsageError("replay needs QNAME CONS [ID]");
        out(await withDb(cfg, async (_c, pgq) => {
          const n = await pgq.replayDeadLetters(rest[0]!, rest[1]!, rest[2]);
          return `${n} dead letter${n === 1 ? "" : "s"} of ${rest[1]} put back into ${rest[0]}`;
        }));
        return 0;
      case "purge":
        if (rest.length < 1 || rest.length > 3) throw new UsageError("purge needs QNAME [CONS [ID]]");
        out(await withDb(cfg, async (_c, pgq) => {
          const n = await pgq.purgeDeadLetters(rest[0]!, rest[1], rest[2]);
          return `${n} dead letter${n === 1 ? "" : "s"} deleted from ${rest[0]}`;
        }));
        return 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`pgqadm: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`pgqadm: ${errorText(err)}\n`);
    return 1;
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`pgqadm: ${errorText(err)}\n`);
    process.exit(1);
  },
);
