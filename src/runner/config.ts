// pgq-runner's configuration: its own [pgq-runner] section, or a pgqd.ini
// [pgqd] section unchanged.
import type pg from "pg";
import { clientConfig } from "../db.js";
import { ConfigError, readIni, resolveSection, SectionReader, type Ini } from "../config.js";

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
}

export const SAMPLE_INI = `[pgq-runner]
# where to log (default: stderr) and the pidfile (needed for -d, -s, -k, -r)
#logfile = ~/log/pgq-runner.log
#pidfile = ~/pid/pgq-runner.pid

# libpq connection string without dbname (keyword=value or a URI); PG* environment fills the gaps
#base_connstr = host=localhost port=5432 user=postgres

# databases to serve; empty: every database that allows connections, found through initial_database
#database_list =
#initial_database = template1

# periods in seconds
#ticker_period = 1
#maint_period = 120
#retry_period = 30
#check_period = 60
#stats_period = 30
#connection_lifetime = 3600
`;

const PGQD_ONLY = ["syslog", "syslog_ident", "syslog_facility"];

/** Where pgq-runner's settings are: [pgq-runner], else pgqd's [pgqd]. */
export const RUNNER_LAYOUT = {
  section: (ini: Ini): string | undefined => (ini["pgq-runner"] ? "pgq-runner" : ini.pgqd ? "pgqd" : undefined),
  extra: (section: string): Record<string, string> => ({ job_name: section }),
};

export function loadRunnerConfig(path: string): RunnerConfig {
  const ini = readIni(path);
  const name = RUNNER_LAYOUT.section(ini);
  if (!name) throw new ConfigError(path, ["no [pgq-runner] (or [pgqd]) section"]);
  const section = resolveSection(ini, name, RUNNER_LAYOUT.extra(name));
  const r = new SectionReader(section, `${path} [${name}]`);
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
    initialDatabase: r.str("initial_database", "template1")!,
    databaseList: r.list("database_list"),
    checkPeriod: r.seconds("check_period", 60),
    maintPeriod: r.seconds("maint_period", 120),
    retryPeriod: r.seconds("retry_period", 30),
    tickerPeriod: r.seconds("ticker_period", 1),
    statsPeriod: r.seconds("stats_period", 30),
    connectionLifetime: r.seconds("connection_lifetime", 3600),
  };
  r.checkUnknown(Object.keys(ini[name] ?? {}), [...PGQD_ONLY, "job_name"]);
  r.done();
  return Object.freeze(cfg);
}
