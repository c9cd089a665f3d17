// Exactly once into a target database (pgq_ext): the Consumer's batch and
// tick tracking, queue_splitter's moves.
export const pgqExt = {
  isBatchDone: "select pgq_ext.is_batch_done($1, $2) as done",
  setBatchDone: "select pgq_ext.set_batch_done($1, $2) as ok",
  // tick tracking: whether the batch prev..cur is applied (true), next
  // (false), or out of step with the target (PQ011): the one rule, in SQL
  isTickDone: "select pgq_ext.is_tick_done($1, $2, $3) as done",
  setLastTick: "select pgq_ext.set_last_tick($1, $2) as ok",
  // exactly once for subconsumers: done when any of the names (this one
  // and the peers whose batches it may take over) recorded it
  isBatchDoneAny:
    "select coalesce(pg_catalog.bool_or(pgq_ext.is_batch_done($1, s, $3)), false) as done from pg_catalog.unnest($2::text[]) s",
  setBatchDoneSub: "select pgq_ext.set_batch_done($1, $2, $3) as ok",
  lastTicksAny: "select pgq_ext.get_last_tick($1, s)::text as tick_id from pg_catalog.unnest($2::text[]) s",
  setLastTickSub: "select pgq_ext.set_last_tick($1, $2, $3) as ok",
  // perEvent in exactly-once mode: one event's writes in the target
  eventSavepoint: "savepoint pgq_event",
  eventRelease: "release savepoint pgq_event",
  eventRollback: "rollback to savepoint pgq_event",
  // queue_splitter, source and target one database: one batch moved in SQL
  queueSplitterLocal: "select pgq_ext.queue_splitter_local($1, $2, $3, $4) as moved",
  // queue_splitter, two databases: one batch's events applied on the
  // target, sorted by target queue (4.1: routes, a count per route, then the
  // events' columns)
  hasGroupedSplitterApply:
    "select pg_catalog.to_regprocedure('pgq_ext.queue_splitter_apply(text, bigint, bigint, boolean, text[], int4[], bigint[]," +
    " timestamptz[], text[], text[], text[], text[], text[], text[])') is not null as has",
  queueSplitterApplyGrouped:
    "select pgq_ext.queue_splitter_apply($1, $2, $3, $4, $5::text[], $6::int4[], $7::bigint[], $8::timestamptz[]," +
    " $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[]) as moved",
  // the same against a 4.0 target: each event's route beside it, unsorted
  queueSplitterApply:
    "select pgq_ext.queue_splitter_apply($1, $2, $3, $4, $5::text[], $6::bigint[], $7::timestamptz[], $8::text[]," +
    " $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) as moved",
} as const;
