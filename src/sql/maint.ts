// Maintenance (pgq-runner, pgqadm ticker): rotation, vacuum and the other
// rows of pgq.maint_operations(), and moving retry events back.
import format from "pg-format";

/** 'schema.name' with each part quoted as an identifier. */
export function quoteName(name: string): string {
  return name.split(".").map((p) => format.ident(p)).join(".");
}

export const maint = {
  hasMaintOperations:
    "select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace" +
    " where n.nspname = 'pgq' and p.proname = 'maint_operations'",
  maintOperations: "select func_name, func_arg from pgq.maint_operations()",
  // what pgqd did before pgq 3.1 had maint_operations: step 1 per queue,
  // step 2, and VACUUM of pgq.maint_tables_to_vacuum()
  maintOperationsBefore31: `
    select 'pgq.maint_rotate_tables_step1' as func_name, queue_name as func_arg from pgq.get_queue_info()
    union all select 'pgq.maint_rotate_tables_step2', null
    union all select 'vacuum', t from pgq.maint_tables_to_vacuum() t`,
  /** A 'vacuum' or 'vacuum analyze' row of maint_operations: the statement, the table quoted. */
  vacuum: (verb: string, table: string): string => `${verb} ${quoteName(table)}`,
  /**
   * A function that a maint_operations row names (checked to be trusted
   * first), called with the row's argument as $1 when it has one.
   */
  maintCall: (fn: string, withArg: boolean): string => `select ${quoteName(fn)}(${withArg ? "$1" : ""}) as r`,
  maintRetry: "select pgq.maint_retry_events() as moved",
} as const;
