// Debian's PgBouncer in front of a test server: an instance of its own on a
// free port, with a generated ini, run as user postgres (PgBouncer refuses
// root) and stopped by its pid.  Not the system service.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PGBOUNCER = "/usr/sbin/pgbouncer";

export interface PgBouncer {
  host: string;
  port: number;
  /** A libpq connection string for a database through the pooler. */
  conn(db: string): string;
  /** Its log (connections, errors). */
  log(): string;
  stop(): void;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function asPostgres(cmd: string[]): void {
  if (process.getuid?.() === 0) execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", cmd.map((a) => `'${a}'`).join(" ")]);
  else execFileSync(cmd[0]!, cmd.slice(1));
}

/**
 * Starts PgBouncer in pool mode `mode` for every database of the server at
 * serverHost (a socket directory or address) and serverPort; users connect
 * as postgres (or one of `users`) without a password.  poolSize server connections per
 * database, so that clients share them.
 */
export async function startPgBouncer(o: { serverHost: string; serverPort: number | string; mode: "session" | "transaction";
                                          poolSize?: number; users?: string[] }): Promise<PgBouncer> {
  if (!existsSync(PGBOUNCER)) throw new Error(`${PGBOUNCER} is missing: apt-get install pgbouncer (scripts/pgcluster.sh deps does)`);
  const dir = mkdtempSync(join(tmpdir(), "pgq-pgbouncer."));
  const port = await freePort();
  writeFileSync(join(dir, "users.txt"), ["postgres", ...(o.users ?? [])].map((u) => `"${u}" ""\n`).join(""));
  writeFileSync(join(dir, "pgbouncer.ini"), `[databases]
* = host=${o.serverHost} port=${o.serverPort}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${dir}/users.txt
pool_mode = ${o.mode}
default_pool_size = ${o.poolSize ?? 5}
max_client_conn = 500
server_login_retry = 1
logfile = ${dir}/pgbouncer.log
pidfile = ${dir}/pgbouncer.pid
`);
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), 0);
  asPostgres([PGBOUNCER, "-d", join(dir, "pgbouncer.ini")]);
  const pidfile = join(dir, "pgbouncer.pid");
  for (let i = 0; i < 100 && !existsSync(pidfile); i++) await new Promise((r) => setTimeout(r, 50));
  const pid = Number(readFileSync(pidfile, "utf8").trim());
  return {
    host: "127.0.0.1",
    port,
    conn: (db) => `host=127.0.0.1 port=${port} user=postgres dbname=${db} sslmode=disable`,
    log: () => (existsSync(join(dir, "pgbouncer.log")) ? readFileSync(join(dir, "pgbouncer.log"), "utf8") : ""),
    stop: () => {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // gone already
      }
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        execFileSync("sleep", ["0.05"]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
