// Connections.  bigint (int8) values stay strings, as pg returns them: the
// driver never changes pg's global type parsers.
import pg from "pg";

export type Queryable = pg.Pool | pg.PoolClient | pg.Client;
export type ConnectionInput = string | pg.ClientConfig;

/** Client settings from a libpq keyword=value string, a URI, or a config object. */
export function clientConfig(input: ConnectionInput): pg.ClientConfig {
  if (typeof input !== "string") return input;
  if (/^postgres(ql)?:\/\//.test(input)) return parseUri(input);
  return parseKeywordValue(input);
}

/**
 * Parses a postgresql:// URI into separate fields (not a connectionString,
 * so that a database given next to it still wins).  ?host=/dir names a
 * socket directory, as in libpq.
 */
export function parseUri(uri: string): pg.ClientConfig {
  const u = new URL(uri);
  const cfg: pg.ClientConfig = {};
  if (u.hostname) cfg.host = decodeURIComponent(u.hostname);
  if (u.port) cfg.port = Number(u.port);
  if (u.username) cfg.user = decodeURIComponent(u.username);
  if (u.password) cfg.password = decodeURIComponent(u.password);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (db) cfg.database = db;
  const params = Object.fromEntries(u.searchParams.entries());
  const rest = Object.entries(params).map(([k, v]) => `${k}='${v.replace(/['\\]/g, "\\$&")}'`).join(" ");
  return rest ? { ...cfg, ...parseKeywordValue(rest) } : cfg;
}

/** Parses libpq's keyword=value form (values may be single-quoted). */
export function parseKeywordValue(s: string): pg.ClientConfig {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(s)) !== null) {
    out[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
    last = re.lastIndex;
  }
  if (s.slice(last).trim() !== "") throw new Error(`bad connection string near: ${s.slice(last).trim()}`);
  const cfg: pg.ClientConfig = {};
  for (const [k, v] of Object.entries(out)) {
    switch (k) {
      case "dbname": cfg.database = v; break;
      case "host": case "hostaddr": cfg.host = v; break;
      case "port": cfg.port = Number(v); break;
      case "user": cfg.user = v; break;
      case "password": cfg.password = v; break;
      case "application_name": cfg.application_name = v; break;
      case "connect_timeout": cfg.connectionTimeoutMillis = Number(v) * 1000; break;
      case "sslmode": cfg.ssl = v === "disable" ? false : v === "require" ? { rejectUnauthorized: false } : true; break;
      default: throw new Error(`unsupported connection parameter: ${k}`);
    }
  }
  return cfg;
}

/** Runs fn inside BEGIN/COMMIT on one client; rolls back if it throws. */
export async function withTx<T>(client: pg.PoolClient | pg.Client, fn: () => Promise<T>): Promise<T> {
  await client.query("begin");
  try {
    const result = await fn();
    await client.query("commit");
    return result;
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  }
}

/** The first column of the first row. */
export async function scalar<T>(db: Queryable, text: string, values: unknown[] = []): Promise<T> {
  const r = await db.query(text, values);
  const row = r.rows[0] as Record<string, unknown> | undefined;
  return (row ? Object.values(row)[0] : undefined) as T;
}
