-- Extension mode only: pg_dump dumps the contents of these tables, so a
-- restored database keeps its queues, consumers and positions.  Per-queue
-- tables are not extension members and are dumped as ordinary tables.
select pg_catalog.pg_extension_config_dump('pgq.queue', '');
select pg_catalog.pg_extension_config_dump('pgq.consumer', '');
select pg_catalog.pg_extension_config_dump('pgq.tick', '');
select pg_catalog.pg_extension_config_dump('pgq.subscription', '');
select pg_catalog.pg_extension_config_dump('pgq.event_template', '');
select pg_catalog.pg_extension_config_dump('pgq.retry_queue', '');
select pg_catalog.pg_extension_config_dump('pgq.batch_id_seq', '');
select pg_catalog.pg_extension_config_dump('pgq.dead_letter', '');
select pg_catalog.pg_extension_config_dump('pgq.dead_letter_dl_id_seq', '');
