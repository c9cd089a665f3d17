// The real PgQ 3.5 and its clients for tests (scripts/pgq35.sh): a PostgreSQL
// prefix whose pgq is Debian's C PgQ 3.5, the unpacked pgqd, and the
// unpacked python3-pgq with test/support/pgq_recorder.py as its consumer.
// Nothing is skipped: when a package cannot be fetched the test fails and
// says which step did.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PrivateCluster } from "./cluster.js";

const root = resolve(import.meta.dirname, "../..");
const script = resolve(root, "scripts/pgq35.sh");

/** Runs scripts/pgq35.sh; its last output line, or an error naming the step. */
export function pgq35(...args: string[]): string {
  try {
    const out = execFileSync(script, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.trim().split("\n").pop() ?? "";
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `scripts/pgq35.sh ${args.join(" ")} failed: PgQ 3.5 for this test (Debian's postgresql-15-pgq3, ` +
        `pgqd, python3-pgq, python3-skytools via apt-get download; python3-psycopg2 via apt-get install) ` +
        `could not be set up:\n${err.stderr || err.message}`,
    );
  }
}

export interface Daemon {
  child: ChildProcess;
  output(): string;
  /** SIGINT (both stop cleanly on it), then SIGKILL after a grace period. */
  stop(): Promise<number | null>;
}

function daemon(cmd: string, args: string[], env: NodeJS.ProcessEnv): Daemon {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT");
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        const code = await exit;
        clearTimeout(t);
        return code;
      }
      return exit;
    },
  };
}

const connstr = (c: PrivateCluster) => `host=${c.env.PGHOST} port=${c.env.PGPORT} user=${c.env.PGUSER}`;

/** Debian's pgqd on the given databases, ticking every 0.2 s, maintenance and retries every second. */
export function startPgqd(dir: string, cluster: PrivateCluster, databases: string[]): Daemon {
  const cfg = join(dir, "pgqd.ini");
  writeFileSync(cfg, `[pgqd]
base_connstr = ${connstr(cluster)}
database_list = ${databases.join(",")}
logfile = ${join(dir, "pgqd.log")}
pidfile = ${join(dir, "pgqd.pid")}
syslog = 0
ticker_period = 0.2
maint_period = 1
retry_period = 1
check_period = 1
stats_period = 60
`);
  return daemon(pgq35("pgqd"), ["-v", cfg], {});
}

/**
 * python3-pgq's Consumer (test/support/pgq_recorder.py) as `consumer` on
 * `queue`, recording each event it processes into `table` in the batch's
 * own transaction.
 */
export function startRecorder(dir: string, cluster: PrivateCluster, db: string, queue: string, consumer: string, table: string): Daemon {
  const cfg = join(dir, `${consumer}.ini`);
  writeFileSync(cfg, `[pgq_recorder]
job_name = ${consumer}
db = ${connstr(cluster)} dbname=${db}
queue_name = ${queue}
consumer_name = ${consumer}
record_table = ${table}
logfile = ${join(dir, `${consumer}.log`)}
pidfile = ${join(dir, `${consumer}.pid`)}
loop_delay = 0.1
exception_sleep = 0.5
`);
  return daemon("/usr/bin/python3", [resolve(root, "test/support/pgq_recorder.py"), cfg], { PYTHONPATH: pgq35("python") });
}

/** The table startRecorder writes into. */
export const RECORD_TABLE_DDL = `create table seen (
    consumer text not null, batch_id bigint not null, ev_id bigint not null,
    ev_type text, ev_data text, ev_extra1 text)`;
