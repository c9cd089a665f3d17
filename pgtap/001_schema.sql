-- Catalog shape: what PgQ clients read directly must be where they expect it.
select * from no_plan();

select has_schema('pgq');
select tables_are('pgq', array['consumer', 'queue', 'tick', 'subscription',
                               'event_template', 'retry_queue', 'dead_letter']);
select sequences_are('pgq', array['batch_id_seq', 'consumer_co_id_seq', 'dead_letter_dl_id_seq',
                                  'queue_queue_id_seq', 'subscription_sub_id_seq']);

select columns_are('pgq', 'queue', array[
    'queue_id', 'queue_name', 'queue_ntables', 'queue_cur_table', 'queue_rotation_period',
    'queue_switch_step1', 'queue_switch_step2', 'queue_switch_time', 'queue_external_ticker',
    'queue_disable_insert', 'queue_ticker_paused', 'queue_ticker_max_count',
    'queue_ticker_max_lag', 'queue_ticker_idle_period', 'queue_per_tx_limit',
    'queue_data_pfx', 'queue_event_seq', 'queue_tick_seq', 'queue_extra_maint',
    'queue_max_retries', 'queue_ticker_on_demand']);
select is((select array_agg(attname::text order by attnum) from pg_attribute
            where attrelid = 'pgq.queue'::regclass and attnum > (select attnum from pg_attribute
                where attrelid = 'pgq.queue'::regclass and attname = 'queue_extra_maint')),
          array['queue_max_retries', 'queue_ticker_on_demand'],
          '4.1''s columns (queue_max_retries, queue_ticker_on_demand) come after PgQ''s');
select col_is_null('pgq', 'queue', 'queue_ticker_on_demand', 'ticker_on_demand nullable ...');
select col_hasnt_default('pgq', 'queue', 'queue_ticker_on_demand', '... and NULL (off: PgQ''s ticker rule) by default');
select col_is_null('pgq', 'queue', 'queue_max_retries', 'max_retries nullable ...');
select col_hasnt_default('pgq', 'queue', 'queue_max_retries', '... and NULL (no limit) by default');
select col_default_is('pgq', 'queue', 'queue_ticker_max_count', '500', 'default ticker_max_count');
select col_default_is('pgq', 'queue', 'queue_ticker_max_lag', '00:00:03'::interval::text, 'default ticker_max_lag');
select col_default_is('pgq', 'queue', 'queue_ticker_idle_period', '00:01:00'::interval::text, 'default ticker_idle_period');
select col_default_is('pgq', 'queue', 'queue_rotation_period', '02:00:00'::interval::text, 'default rotation_period');
select col_is_null('pgq', 'queue', 'queue_per_tx_limit', 'per_tx_limit nullable');
select col_type_is('pgq', 'queue', 'queue_switch_step1', 'bigint', 'step1 is bigint');

select columns_are('pgq', 'tick', array['tick_queue', 'tick_id', 'tick_time', 'tick_snapshot', 'tick_event_seq']);
select col_type_is('pgq', 'tick', 'tick_snapshot', 'txid_snapshot', 'tick_snapshot is txid_snapshot');
select col_is_pk('pgq', 'tick', array['tick_queue', 'tick_id']::name[], 'tick pkey');

select columns_are('pgq', 'subscription', array['sub_id', 'sub_queue', 'sub_consumer',
    'sub_last_tick', 'sub_active', 'sub_batch', 'sub_next_tick']);
select col_is_pk('pgq', 'subscription', array['sub_queue', 'sub_consumer']::name[], 'subscription pkey');
select col_is_null('pgq', 'subscription', 'sub_last_tick', 'sub_last_tick nullable (coop)');
select col_is_unique('pgq', 'subscription', array['sub_batch']::name[], 'sub_batch unique');
select index_is_unique('pgq', 'subscription', 'subscription_batch_idx');

select columns_are('pgq', 'consumer', array['co_id', 'co_name']);
select col_is_unique('pgq', 'consumer', array['co_name']::name[], 'co_name unique');

-- the PgQ columns, in PgQ's order, then the two routing columns
select is(array(select attname::text from pg_attribute
                 where attrelid = 'pgq.event_template'::regclass and attnum > 0 and not attisdropped
                 order by attnum),
          array['ev_id', 'ev_time', 'ev_txid', 'ev_owner', 'ev_retry', 'ev_type', 'ev_data',
                'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4', 'ev_queue', 'ev_table'],
          'event_template columns');
select col_type_is('pgq', 'event_template', 'ev_txid', 'bigint', 'ev_txid is bigint');
select col_default_is('pgq', 'event_template', 'ev_txid', 'txid_current()', 'ev_txid default');

select columns_are('pgq', 'retry_queue', array['ev_retry_after', 'ev_queue', 'ev_id', 'ev_time',
    'ev_txid', 'ev_owner', 'ev_retry', 'ev_type', 'ev_data', 'ev_extra1', 'ev_extra2',
    'ev_extra3', 'ev_extra4']);
select col_is_pk('pgq', 'retry_queue', array['ev_owner', 'ev_id']::name[], 'retry_queue pkey');
select col_not_null('pgq', 'retry_queue', 'ev_owner', 'ev_owner not null');
select col_is_null('pgq', 'retry_queue', 'ev_txid', 'ev_txid nullable');
select has_index('pgq', 'retry_queue', 'rq_retry_idx', 'ev_retry_after'::name, 'rq_retry_idx');
select fk_ok('pgq', 'retry_queue', 'ev_queue', 'pgq', 'queue', 'queue_id');

-- dead letters (4.1, not in PgQ)
select columns_are('pgq', 'dead_letter', array['dl_id', 'dl_queue', 'dl_consumer', 'dl_time', 'dl_retry_count',
    'dl_reason', 'ev_id', 'ev_time', 'ev_txid', 'ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4']);
select col_is_pk('pgq', 'dead_letter', 'dl_id', 'dead_letter pkey');
select col_is_unique('pgq', 'dead_letter', array['dl_queue', 'dl_consumer', 'ev_id']::name[], 'one dead letter per event and consumer');
select fk_ok('pgq', 'dead_letter', 'dl_queue', 'pgq', 'queue', 'queue_id');

-- extension packaging
select is((select count(*)::int from pg_extension e, unnest(e.extconfig) where e.extname = 'pgq'),
          9, 'nine tables and sequences are marked for pg_dump');
select is((select extversion from pg_extension where extname = 'pgq'),
          (select default_version from pg_available_extensions where name = 'pgq'), 'extension version');
select is(pgq.version(), (select default_version from pg_available_extensions where name = 'pgq'), 'version()');

-- roles made by upgrade_schema
select has_role('pgq_reader');
select has_role('pgq_writer');
select has_role('pgq_admin');
select is_member_of('pgq_reader', 'pgq_admin');
select is_member_of('pgq_writer', 'pgq_admin');
select is(pgq.upgrade_schema(), 0, 'upgrade_schema() is idempotent and returns 0');

-- every SECURITY DEFINER function pins its search_path
select is(array(select p.oid::regprocedure::text from pg_proc p
                 where p.pronamespace = 'pgq'::regnamespace and p.prosecdef
                   and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')),
          '{}'::text[], 'no SECURITY DEFINER function without SET search_path');

select * from finish();
