// pg_dump refuses a server of a newer major version than its own.  The
// clients are Debian's PostgreSQL 15 (scripts/pgcluster.sh); with PG=16 and
// up the server is newer, and the tests that dump skip, saying why.
import { execFileSync } from "node:child_process";
import type pg from "pg";

/** Why pg_dump (found through env's PATH) cannot dump c's server, if it cannot. */
export async function pgDumpCannot(c: pg.Client, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const out = execFileSync("pg_dump", ["--version"], { env, encoding: "utf8" });
  const dump = Number(/\(PostgreSQL\) (\d+)/.exec(out)?.[1]);
  const server = Math.floor(Number((await c.query("select current_setting('server_version_num') v")).rows[0].v) / 10000);
  return server > dump ? `pg_dump ${dump} cannot dump a PostgreSQL ${server} server` : undefined;
}
