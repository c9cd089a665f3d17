// Queue administration: queues, their settings, consumer registration,
// dead letters; PgqClient and pgqadm run these.
export const queue = {
  version: "select pgq.version() as version",
  createQueue: "select pgq.create_queue($1) as created",
  dropQueue: "select pgq.drop_queue($1, $2) as dropped",
  setQueueConfig: "select pgq.set_queue_config($1, $2, $3) as ok",
  queueInfo: "select * from pgq.get_queue_info($1::text)",
  consumerInfo: "select * from pgq.get_consumer_info($1::text, $2::text)",
  // pgqadm create: many queues in one statement, each name with what
  // create_queue said (1 created, 0 existed), in the order given
  createQueues:
    "select n as name, pgq.create_queue(n) as created from pg_catalog.unnest($1::text[]) with ordinality u(n, o) order by o",
  // pgqadm drop: the queue's id (its event tables are pgq.event_<id>), and
  // whether this pgq can drop emptied storage at once (4.1)
  queueId: "select queue_id from pgq.queue where queue_name = $1",
  hasMaintDropStorage: "select pg_catalog.to_regprocedure('pgq.maint_drop_storage(text)') is not null as has",
  maintDropStorage: "select pgq.maint_drop_storage($1) as dropped",
  relationExists: "select pg_catalog.to_regclass($1) is not null as exists",
  // pgqadm config: each queue's settings; max_retries and ticker_on_demand
  // are pgq 4.1's pgq.queue columns (NULL on PgQ 3.5, which has none)
  queueConfig: `
    select i.queue_name, i.queue_ticker_max_count, i.queue_ticker_max_lag::text, i.queue_ticker_idle_period::text,
           i.queue_rotation_period::text,
           (select pg_catalog.to_jsonb(q) ->> 'queue_max_retries' from pgq.queue q
             where q.queue_name = i.queue_name) as max_retries,
           (select (pg_catalog.to_jsonb(q) ->> 'queue_ticker_on_demand')::interval::text from pgq.queue q
             where q.queue_name = i.queue_name) as ticker_on_demand
      from pgq.get_queue_info($1::text) i order by i.queue_name`,
  registerConsumer: "select pgq.register_consumer($1, $2) as created",
  registerConsumerAt: "select pgq.register_consumer_at($1, $2, $3) as created",
  unregisterConsumer: "select pgq.unregister_consumer($1, $2) as removed",

  // Dead letters (pgq 4.1)
  deadLetters: "select * from pgq.get_dead_letters($1, $2::text)",
  replayDeadLetters: "select pgq.replay_dead_letters($1, $2, $3::bigint) as n",
  purgeDeadLetters: "select pgq.purge_dead_letters($1, $2::text, $3::bigint) as n",
} as const;
