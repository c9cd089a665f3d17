// pgq-runner's configuration: its own [pgq-runner] section, or a pgqd.ini
// [pgqd] section unchanged.
import type pg from "pg";
import { clientConfig, POOLERS, type Pooler } from "../db.js";
import { readToolSection, type ConfigLayout } from "../config.js";
import { RUNNER_SPEC, sampleIni } from "../cli/spec.js";

export interface RunnerConfig {
  readonly source: string;
  readonly logfile: string | undefined;
  readonly pidfile: string | undefined;
  /** Connection settings without the database; PG* environment fills the gaps. */
  readonly base: pg.ClientConfig;
  readonly initialDatabase: string;
  /** Empty: discover databases through initialDatabase. */
  readonly databaseList: readonly string[];
  readonly checkPeriod: number;
  readonly maintPeriod: number;
  readonly retryPeriod: number;
  readonly tickerPeriod: number;
  readonly statsPeriod: number;
  readonly connectionLifetime: number;
  /** Where /metrics, /healthz and the status page are served; undefined: not at all. */
  readonly httpListen: { host: string; port: number } | undefined;
  /** Seconds a consumer may be behind its queue's newest tick before it is a problem. */
  readonly lagThreshold: number;
  /** What stands between the runner and the servers (db.ts Pooler). */
  readonly pooler: Pooler;
}

/** host:port, [v6addr]:port; the host must be given (no wildcard by default). */
export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:\[\]]+)):(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new Error(`must be host:port (e.g. 127.0.0.1:9187, [::1]:9187), not "${v}"`);
  }
  return { host: m[1] ?? m[2]!, port };
}

/** The sample config --ini prints, made from the key table. */
export const SAMPLE_INI = sampleIni(RUNNER_SPEC);

/** Where pgq-runner's settings are: [pgq-runner], else pgqd's [pgqd]. */
export const RUNNER_LAYOUT: ConfigLayout = {
  sections: ["pgq-runner", "pgqd"],
  anySection: false,
  extra: (section) => ({ job_name: section }),
};

export function loadRunnerConfig(path: string): RunnerConfig {
  const section = readToolSection(path, RUNNER_LAYOUT, RUNNER_SPEC.keys);
  const r = section.r;
  let base: pg.ClientConfig = {};
  try {
    // no base_connstr: the PG* environment alone, read as libpq reads it
    base = clientConfig(r.str("base_connstr") ?? "");
  } catch (err) {
    r.problems.push(`base_connstr: ${(err as Error).message}`);
  }
  const cfg: RunnerConfig = {
    source: path,
    logfile: r.str("logfile"),
    pidfile: r.str("pidfile"),
    base,
    initialDatabase: r.str("initial_database")!,
    databaseList: r.list("database_list"),
    checkPeriod: r.seconds("check_period"),
    maintPeriod: r.seconds("maint_period"),
    retryPeriod: r.seconds("retry_period"),
    tickerPeriod: r.seconds("ticker_period"),
    statsPeriod: r.seconds("stats_period"),
    connectionLifetime: r.seconds("connection_lifetime"),
    httpListen: undefined,
    lagThreshold: r.seconds("lag_threshold"),
    pooler: r.oneOf("pooler", POOLERS),
  };
  const listen = r.str("http_listen");
  if (listen !== undefined && listen.trim() !== "") {
    try {
      (cfg as { httpListen: RunnerConfig["httpListen"] }).httpListen = parseListen(listen);
    } catch (err) {
      r.problems.push(`http_listen ${(err as Error).message}`);
    }
  }
  r.str("job_name"); // only for %(job_name)s references
  section.done();
  return Object.freeze(cfg);
}
