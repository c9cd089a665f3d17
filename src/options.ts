// Checks of the driver's constructor options: every problem at once, in one
// error thrown by the constructor, instead of a consumer that quietly does
// the wrong thing (fetchSize 0 finished batches without delivering them; a
// poll interval above 2^31-1 ms fired every millisecond).
import { MAX_TIMER_MS } from "./config.js";
import { clientConfig } from "./db.js";

/** A constructor option the driver cannot work with. */
export class InvalidOptionError extends TypeError {
  readonly problems: string[];
  constructor(where: string, problems: string[]) {
    super(`${where}: bad options: ${problems.join("; ")}`);
    this.name = "InvalidOptionError";
    this.problems = problems;
  }
}

export type Check = (value: unknown, key: string) => string | undefined;

const describe = (v: unknown) =>
  typeof v === "string" ? JSON.stringify(v) : typeof v === "number" ? String(v) : v === null ? "null" : typeof v;

export const check = {
  string: ((v, k) => (typeof v === "string" && v !== "" ? undefined : `${k} must be a non-empty string, not ${describe(v)}`)) as Check,
  text: ((v, k) => (typeof v === "string" ? undefined : `${k} must be a string, not ${describe(v)}`)) as Check,
  bool: ((v, k) => (typeof v === "boolean" ? undefined : `${k} must be true or false, not ${describe(v)}`)) as Check,
  func: ((v, k) => (typeof v === "function" ? undefined : `${k} must be a function, not ${describe(v)}`)) as Check,
  any: (() => undefined) as Check,
  /** An integer from min to max (default 1 .. 2^31-1, PostgreSQL's int4). */
  int: (min = 1, max = 2 ** 31 - 1): Check => (v, k) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `${k} must be an integer from ${min} to ${max}, not ${describe(v)}`,
  /** Milliseconds for a timer: above 0 (or from 0) up to 2^31-1. */
  ms: (allowZero = false): Check => (v, k) =>
    typeof v === "number" && Number.isFinite(v) && (allowZero ? v >= 0 : v > 0) && v <= MAX_TIMER_MS
      ? undefined
      : `${k} must be a number of milliseconds ${allowZero ? "from 0" : "above 0"} up to ${MAX_TIMER_MS}, not ${describe(v)}`,
  oneOf: (values: readonly string[]): Check => (v, k) =>
    typeof v === "string" && values.includes(v) ? undefined : `${k} must be one of ${values.join(", ")}, not ${describe(v)}`,
  or: (...checks: Check[]): Check => (v, k) => {
    const why = checks.map((c) => c(v, k));
    return why.includes(undefined) ? undefined : why.join(", or ");
  },
};

/**
 * Problems of an options object: keys not in `known`, values their check
 * refuses (undefined values count as not given), and `required` keys that
 * are missing.
 */
export function optionProblems(value: unknown, known: Record<string, Check>, required: string[] = [],
                               name?: string): string[] {
  const prefix = name === undefined ? "" : `${name}.`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [`${name ?? "options"} must be an object, not ${describe(value)}`];
  }
  const problems: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const c = known[k];
    if (!c) problems.push(`${prefix}${k} is not an option (known: ${Object.keys(known).join(", ")})`);
    else if (v !== undefined) {
      const why = c(v, `${prefix}${k}`);
      if (why) problems.push(why);
    }
  }
  for (const k of required) {
    if ((value as Record<string, unknown>)[k] === undefined) problems.push(`${prefix}${k} is required`);
  }
  return problems;
}

const port: Check = (v, k) => {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return check.int(1, 65535)(n, k);
};

/** node-postgres client settings (ClientConfig), with the checks that matter here. */
const CLIENT_KEYS: Record<string, Check> = {
  user: check.text, database: check.text, password: check.or(check.text, check.func), port, host: check.text,
  connectionString: check.text, keepAlive: check.bool, stream: check.any, statement_timeout: check.any,
  ssl: check.any, enableChannelBinding: check.bool, sslnegotiation: check.any, query_timeout: check.ms(true),
  lock_timeout: check.any, keepAliveInitialDelayMillis: check.int(0), idle_in_transaction_session_timeout: check.any,
  application_name: check.text, fallback_application_name: check.text, connectionTimeoutMillis: check.ms(true),
  types: check.any, options: check.text, client_encoding: check.text, pipeline: check.bool, binary: check.bool,
  scramMaxIterations: check.int(1), replication: check.any, connection: check.any, Promise: check.any,
};

/** pg.Pool settings on top of the client's. */
const POOL_KEYS: Record<string, Check> = {
  ...CLIENT_KEYS,
  max: check.int(1), min: check.int(0), idleTimeoutMillis: (v, k) => (v === null ? undefined : check.ms(true)(v, k)),
  log: check.func, allowExitOnIdle: check.bool, maxUses: check.int(1),
  maxLifetimeSeconds: check.int(0, Math.floor(MAX_TIMER_MS / 1000)), Client: check.func, onConnect: check.func,
  verify: check.func,
};

/** Problems of a connection (libpq string or URI, or node-postgres settings). */
export function connectionProblems(value: unknown, key: string, pool = false): string[] {
  if (typeof value === "string") {
    try {
      clientConfig(value);
      return [];
    } catch (err) {
      return [`${key}: ${(err as Error).message}`];
    }
  }
  return optionProblems(value, pool ? POOL_KEYS : CLIENT_KEYS, [], key);
}
