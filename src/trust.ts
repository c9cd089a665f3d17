// Whom the tools trust in a database: a superuser, or the role they are
// connected as.  A schema pgq (or pgq_ext) that anyone else owns, or whose
// functions, tables, types, operators or table triggers anyone else owns,
// is not pgq but somebody's trap: a superuser daemon calling its
// pgq.ticker() would run that role's code with superuser rights.  The
// checks read pg_catalog only; nothing in the schema is called.
import type pg from "pg";
import { sql } from "./sql/index.js";

interface Row {
  kind: string;
  name: string;
  owner: string;
}

const describe = (row: Row | undefined) => (row ? `${row.kind} ${row.name} owned by untrusted role ${row.owner}` : undefined);

/**
 * Why the schemas cannot be trusted ("schema pgq owned by untrusted role
 * x"), or undefined when every object in them is a superuser's or ours
 * (also when they do not exist).
 */
export async function untrustedSchemas(c: pg.ClientBase, schemas: readonly string[]): Promise<string | undefined> {
  return describe((await c.query(sql.untrustedObject, [schemas])).rows[0] as Row | undefined);
}

/**
 * Why the function a maintenance row names ("schema.name", as pgqd calls
 * it) must not be called, or undefined.  The call passes a queue's name,
 * which pgq_admin chooses, so a trusted owner is not enough: pg_catalog (and
 * extensions) have superuser-owned functions that run their text argument
 * as SQL (ts_stat) or act on files and backends with it.  A maintenance
 * function is schema-qualified (a bare name would be found in pg_catalog,
 * the sessions' search_path), outside pg_catalog and information_schema,
 * returns an integer, and it and its schema belong to a superuser or the
 * role connected as.  pgq 4.1's maint_operations() hands out only such
 * functions; PgQ 3.5's and pgq 4.0's hand out whatever queue_extra_maint
 * holds.
 */
export async function untrustedFunction(c: pg.ClientBase, parts: readonly string[]): Promise<string | undefined> {
  if (parts.length === 1) return "not schema-qualified (it would be pg_catalog's)";
  if (parts.length !== 2) return `function name ${parts.join(".")} is not schema.function`;
  if (parts[0] === "pg_catalog" || parts[0] === "information_schema") return `${parts[0]} has no maintenance functions`;
  const bad = describe((await c.query(sql.untrustedFunction, [parts[0], parts[1]])).rows[0] as Row | undefined);
  if (bad) return bad;
  const unfit = (await c.query(sql.unfitMaintFunction, [parts[0], parts[1]])).rows[0] as { name: string; returns: string } | undefined;
  return unfit ? `function ${unfit.name} returns ${unfit.returns}, not an integer: no maintenance function` : undefined;
}
