-- Schema of pgq_coop.  It has no tables of its own: a subconsumer is a pgq
-- consumer named '<consumer>.<subconsumer>' whose pgq.subscription row
-- shares sub_id with the main consumer's row (as in PgQ's pgq_coop, so
-- pgq.get_consumer_info, pgq.unregister_consumer, pgq_node and londiste
-- read it the same way).  While a subconsumer holds no batch, its
-- sub_last_tick and sub_next_tick are NULL; while it holds one they are the
-- batch's ticks.  The main consumer's row holds the position up to which
-- batches have been handed out.

create schema pgq_coop;
