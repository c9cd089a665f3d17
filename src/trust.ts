// Whom the tools trust in a database: a superuser, or the role they are
// connected as.  A schema pgq (or pgq_ext) that anyone else owns, or whose
// functions, tables, types, operators or table triggers anyone else owns,
// is not pgq but somebody's trap: a superuser daemon calling its
// pgq.ticker() would run that role's code with superuser rights.  The
// checks read pg_catalog only; nothing in the schema is called.
import type pg from "pg";
import { sql } from "./sql.js";

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
 * it) cannot be trusted, or undefined.  An unqualified name is looked up in
 * pg_catalog only (the sessions' search_path), which is trusted.
 */
export async function untrustedFunction(c: pg.ClientBase, parts: readonly string[]): Promise<string | undefined> {
  if (parts.length === 1) return undefined;
  if (parts.length !== 2) return `function name ${parts.join(".")} is not schema.function`;
  return describe((await c.query(sql.untrustedFunction, [parts[0], parts[1]])).rows[0] as Row | undefined);
}
