// Every statement the driver runs, named and parameterised.  The driver
// only calls pgq functions; it never writes pgq's tables itself.
export const sql = {
  version: "select pgq.version() as version",
  createQueue: "select pgq.create_queue($1) as created",
  dropQueue: "select pgq.drop_queue($1, $2) as dropped",
  setQueueConfig: "select pgq.set_queue_config($1, $2, $3) as ok",
  queueInfo: "select * from pgq.get_queue_info($1::text)",
  consumerInfo: "select * from pgq.get_consumer_info($1::text, $2::text)",
  insertEvent: "select pgq.insert_event($1, $2, $3, $4, $5, $6, $7) as ev_id",
  insertEvents:
    "select pgq.insert_event($1, e.t, e.d, e.x1, e.x2, e.x3, e.x4) as ev_id" +
    " from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])" +
    " with ordinality as e(t, d, x1, x2, x3, x4, n) order by e.n",
  insertEventsArray: "select pgq.insert_events($1, $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) as ev_id",
  hasInsertEvents:
    "select to_regprocedure('pgq.insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[])') is not null as has",
  registerConsumer: "select pgq.register_consumer($1, $2) as created",
  registerConsumerAt: "select pgq.register_consumer_at($1, $2, $3) as created",
  unregisterConsumer: "select pgq.unregister_consumer($1, $2) as removed",
  ticker: "select pgq.ticker() as ticks",
  tickerQueue: "select pgq.ticker($1) as tick_id",
  forceTick: "select pgq.force_tick($1) as tick_id",
  tickChannel: "select pgq._tick_channel($1) as channel",
  hasTickChannel: "select to_regprocedure('pgq._tick_channel(text)') is not null as has",
  nextBatch: "select * from pgq.next_batch_custom($1, $2, $3::interval, $4::int4, $5::interval)",
  batchCursor: "select * from pgq.get_batch_cursor($1, $2, $3, $4)",
  eventRetry: "select pgq.event_retry($1, $2, $3::integer) as ok",
  finishBatch: "select pgq.finish_batch($1) as ok",
  maintOperations: "select func_name, func_arg from pgq.maint_operations()",
  maintRetry: "select pgq.maint_retry_events() as moved",
  isBatchDone: "select pgq_ext.is_batch_done($1, $2) as done",
  setBatchDone: "select pgq_ext.set_batch_done($1, $2) as ok",
  getLastTick: "select pgq_ext.get_last_tick($1) as tick_id",
  setLastTick: "select pgq_ext.set_last_tick($1, $2) as ok",
} as const;
