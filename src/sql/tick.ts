// Ticking: the ticker of pgq-runner and pgqadm, PgqClient's tick calls,
// and the notifications that wake consumers and the on-demand ticker.
export const tick = {
  ticker: "select pgq.ticker() as ticks",
  tickerQueue: "select pgq.ticker($1) as tick_id",
  forceTick: "select pgq.force_tick($1) as tick_id",
  // On-demand ticking (pgq 4.1): producers of a queue with
  // queue_ticker_on_demand NOTIFY this channel with the queue's name.
  listenNewEvents: "listen pgq_new_events",
  // Ticks such a queue if it is due; when it is not (its newest tick is
  // younger than queue_ticker_on_demand), how many seconds until it is.
  // No row for a queue that is gone, not on demand, paused or external.
  tickOnDemand:
    "select t.tick_id, case when t.tick_id is null then pg_catalog.date_part('epoch', q.queue_ticker_on_demand" +
    " operator(pg_catalog.-) (pg_catalog.now() operator(pg_catalog.-) (select pg_catalog.max(k.tick_time) from pgq.tick k" +
    " where k.tick_queue operator(pg_catalog.=) q.queue_id))) end as wait_s" +
    " from pgq.queue q, lateral (select pgq.ticker(q.queue_name) as tick_id) t" +
    " where q.queue_name operator(pg_catalog.=) $1 and q.queue_ticker_on_demand is not null" +
    " and not q.queue_external_ticker and not q.queue_ticker_paused",
  tickChannel: "select pgq._tick_channel($1) as channel",
  hasTickChannel: "select pg_catalog.to_regprocedure('pgq._tick_channel(text)') is not null as has",
} as const;
