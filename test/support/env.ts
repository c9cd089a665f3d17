// Connection settings for the test server, shared by the global setup and
// the test files.
import { readFileSync } from "node:fs";
import type { ClientConfig } from "pg";

export const TEMPLATE_DB = "pgq_test_template";

export interface ServerEnv {
  url?: string;
  PGHOST?: string;
  PGPORT?: string;
  PGUSER?: string;
}

/** Client settings for one database on the test server. */
export function serverConfig(server: ServerEnv, database: string): ClientConfig {
  if (server.url) {
    const url = new URL(server.url);
    url.pathname = `/${database}`;
    return { connectionString: url.toString() };
  }
  return {
    host: server.PGHOST,
    port: server.PGPORT ? Number(server.PGPORT) : undefined,
    user: server.PGUSER,
    database,
  };
}

/** Environment for command-line tools (psql, pg_dump) on one database. */
export function cliEnv(server: ServerEnv, database: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PGDATABASE: database };
  if (server.url) {
    const url = new URL(server.url);
    env.PGHOST = url.hostname;
    if (url.port) env.PGPORT = url.port;
    if (url.username) env.PGUSER = decodeURIComponent(url.username);
    if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  } else {
    if (server.PGHOST) env.PGHOST = server.PGHOST;
    if (server.PGPORT) env.PGPORT = server.PGPORT;
    if (server.PGUSER) env.PGUSER = server.PGUSER;
  }
  return env;
}

/** The version this checkout builds (extension/pgq.control's default_version). */
export const PGQ_VERSION = /default_version\s*=\s*'([^']+)'/.exec(
  readFileSync(new URL("../../extension/pgq.control", import.meta.url), "utf8"),
)![1]!;
