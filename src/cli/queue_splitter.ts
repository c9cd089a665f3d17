#!/usr/bin/env node
// queue_splitter: moves every event of one queue on a source database into
// the queue named by its routing field (ev_extra1 by default) on a target
// database, exactly once (tick tracking in pgq_ext on the target).
//   queue_splitter [switches] CONFIG.ini
import pg from "pg";
import { clientConfig, POOLERS, SafeClient, type Pooler } from "../db.js";
import { ConfigError, jobNameOf, readToolSection, type ConfigLayout } from "../config.js";
import { Consumer, type PgqEvent } from "../consumer/consumer.js";
import { sql } from "../sql/index.js";
import { Waker } from "../loop/waker.js";
import { BACKOFF, retry, runLoop } from "../loop/backoff.js";
import { Reconnecting } from "../loop/connection.js";
import { errorText, type Logger } from "../log.js";
import { SPLIT_FETCH_SIZE, SPLIT_SOURCE_TYPES, splitBatch } from "../splitter.js";
import { untrustedSchemas } from "../trust.js";
import { removePidfile } from "./daemon.js";
import { sampleIni, SPLITTER_SPEC, usage } from "./spec.js";
import { controlDespiteBadConfig, controlOrDaemonize, parseCli, startForeground } from "./common.js";

const USAGE = usage(SPLITTER_SPEC);
const SAMPLE_INI = sampleIni(SPLITTER_SPEC);

interface SplitterConfig {
  source: string;
  jobName: string;
  src: pg.ClientConfig;
  dst: pg.ClientConfig;
  queue: string;
  consumer: string;
  field: keyof PgqEvent;
  skipBad: boolean;
  logfile: string | undefined;
  pidfile: string | undefined;
  loopDelay: number;
  pooler: Pooler;
}

const FIELDS = ["type", "data", "extra1", "extra2", "extra3", "extra4"];

/** Where the splitter's settings are: [queue_splitter3], [queue_splitter], else the first section. */
function layout(path: string): ConfigLayout {
  return { sections: ["queue_splitter3", "queue_splitter"], anySection: true, extra: () => ({ job_name: jobNameOf(path) }) };
}

function loadConfig(path: string): SplitterConfig {
  const section = readToolSection(path, layout(path), SPLITTER_SPEC.keys);
  const r = section.r;
  const base = section.extra.job_name!;
  const conn = (key: string): pg.ClientConfig => {
    const v = r.required(key);
    try {
      return v ? clientConfig(v) : {};
    } catch (err) {
      r.problems.push(`${key}: ${(err as Error).message}`);
      return {};
    }
  };
  const jobName = r.str("job_name", base)!;
  // both names of a setting are read (so neither is "unknown"); the first set wins
  const first = (...names: string[]) => names.map((n) => r.str(n)).find((v) => v !== undefined);
  const queue = first("queue_name", "pgq_queue_name");
  if (!queue) r.problems.push("queue_name (or pgq_queue_name) is required");
  const field = (r.str("queue_field")!).replace(/^ev_/, "");
  if (!FIELDS.includes(field)) r.problems.push(`queue_field must be one of ${FIELDS.join(", ")}, not "${field}"`);
  const cfg: SplitterConfig = {
    source: path,
    jobName,
    src: conn("src_db"),
    dst: conn("dst_db"),
    queue: queue ?? "",
    consumer: first("consumer_name", "pgq_consumer_id") ?? jobName,
    field: `ev_${field}` as keyof PgqEvent,
    skipBad: r.bool("skip_bad_routing"),
    logfile: r.str("logfile"),
    pidfile: r.str("pidfile"),
    loopDelay: r.seconds("loop_delay"),
    pooler: r.oneOf("pooler", POOLERS),
  };
  r.seconds("connection_lifetime"); // checked, not used: connections are kept until an error
  section.done();
  return cfg;
}

/**
 * Throws when pgq or pgq_ext on this connection belong to anyone but a
 * superuser or the role connected as: nothing of theirs is called.
 */
async function refuseUntrusted(c: pg.Client, schemas: string[], which?: string): Promise<void> {
  const bad = await untrustedSchemas(c, schemas);
  if (bad) throw new Error(`${which ? `${which} database` : "database"} ${c.database ?? ""}: ${bad}; not using it`);
}

/**
 * Source and target are one database: each batch is moved by one call of
 * pgq_ext.queue_splitter_local, in one transaction, all in SQL.
 */
async function runLocal(cfg: SplitterConfig, log: Logger, ctx: Record<string, string>,
                        signal: AbortSignal): Promise<void> {
  // woken by the queue's tick notification (or stop) instead of waiting
  // out loop_delay, as the Consumer of the two-database form is
  const waker = new Waker();
  const conn = new Reconnecting({
    create: () => {
      const c = new SafeClient({ ...cfg.src, application_name: cfg.jobName, pooler: cfg.pooler });
      c.on("notice", (n) => log.warning(n.message ?? String(n), ctx));
      c.on("notification", (n) => {
        if (n.payload === cfg.queue) waker.notify();
      });
      return c;
    },
    setup: async (c) => {
      await refuseUntrusted(c, ["pgq", "pgq_ext"]);
      // not through a transaction pooler: polls every loop_delay there
      if (c.canListen && (await c.query(sql.hasTickChannel)).rows[0].has) {
        const channel = (await c.query(sql.tickChannel, [cfg.queue])).rows[0].channel as string;
        await c.query(sql.listen(channel));
      }
      const reg = await c.query(sql.registerConsumer, [cfg.queue, cfg.consumer]);
      if (reg.rows[0].created === 1) log.info("registered on the source queue", ctx);
      log.info("started (source and target are one database: moving in SQL)", ctx);
    },
  });
  await runLoop(async () => {
    const c = await conn.get();
    waker.clear();
    const r = await c.query(sql.queueSplitterLocal,
      [cfg.queue, cfg.consumer, String(cfg.field), cfg.skipBad]);
    return r.rows[0].moved === null ? cfg.loopDelay * 1000 : 0;
  }, {
    signal,
    backoff: BACKOFF.splitter,
    wait: (ms, s) => waker.sleep(ms, s),
    onError: async (err, wait) => {
      log.error(`${errorText(err)}; again in ${wait / 1000}s`, ctx);
      await conn.close();
      waker.clear();
    },
  });
  await conn.close();
}

async function main(argv: string[]): Promise<number> {
  const args = parseCli("queue_splitter", argv, USAGE, SAMPLE_INI);
  if (typeof args === "number") return args;
  if (args.positional.length !== 1) {
    process.stderr.write(`queue_splitter: need exactly one config file\n${USAGE}`);
    return 2;
  }
  const path = args.positional[0]!;
  let cfg: SplitterConfig;
  try {
    cfg = loadConfig(path);
  } catch (err) {
    if (args.control && err instanceof ConfigError) {
      return await controlDespiteBadConfig("queue_splitter", path, args, layout(path), err);
    }
    process.stderr.write(`queue_splitter: ${(err as Error).message}\n`);
    return 2;
  }
  const early = await controlOrDaemonize("queue_splitter", path, args, cfg.pidfile, cfg.logfile);
  if (early !== undefined) return early;
  const log = startForeground("queue_splitter", cfg.jobName, args, path, cfg.pidfile, cfg.logfile);
  if (typeof log === "number") return log;
  const ctx = { queue: cfg.queue, consumer: cfg.consumer };
  const same = (a: pg.ClientConfig, b: pg.ClientConfig) =>
    JSON.stringify([a.host, a.port, a.database, a.user]) === JSON.stringify([b.host, b.port, b.database, b.user]);
  const ctl = new AbortController();
  process.once("SIGINT", () => {
    log.info("SIGINT: finishing the current batch", ctx);
    ctl.abort();
  });
  process.on("SIGHUP", () => log.info("SIGHUP: nothing to reload while running; restart to apply config changes", ctx));
  const code = same(cfg.src, cfg.dst)
    ? (await runLocal(cfg, log, ctx, ctl.signal), 0)
    : await runWithTarget(cfg, log, ctx, ctl.signal);
  if (cfg.pidfile) removePidfile(cfg.pidfile);
  if (code === 0) log.info("stopped", ctx);
  return code;
}

/**
 * Whether a failure is one the database's coming back cures: a lost or
 * refused connection (SQLSTATE class 08, PgBouncer's login retry among
 * them), a shutdown or termination (57P01 .. 57P03), or a socket error
 * (ECONNREFUSED, ECONNRESET, ENOENT of a socket ...).
 */
function transient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (/^08/.test(code) || /^57P0[123]$/.test(code) || /^E[A-Z]+$/.test(code));
}

/** A registration failure that waiting does not cure. */
class CannotRegister extends Error {
  constructor(readonly cause: unknown) {
    super(errorText(cause));
  }
}

/**
 * Source and target are two databases: the Consumer gives the handler a
 * target transaction and finishes the source batch after it commits; the
 * tick check and record are done by pgq_ext.queue_splitter_apply inside that
 * transaction.
 */
async function runWithTarget(cfg: SplitterConfig, log: Logger, ctx: Record<string, string>,
                             signal: AbortSignal): Promise<number> {
  const consumer = new Consumer({
    connection: { ...cfg.src, application_name: cfg.jobName, types: SPLIT_SOURCE_TYPES },
    queue: cfg.queue,
    consumer: cfg.consumer,
    pollIntervalMs: cfg.loopDelay * 1000,
    fetchSize: SPLIT_FETCH_SIZE,
    pooler: cfg.pooler,
    exactlyOnce: { target: { ...cfg.dst, application_name: cfg.jobName }, mode: "handler", safeSearchPath: true },
    onError: (err) => log.error(errorText(err), ctx),
    onConnect: (c, which) => refuseUntrusted(c, which === "source" ? ["pgq"] : ["pgq", "pgq_ext"], which),
  });
  // a database that is not there yet (a server restarting, a pooler whose
  // server is down) is waited for, as the batch loop waits for it later;
  // anything else (no such queue, an untrusted pgq) ends the run
  try {
    const registered = await retry(() => consumer.register(), {
      signal,
      backoff: BACKOFF.splitter,
      onError: async (err, wait) => {
        await consumer.close();
        if (!transient(err)) throw new CannotRegister(err);
        log.error(`cannot register: ${errorText(err)}; again in ${wait / 1000}s`, ctx);
      },
    });
    if (registered === undefined) return 0; // stopped while waiting
    if (registered) log.info("registered on the source queue", ctx);
  } catch (err) {
    if (!(err instanceof CannotRegister)) throw err;
    log.error(`cannot register: ${errorText(err.cause)}`, ctx);
    return 1;
  }
  log.info("started", ctx);
  await consumer.run(splitBatch({ consumer: cfg.consumer, field: cfg.field, skipBad: cfg.skipBad, log, ctx }), signal);
  return 0;
}

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`queue_splitter: ${errorText(err)}\n`);
    process.exit(1);
  },
);
