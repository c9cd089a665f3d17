// queue_splitter's batch handler, for the CLI and the benchmark: the
// batch's events, sorted by target queue here, in one call of
// pgq_ext.queue_splitter_apply on the target, inside the target transaction
// the Consumer gives it (a target whose pgq_ext is still 4.0 gets them as
// that version's nine arrays, unsorted).
import pg from "pg";
import type { Batch, PgqEvent } from "./consumer/consumer.js";
import type { Logger } from "./log.js";
import { sql } from "./sql/index.js";

export interface SplitOptions {
  /** consumer name, also the key of the tick recorded in pgq_ext */
  consumer: string;
  /** the event field that names the target queue */
  field: keyof PgqEvent;
  /** skip events with bad routing (with a warning) instead of stopping */
  skipBad: boolean;
  log?: Logger;
  ctx?: Record<string, string>;
}

/**
 * Events per FETCH for the splitter's Consumer: the handler holds the whole
 * batch anyway, and each FETCH is a round trip (the Consumer's default is
 * 300).
 */
export const SPLIT_FETCH_SIZE = 5000;

/**
 * node-postgres type parsers for the splitter's source connection (the
 * Consumer's connection.types): a timestamptz (ev_time) stays the text
 * PostgreSQL sent, which the target reads back to the microsecond (the
 * tools pin DateStyle to ISO), instead of becoming a Date (milliseconds;
 * parsing it cost about a tenth of a move).
 */
export const SPLIT_SOURCE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.TIMESTAMPTZ && format !== "binary" ? (v: string) => v : pg.types.getTypeParser(oid, format)) as
    pg.CustomTypesConfig["getTypeParser"],
};

/**
 * An ev_time as PostgreSQL reads it back unchanged (as node-postgres would
 * send it): ISO 8601 in UTC, years before 1 as BC, and node-postgres'
 * Infinity for infinity.
 */
function pgTime(t: unknown): unknown {
  // (text from SPLIT_SOURCE_TYPES goes as it came)
  if (typeof t === "number") return t > 0 ? "infinity" : t < 0 ? "-infinity" : t;
  if (!(t instanceof Date) || Number.isNaN(t.getTime())) return t;
  const y = t.getUTCFullYear();
  if (y >= 1 && y <= 9999) return t.toISOString();
  const iso = new Date(t.getTime());
  iso.setUTCFullYear(2000); // only the year changes: month, day and time come from here
  const year = String(y < 1 ? 1 - y : y).padStart(4, "0");
  return `${year}${iso.toISOString().slice(4)}${y < 1 ? " BC" : ""}`;
}

/**
 * A text[] literal of the values (strings or NULL), every element quoted:
 * node-postgres would build the same, more slowly (it checks each
 * element's type and escapes it with two replaces).
 */
function textArray(xs: unknown[]): string {
  const out: string[] = new Array<string>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === null || x === undefined) out[i] = "NULL";
    else {
      const t = String(x);
      out[i] = /["\\]/.test(t) ? `"${t.replace(/["\\]/g, "\\$&")}"` : `"${t}"`;
    }
  }
  return `{${out.join(",")}}`;
}

export function splitBatch(o: SplitOptions): (batch: Batch) => Promise<void> {
  const hooked = new WeakSet<pg.Client>();
  // per target connection: whether its pgq_ext has the 4.1 form
  const groupedForm = new WeakMap<pg.Client, boolean>();
  return async (batch: Batch): Promise<void> => {
    const evs: PgqEvent[] = [];
    for await (const chunk of batch.events()) evs.push(...chunk);
    const dst = batch.target!;
    if (o.log && !hooked.has(dst)) {
      // queue_splitter_apply's warnings (skipped events) become log lines
      const log = o.log;
      dst.on("notice", (n) => log.warning(n.message ?? String(n), o.ctx));
      hooked.add(dst);
    }
    let grouped = groupedForm.get(dst);
    if (grouped === undefined) {
      grouped = (await dst.query(sql.hasGroupedSplitterApply)).rows[0].has as boolean;
      groupedForm.set(dst, grouped);
    }
    const { prev_tick_id: prevTick, cur_tick_id: curTick } = batch.info;
    let r: pg.QueryResult;
    if (grouped) {
      // by target, in the order of each one's first event (a Map keeps
      // insertion order), each target's events in batch order
      const groups = new Map<unknown, PgqEvent[]>();
      for (const e of evs) {
        const route = e[o.field] ?? null;
        const g = groups.get(route);
        if (g) g.push(e);
        else groups.set(route, [e]);
      }
      const sorted = [...groups.values()].flat();
      const col = (f: (e: PgqEvent) => unknown) => textArray(sorted.map(f));
      r = await dst.query(sql.queueSplitterApplyGrouped,
        [o.consumer, prevTick, curTick, o.skipBad, textArray([...groups.keys()]), `{${[...groups.values()].map((g) => g.length).join(",")}}`,
          col((e) => e.ev_id), col((e) => pgTime(e.ev_time)), col((e) => e.ev_type), col((e) => e.ev_data),
          col((e) => e.ev_extra1), col((e) => e.ev_extra2), col((e) => e.ev_extra3), col((e) => e.ev_extra4)],
      );
    } else {
      const col = <K extends keyof PgqEvent>(k: K) => evs.map((e) => e[k]);
      r = await dst.query(sql.queueSplitterApply,
        [o.consumer, prevTick, curTick, o.skipBad, col(o.field), col("ev_id"), col("ev_time"), col("ev_type"),
          col("ev_data"), col("ev_extra1"), col("ev_extra2"), col("ev_extra3"), col("ev_extra4")],
      );
    }
    const moved = Number(r.rows[0].moved);
    const { batch_id: id, prev_tick_id: prev, cur_tick_id: cur } = batch.info;
    if (moved < 0) o.log?.info(`batch ${id} (ticks ${prev}..${cur}) was applied already, skipped`, o.ctx);
    else o.log?.debug(`batch ${id}: moved ${moved} events`, o.ctx);
  };
}
