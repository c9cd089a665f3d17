-- maint_operations and maint_tables_to_vacuum.
select * from no_plan();

select is(pgq.create_queue('qa'), 1, 'qa');
select is(pgq.create_queue('qb'), 1, 'qb');

select is((select count(*)::int from pgq.maint_operations()), 0, 'nothing due right after create');
select is(pgq.set_queue_config(q, 'rotation_period', '0'), 1, q || ' due for rotation')
  from unnest(array['qb', 'qa']) q;
select results_eq($$select func_name, func_arg from pgq.maint_operations()$$,
                  $$values ('pgq.maint_rotate_tables_step1'::text, 'qa'::text),
                           ('pgq.maint_rotate_tables_step1', 'qb'),
                           ('pgq.maint_rotate_tables_step2', null)$$,
                  'step1 per due queue by name, then step2');
select is(pgq.maint_rotate_tables_step1('qa'), 0, 'rotate qa');
select is(pgq.set_queue_config('qb', 'rotation_period', '1 day'), 1, 'qb not due');
select results_eq($$select func_name, func_arg from pgq.maint_operations()$$,
                  $$values ('pgq.maint_rotate_tables_step2'::text, null::text)$$,
                  'step2 alone while a rotation waits for it (qa is not due before step2)');
select is(pgq.maint_rotate_tables_step2(), 0, 'step2');
select is(pgq.set_queue_config('qa', 'rotation_period', '1 day'), 1, 'qa not due');

-- extra maintenance hooks
create function public.hook_a(text) returns int language sql as 'select 0';
create function public.hook_b(text) returns int language sql as 'select 0';
update pgq.queue set queue_extra_maint = array['public.hook_a', 'public.hook_b'] where queue_name = 'qb';
update pgq.queue set queue_extra_maint = array['public.hook_a'] where queue_name = 'qa';
select results_eq($$select func_name, func_arg from pgq.maint_operations()$$,
                  $$values ('public.hook_a'::text, 'qa'::text), ('public.hook_a', 'qb'), ('public.hook_b', 'qb')$$,
                  'queue_extra_maint: each function with its queue, queues by name');
-- the daemon runs these with its own rights: only functions a superuser (or
-- the owner of schema pgq) owns, never temporary ones, never missing ones
drop role if exists tap_untrusted;  -- a run that failed before its end
create role tap_untrusted;
create function public.hook_evil(text) returns int language sql as 'select 0';
alter function public.hook_evil(text) owner to tap_untrusted;
create function pg_temp.hook_temp(text) returns int language sql as 'select 0';
update pgq.queue set queue_extra_maint = array['public.hook_evil', 'public.hook_a', 'public.no_such_hook',
                                               (select nspname from pg_namespace where oid = pg_my_temp_schema()) || '.hook_temp',
                                               'not a (valid name']
 where queue_name = 'qa';
update pgq.queue set queue_extra_maint = null where queue_name = 'qb';
select results_eq($$select func_name, func_arg from pgq.maint_operations()$$,
                  $$values ('public.hook_a'::text, 'qa'::text)$$,
                  'queue_extra_maint: untrusted, temporary, missing and malformed names are left out');
select is(pgq._maint_function('public.hook_evil', '{}', true), null, 'a function of an untrusted owner is not handed out');
select is(pgq._maint_function('public.hook_a', '{}', true), 'public.hook_a', 'a superuser''s function is');
-- the argument is the queue's name, which pgq_admin chooses: superuser-owned
-- functions that run it as SQL (ts_stat) or act with it (lo_import,
-- pg_terminate_backend) are not maintenance functions
create function public.hook_text(text) returns text language sql as 'select $1';
select is(pgq._maint_function(f, '{}', true), null, f || ' is not handed out')
  from unnest(array['pg_catalog.ts_stat', 'ts_stat', 'pg_catalog.lo_import', 'pg_terminate_backend',
                    'pg_catalog.length', 'information_schema._pg_char_octet_length', 'public.hook_text']) f;
update pgq.queue set queue_extra_maint = array['ts_stat', 'pg_catalog.lo_import', 'public.hook_a'] where queue_name = 'qa';
select results_eq($$select func_name, func_arg from pgq.maint_operations()$$,
                  $$values ('public.hook_a'::text, 'qa'::text)$$,
                  'queue_extra_maint: pg_catalog functions and non-integer ones are left out');
update pgq.queue set queue_extra_maint = null;
-- a row of OUT parameters is a maintenance function when the first is an
-- integer (londiste.root_check_seqs), not otherwise, nor a bare record
create function public.hook_row(text, out code int4, out note text) language sql as 'select 0, $1';
create function public.hook_row_text(text, out note text, out code int4) language sql as 'select $1, 0';
create function public.hook_record(text) returns record language sql as 'select row(0)';
select is(pgq._maint_function('public.hook_row', '{}', true), 'public.hook_row', 'OUT parameters, the first an integer: handed out');
select is(pgq._maint_function(f, '{}', true), null, f || ' is not handed out')
  from unnest(array['public.hook_row_text', 'public.hook_record']) f;

-- pgq_node and londiste hooks, when those schemas are there
create schema pgq_node;
create table pgq_node.node_info (queue_name text, node_type text);
insert into pgq_node.node_info values ('qb', 'root'), ('qa', 'branch'), ('qz', 'root');
create function pgq_node.maint_watermark(text) returns int language sql as 'select 0';
create schema londiste;
create table londiste.seq_info (queue_name text, local bool);
insert into londiste.seq_info values ('qb', true), ('qb', true), ('qa', true), ('qz', false);
-- londiste's own signatures: root_check_seqs returns a row (ret_code, ret_note)
create function londiste.root_check_seqs(i_queue_name text, i_buffer int8, out ret_code int4, out ret_note text)
  language sql as 'select 100, ''Sequences updated''::text';
create function londiste.root_check_seqs(i_queue_name text, out ret_code int4, out ret_note text)
  language sql as 'select 100, ''Sequences updated''::text';
create function londiste.periodic_maintenance() returns int language sql as 'select 0';
select results_eq($$select func_name, func_arg from pgq.maint_operations()$$,
                  $$values ('pgq_node.maint_watermark'::text, 'qb'::text),
                           ('pgq_node.maint_watermark', 'qz'),
                           ('londiste.root_check_seqs', 'qb'),
                           ('londiste.periodic_maintenance', null)$$,
                  'watermark per root queue, sequence check per root queue with local sequences, londiste maintenance');
-- a hook whose table belongs to someone else is not trusted either
alter table londiste.seq_info owner to tap_untrusted;
alter function londiste.periodic_maintenance() owner to tap_untrusted;
select results_eq($$select func_name, func_arg from pgq.maint_operations()$$,
                  $$values ('pgq_node.maint_watermark'::text, 'qb'::text), ('pgq_node.maint_watermark', 'qz')$$,
                  'hooks reading or owned by an untrusted role are left out');
alter table londiste.seq_info owner to current_user;
alter function londiste.periodic_maintenance() owner to current_user;

-- vacuum list: empty under autovacuum, which is on in the test cluster
select is(current_setting('autovacuum'), 'on', 'autovacuum is on here');
select is((select count(*)::int from pgq.maint_tables_to_vacuum()), 0, 'nothing to vacuum while autovacuum runs');

-- maint_compact: the live rows stay, nothing else
select is((select count(*)::int from pgq.tick), 2, 'two ticks');
select is(pgq.maint_compact('pgq.tick'), 0, 'compact pgq.tick');
select results_eq($$select tick_queue, tick_id from pgq.tick order by 1, 2$$,
                  $$values (1, 1::bigint), (2, 1::bigint)$$, 'same ticks after compaction');
select is(pgq.register_consumer('qa', 'c'), 1, 'a consumer');
select is(pgq.maint_compact('pgq.subscription'), 0, 'compact pgq.subscription');
select is((select count(*)::int from pgq.get_consumer_info('qa', 'c')), 1, 'the consumer is still there');
select throws_ok($$select pgq.maint_compact('pgq.queue')$$, '22023', 'maint_compact: not a table it compacts: pgq.queue');
select throws_ok($$select pgq.maint_compact(null)$$, '22023', null, 'NULL table');
select is((select count(*)::int from pgq.maint_operations() where func_name = 'pgq.maint_compact'), 0,
          'compaction is not listed for tables without dead rows');

-- roles outlive the test database
drop owned by tap_untrusted;
drop role tap_untrusted;

select * from finish();
