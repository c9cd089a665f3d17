// Every statement the driver, pgq-runner, pgqadm and queue_splitter run,
// named and parameterised, in one object; the files group them by what
// they serve.  The driver only calls pgq functions; it never writes pgq's
// tables itself.  No SQL naming pgq, pgq_ext or pgq_coop is written
// anywhere else in src/ (test/data-layer.test.ts checks).
import { catalog } from "./catalog.js";
import { consume } from "./consume.js";
import { maint } from "./maint.js";
import { observe } from "./observe.js";
import { pgqExt } from "./pgq_ext.js";
import { produce } from "./produce.js";
import { queue } from "./queue.js";
import { tick } from "./tick.js";

export { quoteName } from "./maint.js";

/** The groups, by concern; no name is in two of them (test/data-layer.test.ts). */
export const groups = { queue, produce, tick, consume, pgqExt, maint, catalog, observe } as const;

export const sql = {
  ...queue,
  ...produce,
  ...tick,
  ...consume,
  ...pgqExt,
  ...maint,
  ...catalog,
  ...observe,
} as const;
