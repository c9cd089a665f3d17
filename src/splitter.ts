// queue_splitter's batch handler, for the CLI and the benchmark: the
// batch's events in one call of pgq_ext.queue_splitter_apply on the target,
// inside the target transaction the Consumer gives it.
import type pg from "pg";
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

export function splitBatch(o: SplitOptions): (batch: Batch) => Promise<void> {
  const hooked = new WeakSet<pg.Client>();
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
    const col = <K extends keyof PgqEvent>(k: K) => evs.map((e) => e[k]);
    const r = await dst.query(sql.queueSplitterApply,
      [o.consumer, batch.info.prev_tick_id, batch.info.cur_tick_id, o.skipBad, col(o.field), col("ev_id"),
        col("ev_time"), col("ev_type"), col("ev_data"), col("ev_extra1"), col("ev_extra2"), col("ev_extra3"), col("ev_extra4")],
    );
    const moved = Number(r.rows[0].moved);
    const { batch_id: id, prev_tick_id: prev, cur_tick_id: cur } = batch.info;
    if (moved < 0) o.log?.info(`batch ${id} (ticks ${prev}..${cur}) was applied already, skipped`, o.ctx);
    else o.log?.debug(`batch ${id}: moved ${moved} events`, o.ctx);
  };
}
