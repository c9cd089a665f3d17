// Connections.  bigint (int8) values stay strings, as pg returns them: the
// driver never changes pg's global type parsers.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type tls from "node:tls";
import pg from "pg";
import { NegotiatingSocket, SSL_MODES, type SslMode, type SslSettings } from "./ssl.js";

export type Queryable = pg.Pool | pg.PoolClient | pg.Client;
export type ConnectionInput = string | pg.ClientConfig;

/** The search_path of every session the tools and the driver open themselves. */
export const SAFE_SEARCH_PATH = "pg_catalog, pg_temp";

/**
 * Client settings from a libpq keyword=value string, a URI, or a config
 * object.  Strings and URIs get libpq's meaning (sslmode prefer by default,
 * PGSSLMODE and friends where the string says nothing); objects are
 * node-postgres settings and are returned as they are.
 */
export function clientConfig(input: ConnectionInput): pg.ClientConfig {
  if (typeof input !== "string") return input;
  if (/^postgres(ql)?:\/\//.test(input)) return parseUri(input);
  return parseKeywordValue(input);
}

/**
 * The settings with search_path fixed to pg_catalog, pg_temp for the
 * session (a startup option, after any options of the connection string or
 * PGOPTIONS), so that no schema a database user can create objects in is
 * searched for unqualified names.  DateStyle and IntervalStyle are fixed
 * too: node-postgres reads only their ISO / postgres output (others become
 * null and zero), and a database's owner may set them for its database
 * (ALTER DATABASE ... SET), which would hand the driver's consumers NULL
 * ev_times and make queue_splitter write now() as the moved events' time.
 */
export function safeSession(cfg: pg.ClientConfig): pg.ClientConfig {
  const options = cfg.options ?? process.env.PGOPTIONS ?? "";
  // "\ " is an escaped space in startup options: the value reads as SAFE_SEARCH_PATH
  return {
    ...cfg,
    options: `${options} -c search_path=${SAFE_SEARCH_PATH.replace(/ /g, "\\ ")} -c datestyle=ISO -c intervalstyle=postgres`.trim(),
  };
}

/**
 * Parses a postgresql:// URI into separate fields (not a connectionString,
 * so that a database given next to it still wins), as libpq reads it:
 * postgres[ql]://[user[:password]@][host][:port][/dbname][?keyword=value&...],
 * every part percent-decoded; the host may be an IPv6 literal in brackets,
 * empty (the default socket), or a socket directory (percent-encoded, or
 * as ?host=/dir).  Query parameters are keywords as in the keyword=value
 * form.
 */
export function parseUri(uri: string): pg.ClientConfig {
  const m = /^postgres(?:ql)?:\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(uri);
  if (!m) throw new Error("cannot parse the connection URI (postgresql://user:password@host:port/dbname?keyword=value)");
  const [, authority = "", path = "", query = ""] = m;
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new Error(`connection URI: bad percent-encoding in the ${what}`);
    }
  };
  const kw: Record<string, string> = {};
  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(":");
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (user) kw.user = decode(user, "user name");
    if (colon >= 0) kw.password = decode(userinfo.slice(colon + 1), "password");
  }
  const hostport = authority.slice(at + 1);
  if (hostport.includes(",")) throw new Error(`host: several hosts are not supported, not "${hostport}"`);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostport)!;
  const host = hp[1]!.startsWith("[") ? hp[1]!.slice(1, -1) : decode(hp[1]!, "host");
  if (host) kw.host = host;
  if (hp[2] !== undefined && hp[2] !== "") {
    if (!/^\d+$/.test(hp[2])) throw new Error(portProblem(hp[2]));
    kw.port = hp[2];
  }
  if (path) kw.dbname = decode(path, "database name");
  for (const pair of query.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    if (eq < 0) throw new Error(`connection URI: parameter "${decode(pair, "parameters")}" has no value`);
    kw[decode(pair.slice(0, eq), "parameters")] = decode(pair.slice(eq + 1), "parameters");
  }
  return fromKeywords(kw);
}

/** Parses libpq's keyword=value form (values may be single-quoted). */
export function parseKeywordValue(s: string): pg.ClientConfig {
  const kw: Record<string, string> = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(s)) !== null) {
    kw[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
    last = re.lastIndex;
  }
  if (s.slice(last).trim() !== "") throw new Error(`bad connection string near: ${s.slice(last).trim()}`);
  return fromKeywords(kw);
}

/** libpq keywords that cannot be honoured here: refused by name rather than ignored. */
const UNSUPPORTED = new Set([
  "passfile", "channel_binding", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication",
  "gssencmode", "requiressl", "sslcompression", "sslpassword", "sslcrl", "sslcrldir", "sslsni", "sslnegotiation",
  "sslcertmode", "ssl_min_protocol_version", "ssl_max_protocol_version", "requirepeer", "require_auth",
  "krbsrvname", "gsslib", "gssdelegation", "target_session_attrs", "load_balance_hosts",
]);

const portProblem = (v: string) => `port must be a number from 1 to 65535, not "${v}"`;

function wholeSeconds(key: string, v: string, max = 2147483): number {
  if (!/^-?\d+$/.test(v.trim()) || Number(v) > max) {
    throw new Error(`${key} must be a whole number of seconds up to ${max}, not "${v}"`);
  }
  return Number(v);
}

/**
 * How long a connection attempt may take when neither the connection string
 * (connect_timeout) nor PGCONNECT_TIMEOUT says: libpq waits for ever, which
 * leaves a tool hanging for minutes on an unreachable host.
 */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 15;

/**
 * The keywords of a connection service (libpq's pg_service.conf): the
 * section `name` of PGSERVICEFILE or ~/.pg_service.conf, else of
 * PGSYSCONFDIR/pg_service.conf (Debian's libpq: /etc/postgresql-common).
 */
export function serviceKeywords(name: string): Record<string, string> {
  const env = process.env;
  const files = [env.PGSERVICEFILE ?? join(homedir(), ".pg_service.conf"),
    join(env.PGSYSCONFDIR ?? "/etc/postgresql-common", "pg_service.conf")];
  for (const file of files) {
    if (!existsSync(file)) continue;
    let section: string | undefined;
    let found: Record<string, string> | undefined;
    readFileSync(file, "utf8").split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) return;
      const head = /^\[(.*)\]$/.exec(line);
      if (head) {
        section = head[1];
        if (section === name) found ??= {};
        return;
      }
      if (section !== name) return;
      const eq = line.indexOf("=");
      if (eq <= 0) throw new Error(`service file ${file}, line ${i + 1}: not keyword=value: ${line}`);
      const key = line.slice(0, eq).trim();
      if (key === "service") throw new Error(`service file ${file}, line ${i + 1}: nested service definitions are not supported`);
      found![key] = line.slice(eq + 1).trim();
    });
    if (found) return found;
  }
  throw new Error(`definition of service "${name}" not found (looked in ${files.join(" and ")})`);
}

/** libpq's connect_timeout in node-postgres' terms: 0 or less waits for ever (0 here), 1 counts as 2. */
function connectTimeoutMillis(seconds: number): number {
  return seconds <= 0 ? 0 : Math.max(seconds, 2) * 1000;
}

/** node-postgres settings from libpq keywords; unknown keywords and bad values are errors naming the keyword. */
function fromKeywords(given: Record<string, string>): pg.ClientConfig {
  // a service's keywords fill in what the string does not set (libpq)
  const service = given.service ?? process.env.PGSERVICE;
  const kw = service ? { ...serviceKeywords(service), ...given } : given;
  delete kw.service;
  const cfg: pg.ClientConfig = {};
  for (const [k, v] of Object.entries(kw)) {
    switch (k) {
      case "dbname": cfg.database = v; break;
      case "host": case "hostaddr":
        if (v.includes(",")) throw new Error(`${k}: several hosts are not supported, not "${v}"`);
        break;
      case "port": {
        if (v.includes(",")) throw new Error(`port: several ports are not supported, not "${v}"`);
        const n = Number(v);
        if (!/^\s*\d+\s*$/.test(v) || n < 1 || n > 65535) throw new Error(portProblem(v));
        cfg.port = n;
        break;
      }
      case "user": cfg.user = v; break;
      case "password": cfg.password = v; break;
      case "application_name": cfg.application_name = v; break;
      case "fallback_application_name": cfg.fallback_application_name = v; break;
      case "client_encoding": cfg.client_encoding = v; break;
      case "options": cfg.options = v; break;
      case "connect_timeout": cfg.connectionTimeoutMillis = connectTimeoutMillis(wholeSeconds(k, v)); break;
      case "keepalives":
        if (!/^[01]$/.test(v)) throw new Error(`keepalives must be 0 or 1, not "${v}"`);
        cfg.keepAlive = v === "1";
        break;
      case "keepalives_idle": cfg.keepAliveInitialDelayMillis = Math.max(0, wholeSeconds(k, v)) * 1000; break;
      case "sslmode": case "sslrootcert": case "sslcert": case "sslkey":
        break;
      default:
        throw new Error(UNSUPPORTED.has(k)
          ? `connection parameter "${k}" is not supported`
          : `unknown connection parameter "${k}"`);
    }
  }
  if (cfg.connectionTimeoutMillis === undefined) {
    const env = process.env.PGCONNECT_TIMEOUT;
    cfg.connectionTimeoutMillis = connectTimeoutMillis(env ? wholeSeconds("PGCONNECT_TIMEOUT", env) : DEFAULT_CONNECT_TIMEOUT_SECONDS);
  }
  // libpq's host is both where to connect and the name the certificate must
  // carry; with hostaddr, hostaddr is where to connect.
  const host = kw.host || undefined;
  const addr = kw.hostaddr || undefined;
  if (addr !== undefined || host !== undefined) cfg.host = addr ?? host;
  return withSsl(cfg, kw, addr !== undefined && host !== undefined && !host.startsWith("/") ? host : undefined);
}

function readFileFor(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** ssl: false and the negotiating socket, from sslmode (or PGSSLMODE; default prefer) and the certificate files. */
function withSsl(cfg: pg.ClientConfig, kw: Record<string, string>, name: string | undefined): pg.ClientConfig {
  const env = (k: string) => process.env[k] || undefined;
  const modeFrom = kw.sslmode !== undefined ? "sslmode" : env("PGSSLMODE") !== undefined ? "PGSSLMODE" : undefined;
  const mode = (kw.sslmode ?? env("PGSSLMODE") ?? "prefer") as SslMode;
  if (!SSL_MODES.includes(mode)) throw new Error(`${modeFrom} must be one of ${SSL_MODES.join(", ")}, not "${mode}"`);
  if (mode === "disable") return { ...cfg, ssl: false };
  const home = (f: string) => join(homedir(), ".postgresql", f);
  const rootcert = kw.sslrootcert ?? env("PGSSLROOTCERT");
  const options: tls.ConnectionOptions = {};
  let verify: SslSettings["verify"] = "none";
  if (mode === "verify-full") verify = "full";
  else if (mode === "verify-ca") verify = "ca";
  // libpq: require verifies the CA when a root certificate is there
  else if (mode === "require" && (rootcert !== undefined || existsSync(home("root.crt")))) verify = "ca";
  if (verify !== "none" && rootcert !== "system") {
    const file = rootcert ?? home("root.crt");
    if (rootcert === undefined && !existsSync(file)) {
      throw new Error(`sslmode ${mode} needs the server's root certificate: set sslrootcert=FILE (or sslrootcert=system), or put it in ${file}`);
    }
    options.ca = readFileFor("sslrootcert", file);
  }
  const cert = kw.sslcert ?? env("PGSSLCERT") ?? (existsSync(home("postgresql.crt")) ? home("postgresql.crt") : undefined);
  const key = kw.sslkey ?? env("PGSSLKEY") ?? (existsSync(home("postgresql.key")) ? home("postgresql.key") : undefined);
  if (cert !== undefined) options.cert = readFileFor("sslcert", cert);
  if (key !== undefined) options.key = readFileFor("sslkey", key);
  const settings: SslSettings = { mode, verify, tls: options, name };
  return { ...cfg, ssl: false, stream: () => new NegotiatingSocket(settings) };
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

/**
 * What stands between the tools and the server.  "none": the server itself
 * (or a pooler that passes startup options on): search_path, DateStyle and
 * IntervalStyle are fixed for the session by startup options
 * (safeSession).  "session": a pooler in session mode (PgBouncer's
 * pool_mode = session), which refuses startup options: the same settings
 * are SET once after connecting; LISTEN works.  "transaction": a pooler in
 * transaction mode, where each transaction may run on another server
 * session: nothing is left in the session, every transaction of a
 * SafeClient starts with SET LOCAL of the three, a statement outside a
 * transaction gets one of its own, and the tools poll instead of
 * LISTENing.
 */
export const POOLERS = ["none", "session", "transaction"] as const;
export type Pooler = (typeof POOLERS)[number];

const PINNED = ["search_path = pg_catalog, pg_temp", "datestyle = ISO", "intervalstyle = postgres"];
const SET_SESSION = PINNED.map((s) => `set ${s}`).join("; ");
const SET_LOCAL = PINNED.map((s) => `set local ${s}`).join("; ");

/** Settings of a SafeClient: a node-postgres client's, and what stands in between. */
export type SafeClientConfig = pg.ClientConfig & { pooler?: Pooler };

/**
 * A client whose statements run with search_path pg_catalog, pg_temp (and
 * the fixed DateStyle and IntervalStyle) however it reaches the server: see
 * Pooler.  pg.Pool takes it as its Client (with pooler among the pool's
 * settings).  In transaction mode only the promise and callback forms of
 * query(text or {text}, values) are pinned; VACUUM and ANALYZE, which cannot
 * run in a transaction, go as they are (the tools name their tables with
 * their schema).
 */
export class SafeClient extends pg.Client {
  readonly pooler: Pooler;
  /** Inside a transaction this client began (transaction mode). */
  private inTx = false;
  /** Statements given a transaction of their own run one after another. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(cfg: SafeClientConfig) {
    const { pooler = "none", ...rest } = cfg;
    super(pooler === "none" ? safeSession(rest) : rest);
    this.pooler = pooler;
  }

  /** Whether LISTEN/NOTIFY can be relied on (not through a transaction pooler). */
  get canListen(): boolean {
    return this.pooler !== "transaction";
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
  override connect(callback?: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): Promise<pg.Client> | void {
    const p = super.connect().catch((err: unknown) => {
      // a protocol violation at startup: PgBouncer refusing the startup
      // parameter options (1.18: "unsupported startup parameter: options")
      if (this.pooler === "none" && err instanceof pg.DatabaseError && err.code === "08P01") {
        err.message += " (through a connection pooler? set pooler to session or transaction)";
      }
      throw err;
    }).then(async () => {
      if (this.pooler === "session") {
        try {
          await super.query(SET_SESSION);
        } catch (err) {
          await this.end().catch(() => undefined);
          throw err;
        }
      }
      return this as pg.Client;
    });
    if (!callback) return p;
    const cb = callback as (err: Error | null, c?: pg.Client) => void;
    p.then((c) => cb(null, c), (err: Error) => cb(err));
  }

  override query(...args: any[]): any {
    const first: unknown = args[0];
    const text = typeof first === "string" ? first
      : typeof first === "object" && first !== null && typeof (first as { submit?: unknown }).submit !== "function"
        && typeof (first as { text?: unknown }).text === "string" ? (first as { text: string }).text : undefined;
    const raw = (...a: any[]): any => (super.query as (...x: unknown[]) => unknown).apply(this, a);
    if (this.pooler !== "transaction" || text === undefined) return raw(...args);
    const callback = typeof args[args.length - 1] === "function" ? args.pop() as (e: unknown, r?: unknown) => void : undefined;
    const p = this.pinned(first, args[1], text, raw as (q: unknown, v?: unknown) => Promise<pg.QueryResult>);
    if (!callback) return p;
    p.then((r) => callback(null, r), (e: unknown) => callback(e));
    return undefined;
  }

  private async pinned(q: unknown, values: unknown, text: string,
                       raw: (q: unknown, v?: unknown) => Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    if (/^\s*(begin|start\s+transaction)\b/i.test(text) && values === undefined) {
      let r: unknown;
      try {
        r = await raw(`${text}; ${SET_LOCAL}`);
      } catch (err) {
        // no half-begun transaction is left for the caller, who saw BEGIN fail
        await raw("rollback").catch(() => undefined);
        throw err;
      }
      this.inTx = true;
      return (Array.isArray(r) ? r[0] : r) as pg.QueryResult;
    }
    if (/^\s*(commit|end|rollback|abort)\b/i.test(text) && !/^\s*rollback(\s+(work|transaction))?\s+to\b/i.test(text)) {
      try {
        return await raw(q, values);
      } finally {
        this.inTx = false;
      }
    }
    if (this.inTx || /^\s*(vacuum|analyze)\b/i.test(text)) return raw(q, values);
    const run = this.chain.then(async () => {
      await raw(`begin; ${SET_LOCAL}`);
      try {
        const r = await raw(q, values);
        await raw("commit");
        return r;
      } catch (err) {
        await raw("rollback").catch(() => undefined);
        throw err;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
