// Consuming: batches, their events through a cursor, retries, finishing;
// pgq_coop's subconsumers.
import format from "pg-format";

export const consume = {
  nextBatch: "select * from pgq.next_batch_custom($1, $2, $3::interval, $4::int4, $5::interval)",
  batchCursor: "select * from pgq.get_batch_cursor($1, $2, $3, $4)",
  eventRetry: "select pgq.event_retry($1, $2, $3::integer) as ok",
  finishBatch: "select pgq.finish_batch($1) as ok",
  /** The next rows of the batch cursor. */
  fetchCursor: (rows: number, cursor: string): string => format("fetch %s from %I", rows, cursor),
  closeCursor: (cursor: string): string => format("close %I", cursor),
  /** LISTEN on a channel (the queue's tick channel). */
  listen: (channel: string): string => format("listen %I", channel),
  // Dead letters (pgq 4.1)
  eventRetryReason: "select pgq.event_retry($1, $2, $3::integer, $4::text) as ok",
  eventDead: "select pgq.event_dead($1, $2, $3::text) as ok",

  // Cooperative consumers (pgq_coop): the subconsumer's batch, with what
  // pgq.next_batch_custom would say about it (pgq.get_batch_info, all NULL
  // when there is no batch)
  coopRegister: "select pgq_coop.register_subconsumer($1, $2, $3) as created",
  coopUnregister: "select pgq_coop.unregister_subconsumer($1, $2, $3, $4) as removed",
  coopNextBatch:
    "select b.batch_id, i.tick_id as cur_tick_id, i.prev_tick_id, i.batch_end as cur_tick_time," +
    " i.batch_start as prev_tick_time, i.seq_end as cur_tick_event_seq, i.seq_start as prev_tick_event_seq" +
    " from pgq_coop.next_batch_custom($1, $2, $3, $4::interval, $5::int4, $6::interval, $7::interval) b(batch_id)" +
    " left join lateral pgq.get_batch_info(b.batch_id) i on true",
  // the heartbeat of a subconsumer busy with its batch: next_batch returns
  // the batch it holds and marks it seen; a min_lag no tick can meet keeps
  // it from opening a new one should the batch have been taken over
  coopTouch: "select pgq_coop.next_batch_custom($1, $2, $3, '1000 years', null, null, null) as batch_id",
  coopFinishBatch: "select pgq_coop.finish_batch($1) as ok",
  intervalMs: "select pg_catalog.date_part('epoch', $1::interval) * 1000 as ms",
} as const;
