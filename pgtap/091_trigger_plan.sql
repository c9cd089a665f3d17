-- The row triggers' fast path (pgq._trigger_fast) and the per-session plan
-- of a table it keeps (pgq._trigger_table_plan, in the setting
-- pgq.trigger_table_<relid>): every change to the table is seen at the next
-- row, the plan really is what the fast path reads, and what a session may
-- put in the setting cannot make a trigger skip deny, when= or its queue.
-- Byte-for-byte equality with the C triggers on the fast path, under several
-- DateStyle/IntervalStyle/... settings, is `make refcheck`.
select * from no_plan();

select is(pgq.create_queue('pq'), 1, 'queue');
select is(pgq.create_queue('other'), 1, 'another queue');
create function pg_temp.last_event() returns table (ev_type text, ev_data text, ev_extra1 text, ev_extra2 text)
language sql as $f$
    select ev_type, ev_data, ev_extra1, ev_extra2 from pgq.event_1 order by ev_id desc limit 1
$f$;
create function pg_temp.plan(i_table regclass) returns text[] language sql as $f$
    select nullif(current_setting('pgq.trigger_table_' || i_table::oid, true), '')::text[]
$f$;
-- a plan set by hand: the table's file node and key index, then the rest
create function pg_temp.set_plan(i_table regclass, i_rest text[]) returns bool language sql as $f$
    select set_config('pgq.trigger_table_' || i_table::oid,
                      (array[pg_relation_filenode(i_table)::text,
                             coalesce((select indexrelid::text from pg_index where indrelid = i_table and indisprimary), '0')]
                       || i_rest)::text, false) is not null
$f$;
-- the same, with the key index's oid given
create function pg_temp.set_plan_idx(i_table regclass, i_index regclass, i_rest text[]) returns bool language sql as $f$
    select set_config('pgq.trigger_table_' || i_table::oid,
                      (array[pg_relation_filenode(i_table)::text, i_index::oid::text] || i_rest)::text, false) is not null
$f$;
create function pg_temp.events(i_queue text) returns bigint language sql as $f$
    select count(*) from pgq.event_template e join pgq.queue q on q.queue_id = e.ev_queue where q.queue_name = i_queue
$f$;

set TimeZone = 'UTC';
create table t (id int primary key, a text, b bool, ts timestamp);
create trigger t_l after insert or update or delete on t for each row execute procedure pgq.logutriga('pq', 'backup');
insert into t values (1, 'x y', true, '2020-01-02 03:04:05');
select row_eq($$select ev_type, ev_data, ev_extra1 from pg_temp.last_event()$$,
              row('I:id'::text, 'id=1&a=x+y&b=t&ts=2020-01-02+03%3a04%3a05'::text, 'public.t'::text),
              'fast path: bool and timestamp as their text output');
select is((pg_temp.plan('t'))[3:6], array['{id,a,b,ts}', '{id}', 'ttbs', '2'],
          'the plan: names, key, kinds, served with conversions');

-- a plan whose kinds say the boolean is plain text (which would write
-- JSON's false) is not the catalog's: made again
select ok(set_config('pgq.trigger_table_' || 't'::regclass::oid,
                     array[(pg_temp.plan('t'))[1], (pg_temp.plan('t'))[2], '{id,a,b,ts}', '{id}', 'tttt', '1',
                           '{23,25,16,1114}', '4']::text, false) is not null, 'a plan set by hand');
insert into t values (2, 'p', false, null);
select is((select ev_data from pg_temp.last_event()), 'id=2&a=p&b=f&ts', 'kinds that are not the catalog''s: the event is right');
select is((pg_temp.plan('t'))[5], 'ttbs', 'and the plan is made again');
-- the same with the types, which jsontriga writes by
create table tj (id int primary key, a text);
create trigger tj_j after insert on tj for each row execute procedure pgq.jsontriga('pq');
insert into tj values (1, 'x');
select ok(set_config('pgq.trigger_table_' || 'tj'::regclass::oid,
                     array[(pg_temp.plan('tj'))[1], (pg_temp.plan('tj'))[2], '{id,a}', '{id}', 'tt', '1',
                           '{23,16}', '2']::text, false) is not null, 'a plan set by hand that says the text is a boolean');
insert into tj values (2, 'y');
select is((select ev_data from pg_temp.last_event()), '{"id":2,"a":"y"}', 'types that are not the catalog''s: the event is right');
select is((pg_temp.plan('tj'))[7], '{23,25}', 'and the plan is made again');
-- ... but a plan whose names are not the table's is made again
select ok(set_config('pgq.trigger_table_' || 't'::regclass::oid,
                     array[(pg_temp.plan('t'))[1], (pg_temp.plan('t'))[2], '{id,zz,b,ts}', '{id}', 'ttbs', '2',
                           '{23,25,16,1114}', '4']::text, false) is not null, 'a plan with other names');
insert into t values (3, 'q', false, null);
select is((select ev_data from pg_temp.last_event()), 'id=3&a=q&b=f&ts', 'names that differ: planned again, event right');
select is((pg_temp.plan('t'))[3], '{id,a,b,ts}', 'and the plan is the table''s again');

-- every change to the table is seen at the next row
alter table t add column c int default 7;
insert into t values (4, 'r', true, null);
select is((select ev_data from pg_temp.last_event()), 'id=4&a=r&b=t&ts&c=7', 'a column added');
alter table t drop column a;
insert into t values (5, false, null, 8);
select is((select ev_data from pg_temp.last_event()), 'id=5&b=f&ts&c=8', 'a column dropped');
alter table t rename column b to flag;
insert into t values (6, true, null, 9);
select is((select ev_data from pg_temp.last_event()), 'id=6&flag=t&ts&c=9', 'a column renamed');
alter table t alter column flag type text using flag::text;
insert into t values (7, 'yes', null, 10);
select is((select ev_data from pg_temp.last_event()), 'id=7&flag=yes&ts&c=10', 'a column''s type changed (rewrite)');
update t set flag = 'no' where id = 6;
select row_eq($$select ev_data, ev_extra2 from pg_temp.last_event()$$,
              row('id=6&flag=no&ts&c=9'::text, 'id=6&flag=true&ts&c=9'::text), 'old rows read with the new type');
-- timestamp to timestamptz under UTC does not rewrite the table
alter table t alter column ts type timestamptz;
insert into t values (8, 'x', '2020-01-02 03:04:05+00', 11);
select is((select ev_data from pg_temp.last_event()), 'id=8&flag=x&ts=2020-01-02+03%3a04%3a05%2b00&c=11',
          'timestamp to timestamptz without a rewrite');
alter table t drop constraint t_pkey, add primary key (c, id);
insert into t values (9, 'x', null, 12);
select is((select ev_type from pg_temp.last_event()), 'I:c,id', 'another primary key, its columns in the key''s order');
alter table t drop constraint t_pkey;
insert into t values (10, 'x', null, 13);
select is((select ev_type from pg_temp.last_event()), 'I:', 'no primary key');
select throws_ok($$update t set flag = 'z' where id = 10$$, '22023', 'Update/Delete on table without pkey',
                 'no primary key: update refused');
alter table t add primary key (id);
insert into t values (11, 'x', null, 14);
select is((select ev_type from pg_temp.last_event()), 'I:id', 'a primary key added');
select throws_ok($$update t set id = 99 where id = 11$$, '22023', 'primary key update not allowed', 'key update refused');
alter table t rename to t2;
insert into t2 values (12, 'x', null, 15);
select is((select ev_extra1 from pg_temp.last_event()), 'public.t2', 'the table renamed');
alter table t2 rename to t;

-- a re-created trigger with other arguments is seen at once
drop trigger t_l on t;
create trigger t_l after insert or update or delete on t for each row execute procedure pgq.logutriga('pq');
update t set flag = 'w' where id = 11;
select row_eq($$select ev_type, ev_extra2 from pg_temp.last_event()$$, row('U:id'::text, null::text),
              're-created without backup');
drop trigger t_l on t;
create trigger t_l after insert or update or delete on t for each row execute procedure pgq.logutriga('pq', 'ignore=flag');
create temp table n as select pg_temp.events('pq') n;
update t set flag = 'v' where id = 11;
select is(pg_temp.events('pq'), (select n from n), 're-created with ignore=: a change of an ignored column only, no event');
update t set ts = '2021-01-01 00:00:00+00', flag = 'u' where id = 11;
select is((select ev_data from pg_temp.last_event()), 'id=11&ts=2021-01-01+00%3a00%3a00%2b00&c=14', 'and no ignored column in the event');
drop trigger t_l on t;

-- a renamed key column is named as it is now (PgQ's C triggers read the
-- key index's column names, which RENAME COLUMN leaves as they were)
create table rk (a int, b int, v text, primary key (b, a));
create trigger rk_l after insert on rk for each row execute procedure pgq.logutriga('pq');
insert into rk values (1, 2, 'x');
select is((select ev_type from pg_temp.last_event()), 'I:b,a', 'the key''s columns in the key''s order');
alter table rk rename column b to bb;
insert into rk values (1, 3, 'x');
select is((select ev_type from pg_temp.last_event()), 'I:bb,a', 'a renamed key column: its name now');

-- a plan made in a transaction that rolled back is gone
create table r (id int primary key, v text);
create trigger r_l after insert on r for each row execute procedure pgq.logutriga('pq');
begin;
insert into r values (1, 'a');
select ok(pg_temp.plan('r') is not null, 'planned in the transaction');
rollback;
select ok(pg_temp.plan('r') is null, 'rolled back with it');
insert into r values (2, 'b');
select is((select ev_data from pg_temp.last_event()), 'id=2&v=b', 'and planned again');

-- what a session can put in the setting cannot skip deny or when=, nor
-- send the event elsewhere: the arguments are read from the trigger
create table d (id int primary key, v text);
create function pg_temp.fake_plan(i_table regclass) returns bool language sql as $f$
    select pg_temp.set_plan(i_table, array['{id,v}', '{id}', 'tt', '1', '{23,25}', '2'])
$f$;
create trigger d_l after insert on d for each row execute procedure pgq.logutriga('pq', 'deny');
select ok(pg_temp.fake_plan('d'), 'a plan set by hand');
select throws_ok($$insert into d values (1, 'a')$$, 'P0001', null, 'deny holds whatever the plan says');
drop trigger d_l on d;
create trigger d_l after insert on d for each row execute procedure pgq.logutriga('pq', 'when=v = ''keep''');
select ok(pg_temp.fake_plan('d'), 'a plan set by hand');
select lives_ok($$insert into d values (2, 'drop'), (3, 'keep')$$, 'when= with a plan set by hand');
select is((select ev_data from pg_temp.last_event()), 'id=3&v=keep', 'when= holds whatever the plan says');
select is(pg_temp.events('other'), 0::bigint, 'and nothing went to another queue');

-- nor run a cast to json that the owner of a column's type made (to_json
-- would), nor choose the key an UPDATE's event names, nor paste a value
-- into jsontriga's JSON
create type pg_temp_mood as enum ('sad', 'ok');
create function mood_json(pg_temp_mood) returns json language plpgsql as $f$
begin raise exception 'the cast ran'; end $f$;
create cast (pg_temp_mood as json) with function mood_json(pg_temp_mood);
create table e (id int primary key, v text, m pg_temp_mood);
create trigger e_l after insert on e for each row execute procedure pgq.logutriga('pq');
select ok(pg_temp.set_plan('e', array['{id,v,m}', '{id}', 'ttt', '1', '{23,25,25}', '3']),
          'a plan set by hand that says the enum is text');
select lives_ok($$insert into e values (1, 'a', 'ok')$$, 'the cast to json is not run');
select is((select ev_data from pg_temp.last_event()), 'id=1&v=a&m=ok', 'the enum as its text output');

-- the column types are read in pg_attribute at a transaction's first row of
-- the table, which leaves a mark (pgq.trigger_checked_<relid>) naming the
-- transaction; a mark of another transaction, as a session value (what
-- ALTER DATABASE or ROLE ... SET would leave), is read again, not trusted
create table em (id int primary key, v text, m pg_temp_mood);
create trigger em_l after insert on em for each row execute procedure pgq.logutriga('pq');
begin;
create temp table em_old as select txid_current() as x, now() as t;
commit;
select ok(pg_temp.set_plan('em', array['{id,v,m}', '{id}', 'ttt', '1', '{23,25,25}', '3'])
          and set_config('pgq.trigger_checked_' || 'em'::regclass::oid,
                         (select concat(x, ' ', t, ' ', pg_relation_filenode('em'), ' ', 3) from em_old), false) is not null,
          'a plan set by hand that says the enum is text, and the mark of an earlier transaction');
select lives_ok($$insert into em values (1, 'a', 'ok')$$, 'the mark of another transaction is not trusted: the cast is not run');
select is((select ev_data from pg_temp.last_event()), 'id=1&v=a&m=ok', 'the enum as its text output, again');
-- within a transaction, a column the session adds is seen at the next row
create table ea (id int primary key, v text);
create trigger ea_l after insert on ea for each row execute procedure pgq.logutriga('pq');
begin;
insert into ea values (1, 'a');
select is(coalesce(current_setting('pgq.trigger_checked_' || 'ea'::regclass::oid, true), '') <> '',
          false,
          'no mark is left (off for now: pg_attribute is read at every row)');
alter table ea add column m pg_temp_mood;
select lives_ok($$insert into ea values (2, 'b', 'ok')$$, 'a column added in the same transaction: the cast is not run');
select is((select ev_data from pg_temp.last_event()), 'id=2&v=b&m=ok', 'and the new column is in the event');
commit;
-- a column count set by hand is checked too: a plan that says 1000 columns
-- does not hide one added in the transaction
create table en (id int primary key, v text);
create trigger en_l after insert on en for each row execute procedure pgq.logutriga('pq');
select ok(pg_temp.set_plan('en', array['{id,v}', '{id}', 'tt', '1', '{23,25}', '1000']),
          'a plan set by hand with a column count of 1000');
begin;
insert into en values (1, 'a');
alter table en add column m pg_temp_mood;
select lives_ok($$insert into en values (2, 'b', 'ok')$$, 'the count is the catalog''s: the cast is not run');
commit;
-- a mark written by a lesser session is not relied on under another role:
-- a SECURITY DEFINER function that writes the table reads pg_attribute
drop role if exists pgq_tap_low;  -- a run that failed before it was dropped
create role pgq_tap_low;
create table es (id int primary key, v text, m pg_temp_mood);
create trigger es_l after insert on es for each row execute procedure pgq.logutriga('pq');
create function es_add(i int) returns void language sql security definer set search_path = pg_catalog, public
    as $f$ insert into public.es values (i, 'v', 'ok') $f$;
grant execute on function es_add(int) to pgq_tap_low;
set session authorization pgq_tap_low;
begin;
select ok(pg_temp.set_plan('es', array['{id,v,m}', '{id}', 'ttt', '1', '{23,25,25}', '3'])
          and set_config('pgq.trigger_checked_' || 'es'::regclass::oid,
                         concat(txid_current(), ' ', now(), ' ', pg_relation_filenode('es'), ' ', 3), true) is not null,
          'a lesser session writes a plan and a mark of its own transaction');
select lives_ok($$select es_add(1)$$, 'under the definer''s role the mark is not trusted: the cast is not run');
commit;
reset session authorization;
select is((select ev_data from pg_temp.last_event()), 'id=1&v=v&m=ok', 'the enum as its text output');
drop function es_add(int);
drop role pgq_tap_low;
-- an UPDATE's key set by hand is checked: an array that starts at 0, and
-- a key on a table that has none
create table ko (id int primary key, v text, w text);
create trigger ko_l after update on ko for each row execute procedure pgq.logutriga('pq');
insert into ko values (1, 'a', 'x');
select ok(pg_temp.set_plan('ko', array['{id,v,w}', '[0:1]={v,id}', 'ttt', '1', '{23,25,25}', '3']),
          'a plan set by hand whose key array starts at 0');
update ko set w = 'y' where id = 1;
select is((select ev_type from pg_temp.last_event()), 'U:id', 'the UPDATE names its row by the real key');
create table kn (id int, v text);
create trigger kn_l after update on kn for each row execute procedure pgq.logutriga('pq');
insert into kn values (1, 'a');
select ok(pg_temp.set_plan('kn', array['{id,v}', '{v}', 'tt', '1', '{23,25}', '2']),
          'a plan set by hand that gives a table without a primary key one');
select throws_ok($$update kn set id = 2$$, '22023', null, 'an UPDATE of a table without a key is still refused');
-- under REPLICA IDENTITY USING INDEX (another unique index), a primary key
-- update is refused
create table ri (id int primary key, c int unique not null, v text);
alter table ri replica identity using index ri_c_key;
create trigger ri_l after update on ri for each row execute procedure pgq.logutriga('pq');
insert into ri values (1, 10, 'a');
update ri set v = 'b';
select is((select ev_type from pg_temp.last_event()), 'U:id', 'REPLICA IDENTITY USING INDEX: the key is the primary key');
select throws_ok($$update ri set id = 2$$, '22023', 'primary key update not allowed', 'and its update is refused');
-- the primary key's constraint in the plan (elements 10 and 11): an
-- UPDATE's or DELETE's key is checked with it through the caches
select is((pg_temp.plan('ri'))[10:11], array[(select oid::text from pg_constraint where conname = 'ri_pkey'), 'ri_pkey'],
          'plan: the primary key''s constraint');
select ok(pg_temp.set_plan_idx('ri', 'ri_c_key', array['{id,c,v}', '{c}', 'ttt', '1', '{23,23,25}', '3', '',
                                       (select oid::text from pg_constraint where conname = 'ri_c_key'), 'ri_c_key']),
          'a plan set by hand naming the REPLICA IDENTITY index''s unique constraint as the key');
select throws_ok($$update ri set id = 2$$, '22023', 'primary key update not allowed', 'the primary key update is still refused');
-- REPLICA IDENTITY USING INDEX on a table without a primary key
create table rn (id int, c int unique not null, v text);
alter table rn replica identity using index rn_c_key;
create table rn_other (c int primary key);
create trigger rn_l after update or delete on rn for each row execute procedure pgq.logutriga('pq');
insert into rn values (1, 10, 'a');
select ok(pg_temp.set_plan_idx('rn', 'rn_c_key', array['{id,c,v}', '{c}', 'ttt', '1', '{23,23,25}', '3', '',
                                       (select oid::text from pg_constraint where conname = 'rn_c_key'), 'rn_c_key']),
          'a plan set by hand giving a table without a primary key its REPLICA IDENTITY index as the key');
select throws_ok($$update rn set v = 'b'$$, '22023', null, 'an UPDATE of a table without a primary key is still refused');
select ok(pg_temp.set_plan_idx('rn', 'rn_c_key', array['{id,c,v}', '{c}', 'ttt', '1', '{23,23,25}', '3', '',
                                       (select oid::text from pg_constraint where conname = 'rn_other_pkey'), 'rn_other_pkey']),
          'a plan set by hand naming another table''s primary key of the same column');
select throws_ok($$delete from rn$$, '22023', null, 'a DELETE is still refused');
select ok(pg_temp.set_plan_idx('rn', 'rn_c_key', array['{id,c,v}', '{c}', 'ttt', '1', '{23,23,25}', '3', '',
                                       (select oid::text from pg_constraint where conname = 'rn_other_pkey'),
                                       'rn_other_pkey on public.rn_other']),
          'the same, with a constraint name that spells the other table');
select throws_ok($$update rn set v = 'c'$$, '22023', null, 'still refused');
select ok(pg_temp.set_plan_idx('rn', 'rn_c_key', array['{id,c,v}', '{c}', 'ttt', '1', '{23,23,25}', '3', '', '4294967295', 'rn_c_key']),
          'a plan set by hand naming no constraint at all');
select throws_ok($$update rn set v = 'd'$$, '22023', null, 'still refused');
-- a renamed primary key, and one with INCLUDE columns
create table pr (id int primary key, v text, w int);
create trigger pr_l after update on pr for each row execute procedure pgq.logutriga('pq');
insert into pr values (1, 'a', 1);
update pr set v = 'b';
alter index pr_pkey rename to pr_key_renamed;
update pr set v = 'c';
select is((select ev_type || ' ' || ev_data from pg_temp.last_event()), 'U:id id=1&v=c&w=1', 'a renamed primary key');
update pr set v = 'd';
select is((pg_temp.plan('pr'))[11], 'pr_key_renamed', 'is planned again under its new name');
alter table pr drop constraint pr_key_renamed, add primary key (id) include (w);
update pr set v = 'e';
-- (its INCLUDE columns are key columns to PgQ's C triggers too: refcheck)
select is((select ev_type from pg_temp.last_event()), 'U:id,w', 'a primary key with INCLUDE columns');
select is((pg_temp.plan('pr'))[10:11], array['0', ''], 'is read in pg_index, not through the plan''s constraint');
select throws_ok($$update pr set id = 2$$, '22023', 'primary key update not allowed', 'and its update is refused');
-- an INSERT's key list (logutriga's and jsontriga's event type) is the
-- catalog's too
create table ik (id int primary key, owner text);
create trigger ik_l after insert on ik for each row execute procedure pgq.logutriga('pq');
select ok(pg_temp.set_plan('ik', array['{id,owner}', '{owner}', 'tt', '1', '{23,25}', '2', '',
                                       (select oid::text from pg_constraint where conname = 'ik_pkey'), 'ik_pkey']),
          'a plan set by hand with another key');
insert into ik values (1, 'bob');
select is((select ev_type from pg_temp.last_event()), 'I:id', 'an INSERT names the real key');
select ok(pg_temp.set_plan('ik', array['{id,owner}', '{}', 'tt', '1', '{23,25}', '2', '', '0', '']),
          'a plan set by hand with no key');
insert into ik values (2, 'bob');
select is((select ev_type from pg_temp.last_event()), 'I:id', 'an INSERT still names the real key');
select ok(pg_temp.set_plan_idx('ik', 'ik_pkey', array['{id,owner}', '{}', 'tt', '1', '{23,25}', '2', '', '0', '']),
          'the same, with the key index''s oid');
insert into ik values (3, 'bob');
select is((select ev_type from pg_temp.last_event()), 'I:id', 'still the real key');
select ok(set_config('pgq.trigger_table_' || 'ik'::regclass::oid,
                     array[pg_relation_filenode('ik')::text, null, '{id,owner}', '{}', 'tt', '1', '{23,25}', '2', 'j', '0', '']::text,
                     false) is not null, 'a plan set by hand with no key and a NULL key index');
insert into ik values (4, 'bob');
select is((select ev_type from pg_temp.last_event()), 'I:id', 'still the real key');
create table inok (id int, v text);
create trigger inok_l after insert on inok for each row execute procedure pgq.logutriga('pq');
insert into inok values (1, 'a');
select is((select ev_type from pg_temp.last_event()), 'I:', 'a table without a primary key: no key');
select is((pg_temp.plan('inok'))[2], '0', 'and the fast path serves it');
-- a temporary table: pg_identify_object writes its schema as pg_temp
create temp table tt (id int primary key, v text);
create trigger tt_l after update on tt for each row execute procedure pgq.logutriga('pq');
insert into tt values (1, 'a');
update tt set v = 'b';
select is((select ev_type || ' ' || ev_data from pg_temp.last_event()), 'U:id id=1&v=b', 'a temporary table''s UPDATE');
select is((pg_temp.plan('tt'))[11], 'tt_pkey', 'is served with its primary key''s constraint');
set track_functions = 'all';
create temp table tt_calls as select coalesce(pg_stat_get_xact_function_calls('pgq._trigger_table_plan(oid)'::regprocedure), 0) as n;
update tt set v = 'c';
select is(coalesce(pg_stat_get_xact_function_calls('pgq._trigger_table_plan(oid)'::regprocedure), 0), (select n from tt_calls),
          'and is not planned again at the next row');
reset track_functions;
-- an INSTEAD OF trigger on a view returns the row, as PgQ's C triggers do
-- (the statement counts it, RETURNING gives it); with SKIP it does not
create table vt (id int primary key, v text);
create view vv as select * from vt;
create trigger vv_l instead of insert or update or delete on vv for each row execute procedure pgq.logutriga('pq');
create function pg_temp.rows_of(i_sql text) returns bigint language plpgsql as $f$
declare n bigint;
begin
    execute i_sql;
    get diagnostics n = row_count;
    return n;
end;
$f$;
select is(pg_temp.rows_of($$insert into vv values (1, 'a')$$), 1::bigint, 'INSTEAD OF: the row is returned');
select is((select ev_type || ' ' || ev_data from pg_temp.last_event()), 'I: id=1&v=a', 'and its event queued');
create view vs as select * from vt;
create trigger vs_l instead of insert on vs for each row execute procedure pgq.logutriga('pq', 'SKIP');
select is(pg_temp.rows_of($$insert into vs values (2, 'b')$$), 0::bigint, 'INSTEAD OF with SKIP: no row');
select is((select ev_type || ' ' || ev_data from pg_temp.last_event()), 'I: id=2&v=b', 'and its event queued');
-- under REPEATABLE READ the catalog queries read the transaction's
-- snapshot, not the row's type: the general path does the row
create table iso (id int primary key, v text);
create trigger iso_l after insert on iso for each row execute procedure pgq.logutriga('pq');
insert into iso values (1, 'a');
set track_functions = 'all';
begin isolation level repeatable read;
create temp table iso_calls on commit drop as
    select coalesce(pg_stat_get_xact_function_calls('pgq._trigger_event(text,text,text,text,oid,text[],text,text,json,json,text,anyelement,anyelement)'::regprocedure), 0) as n;
insert into iso values (2, 'b');
select is(coalesce(pg_stat_get_xact_function_calls('pgq._trigger_event(text,text,text,text,oid,text[],text,text,json,json,text,anyelement,anyelement)'::regprocedure), 0),
          (select n + 1 from iso_calls), 'REPEATABLE READ: the general path does the row');
select is((select ev_type || ' ' || ev_data from pg_temp.last_event()), 'I:id id=2&v=b', 'and the event is right');
commit;
reset track_functions;
create table k (id int primary key, owner text, note text);
create trigger k_s after insert or update on k for each row execute procedure pgq.sqltriga('pq');
insert into k values (1, 'bob', ''), (2, 'bob', '');
select ok(pg_temp.set_plan('k', array['{id,owner,note}', '{owner}', 'ttt', '1', '{23,25,25}', '3']),
          'a plan set by hand with another key');
update k set note = 'x' where id = 2;
select is((select ev_data from pg_temp.last_event()), 'note=''x'' where id=''2''', 'the UPDATE names its row by the real key');
select throws_ok($$update k set id = 7 where id = 1$$, '22023', 'primary key update not allowed', 'and a key update is refused');
create table js (id int primary key, title text);
create trigger js_j after insert on js for each row execute procedure pgq.jsontriga('pq');
select ok(pg_temp.set_plan('js', array['{id,title}', '{id}', 'tt', '1', '{23,23}', '2']),
          'a plan set by hand that says a text column is an integer');
insert into js values (3, '1,"admin":true');
select is((select ev_data from pg_temp.last_event()), '{"id":3,"title":"1,\"admin\":true"}', 'jsontriga quotes what is not a number');
select ok(pg_temp.set_plan('js', array['{id,title}', '{id}', 'tt', '1', '{23,23}', '2']),
          'the same plan again');
insert into js values (4, '12');
select is((select ev_data from pg_temp.last_event()), '{"id":4,"title":"12"}', 'a text column that holds a number is a string still');

-- jsontriga's data is the row's to_json() text when every column is written
-- so (the plan's element 9), and is built column by column when one is not
-- (numeric: a JSON string in jsontriga, a number in to_json())
create table jw (id int primary key, t text, b bool, d date);
create trigger jw_j after insert on jw for each row execute procedure pgq.jsontriga('pq');
insert into jw values (1, 'a"b', true, '2020-01-02');
select is((pg_temp.plan('jw'))[9], 'j', 'plan: every column as to_json() writes it');
select is((select ev_data from pg_temp.last_event()), '{"id":1,"t":"a\"b","b":true,"d":"2020-01-02"}', 'jsontriga: the row''s to_json()');
create table jn (id int primary key, n numeric);
create trigger jn_j after insert on jn for each row execute procedure pgq.jsontriga('pq');
insert into jn values (1, 2.50);
select is((pg_temp.plan('jn'))[9], '', 'plan: a numeric column is not');
select is((select ev_data from pg_temp.last_event()), '{"id":1,"n":"2.50"}', 'jsontriga: the numeric as a string');

-- nor hide a change: which columns an UPDATE changed is read from the rows
-- themselves, not from values the plan converts (a kind 'b' reads 'abc'
-- and 'axx' alike)
create table hc (id text primary key, a text, note text);
create trigger hc_s after update on hc for each row execute procedure pgq.sqltriga('pq', 'ignore=note');
insert into hc values ('abc', 'abc', 'n1');
create function pg_temp.bool_plan() returns bool language sql as $f$
    select pg_temp.set_plan('hc', array['{id,a,note}', '{id}', 'bbt', '2', '{25,25,25}', '3'])
$f$;
select ok(pg_temp.bool_plan(), 'a plan set by hand that reads text columns as booleans');
create temp table hc_before as select pg_temp.events('pq') as n;
update hc set a = 'axx', note = 'n2' where id = 'abc';
select is(pg_temp.events('pq'), (select n + 1 from hc_before), 'a changed column beside an ignored one still makes its event');
select is((select ev_data from pg_temp.last_event()), 'a=''axx'' where id=''abc''', 'with the values as they are, the key''s too');
-- a key value converted by a plan set by hand would name another row: a
-- DELETE of 'ab' must not become one of 'a'
insert into hc values ('a', 'alice', ''), ('ab', 'mallory', '');
create trigger hc_d after delete on hc for each row execute procedure pgq.sqltriga('pq');
select ok(pg_temp.bool_plan(), 'the plan set by hand again');
delete from hc where id = 'ab';
select is((select ev_type || ' ' || ev_data from pg_temp.last_event()), 'D id=''ab''', 'the DELETE names its own row');
select ok(pg_temp.bool_plan(), 'the plan set by hand again');
select throws_ok($$update hc set id = 'axx' where id = 'abc'$$, '22023', 'primary key update not allowed',
                 'and a key update is still refused');

-- a column dropped and another of the same name added (no rewrite)
create table dd (id int primary key, a text, b text);
create trigger dd_l after insert on dd for each row execute procedure pgq.logutriga('pq');
insert into dd values (1, 'x', 'y');
alter table dd drop column b, add column b bool;
insert into dd values (2, 'x', true);
select is((select ev_data from pg_temp.last_event()), 'id=2&a=x&b=t', 'a column dropped and added again: read with its new type');
select is((pg_temp.plan('dd'))[5], 'tt-b', 'plan: kinds by attribute, a dropped one as -');
select ok(pg_temp.set_plan('dd', array['{id,a,b}', '{id}', 'ttbb', '2', '{23,25,0,16}', '4']),
          'a plan set by hand with a kind for the dropped column, which shifts the next one');
insert into dd values (3, 'x', false);
select is((select ev_data from pg_temp.last_event()), 'id=3&a=x&b=f', 'is not the catalog''s: the event is right');

-- the fast path leaves what it does not serve to pgq._trigger_event
create table x (id int primary key, j jsonb, a int[]);
create trigger x_l after insert on x for each row execute procedure pgq.logutriga('pq');
insert into x values (1, '{"k": "v"}', '{1,2}');
select is((select ev_data from pg_temp.last_event()), 'id=1&j=%7b%22k%22%3a+%22v%22%7d&a=%7b1%2c2%7d',
          'jsonb and arrays: as their text output');
select is((pg_temp.plan('x'))[5:6], array['txx', '0'], 'a table the fast path does not serve');
create table m (id int primary key, _pgq_ev_type text);
create trigger m_l after insert on m for each row execute procedure pgq.logutriga('pq');
insert into m values (1, 'custom');
select is((select ev_type from pg_temp.last_event()), 'custom', 'a magic column');
select is((pg_temp.plan('m'))[6], '0', 'magic columns: not served');

-- ignore= and pkey= are served by the fast path too (it returns 0, not 2:
-- "pgq._trigger_event, do this row"), with the general path's rules
create table ip (id int primary key, k text, a text, n int);
insert into ip values (1, 'kk', 'old', 1);
select is(pgq._trigger_fast('logutriga', 'INSERT', 'AFTER', 'ROW', 'ip'::regclass, array['pq', 'ignore=a,n', 'pkey=k'],
                            'public', 'ip', row(2, 'k2', 'x', 2)::ip, null::ip), 0, 'fast path: ignore= and pkey= served');
select row_eq($$select ev_type, ev_data from pg_temp.last_event()$$, row('I:k'::text, 'id=2&k=k2'::text),
              'fast path: the key named by pkey=, ignored columns left out');
select is(pgq._trigger_fast('sqltriga', 'UPDATE', 'AFTER', 'ROW', 'ip'::regclass, array['pq', 'ignore=a', 'pkey=k', 'backup'],
                            'public', 'ip', row(1, 'kk', 'new', 5)::ip, row(1, 'kk', 'old', 1)::ip), 0, 'fast path: sqltriga UPDATE served');
select row_eq($$select ev_type, ev_data, ev_extra2 from pg_temp.last_event()$$,
              row('U'::text, $v$n='5' where k='kk'$v$::text, 'id=1&k=kk&n=1'::text),
              'fast path: sqltriga sets the changed columns that are not ignored, where the pkey= key');
create temp table before_count as select pg_temp.events('pq') as n;
select is(pgq._trigger_fast('logutriga', 'UPDATE', 'AFTER', 'ROW', 'ip'::regclass, array['pq', 'ignore=a'],
                            'public', 'ip', row(1, 'kk', 'new', 1)::ip, row(1, 'kk', 'old', 1)::ip), 0,
          'fast path: an UPDATE of ignored columns only');
select is(pg_temp.events('pq'), (select n from before_count), 'makes no event');
select is(pgq._trigger_fast('jsontriga', 'UPDATE', 'AFTER', 'ROW', 'ip'::regclass, array['pq', 'ignore=a'],
                            'public', 'ip', row(1, 'kk', 'new', 1)::ip, row(1, 'kk', 'old', 1)::ip), 0,
          'the same for jsontriga');
select is(pg_temp.events('pq'), (select n from before_count), 'no event either');
select is(pgq._trigger_fast('logutriga', 'INSERT', 'AFTER', 'ROW', 'ip'::regclass, array['pq', 'when=true'],
                            'public', 'ip', row(3, 'k3', 'x', 3)::ip, null::ip), 2, 'when= is left to pgq._trigger_event');
select is(pgq._trigger_fast('logutriga', 'UPDATE', 'AFTER', 'ROW', 'ip'::regclass, array['pq', 'pkey='],
                            'public', 'ip', row(1, 'kk', 'new', 1)::ip, row(1, 'kk', 'old', 1)::ip), 2,
          'an empty pkey= on UPDATE is left to pgq._trigger_event (its error)');

-- an UPDATE's changed columns are judged as PgQ's C triggers judge them,
-- with the type's equality: 1.0 and 1.00, 0 and -0, '1 day' and '24 hours',
-- 'ab' and 'ab  ' (character) are no change; on the fast path
create table eqv (id int primary key, n numeric, f float8, iv interval, c bpchar, note text);
create trigger eqv_s after update on eqv for each row execute procedure pgq.sqltriga('pq', 'ignore=note');
insert into eqv values (1, 1.0, 0, '1 day', 'ab', '');
set track_functions = 'all';
begin;
create temp table eqv_calls on commit drop as
    select coalesce(pg_stat_get_xact_function_calls('pgq._trigger_event(text,text,text,text,oid,text[],text,text,json,json,text,anyelement,anyelement)'::regprocedure), 0) as n,
           pg_temp.events('pq') as e;
update eqv set n = 1.00, f = '-0', iv = '24 hours', c = 'ab  ', note = 'x' where id = 1;
select is(pg_temp.events('pq'), (select e from eqv_calls), 'values written otherwise beside an ignored change: no event');
update eqv set n = 1.000, iv = '25 hours' where id = 1;
select is((select ev_data from pg_temp.last_event()), 'iv=''25:00:00'' where id=''1''', 'only the column that changed is set');
select is(coalesce(pg_stat_get_xact_function_calls('pgq._trigger_event(text,text,text,text,oid,text[],text,text,json,json,text,anyelement,anyelement)'::regprocedure), 0),
          (select n from eqv_calls), 'both on the fast path');
-- extra_float_digits below 1 writes floats rounded: an UPDATE of a table
-- with a float column is judged on the values, by the general path
set local extra_float_digits = 0;
update eqv set f = 0.1 where id = 1;
update eqv set f = '0.10000000000000002' where id = 1;
select is((select ev_data from pg_temp.last_event()), 'f=''0.1'' where id=''1''', 'a float changed past what its text shows is a change');
select is(coalesce(pg_stat_get_xact_function_calls('pgq._trigger_event(text,text,text,text,oid,text[],text,text,json,json,text,anyelement,anyelement)'::regprocedure), 0),
          (select n + 2 from eqv_calls), 'judged by the general path');
commit;
-- and on the general path (a json column sends the table there)
create table eqg (id numeric primary key, n numeric, iv interval, j json, note text);
create trigger eqg_s after update on eqg for each row execute procedure pgq.sqltriga('pq', 'ignore=note');
insert into eqg values (1.0, 1.0, '1 day', '{}', '');
create temp table eqg_before as select pg_temp.events('pq') as e;
update eqg set id = 1.00, n = 1.00, iv = '24 hours', note = 'x' where id = 1;
select is(pg_temp.events('pq'), (select e from eqg_before), 'general path: values written otherwise beside an ignored change: no event');
update eqg set n = 2, j = '{ }' where id = 1;
select is((select ev_data from pg_temp.last_event()), 'n=''2'',j=''{ }'' where id=''1.00''', 'a json column (no equality) is compared as text; the key as a number');
reset track_functions;
-- the statement-level form judges the same way
create table eqb (id numeric primary key, n numeric, iv interval, note text);
create trigger eqb_s after update on eqb referencing old table as pgq_old new table as pgq_new
    for each statement execute procedure pgq.sqltriga_bulk('pq', 'ignore=note');
insert into eqb values (1.0, 1.0, '1 day', ''), (2, 2, '1 mon', '');
create temp table eqb_before as select pg_temp.events('pq') as e;
update eqb set id = id * 1.0, n = n * 1.00, iv = iv + '24 hours' - '1 day', note = 'x';
select is(pg_temp.events('pq'), (select e from eqb_before), 'statement-level: no event, and no key update');
update eqb set iv = '30 days' where id = 2;
select is((select ev_data from pg_temp.last_event()), 'id=''2.0'' where id=''2.0''', 'statement-level: ''1 mon'' and ''30 days'' are the same interval');

-- logutriga and jsontriga compare the text on the fast path: where it says
-- an ignored column changed and a numeric one did too, pgq._trigger_event
-- judges the row (C: a numeric written otherwise is no change)
create table eql (id int primary key, n numeric, note text);
create trigger eql_l after update on eql for each row execute procedure pgq.logutriga('pq', 'ignore=note');
create trigger eql_j after update on eql for each row execute procedure pgq.jsontriga('pq', 'ignore=note');
insert into eql values (1, 1.0, '');
create temp table eql_before as select pg_temp.events('pq') as e;
update eql set n = 1.00, note = 'x' where id = 1;
select is(pg_temp.events('pq'), (select e from eql_before), 'logutriga, jsontriga: an ignored change beside a numeric written otherwise: no event');
update eql set n = 1.000 where id = 1;
select is(pg_temp.events('pq'), (select e + 2 from eql_before), 'a numeric written otherwise alone: no change at all, which makes an event (as in C)');

-- a table that drops its only column of a type not served (no rewrite) is
-- served again in the same session: the row after the drop plans the table
-- again (and takes the general path), the next is served
create table dj (id int primary key, a text, j json);
create trigger dj_l after insert on dj for each row execute procedure pgq.logutriga('pq');
insert into dj values (1, 'x', '{}');
select is((pg_temp.plan('dj'))[6], '0', 'a json column: not served');
alter table dj drop column j;
insert into dj values (2, 'y');
set track_functions = 'all';
begin;
create temp table dj_calls on commit drop as
    select coalesce(pg_stat_get_xact_function_calls('pgq._trigger_event(text,text,text,text,oid,text[],text,text,json,json,text,anyelement,anyelement)'::regprocedure), 0) as n;
insert into dj values (3, 'z');
select is(coalesce(pg_stat_get_xact_function_calls('pgq._trigger_event(text,text,text,text,oid,text[],text,text,json,json,text,anyelement,anyelement)'::regprocedure), 0),
          (select n from dj_calls), 'dropped: the row after the next takes the fast path');
select is((select ev_type || ' ' || ev_data from pg_temp.last_event()), 'I:id id=3&a=z', 'and its event is right');
commit;
reset track_functions;

-- the equality each type is judged with (the type cache's, as in C)
create type eq_mood as enum ('a', 'b');
create domain eq_num as numeric;
create type eq_pair as (a int, n numeric);
create type eq_pair_json as (a int, j json);
create type eq_pair_arr as (a int, xs int[]);
select is(pgq._trigger_eq_sql(t::regtype, 'a', 'b'), e, 'equality of ' || t)
  from (values ('numeric', '(a)::pg_catalog."numeric" operator(pg_catalog.=) (b)::pg_catalog."numeric"'),
               ('varchar', '(a)::pg_catalog.text operator(pg_catalog.=) (b)::pg_catalog.text'),
               ('cidr', '(a)::pg_catalog.inet operator(pg_catalog.=) (b)::pg_catalog.inet'),
               ('eq_mood', '(a) operator(pg_catalog.=) (b)'),
               ('eq_num', '(a)::pg_catalog."numeric" operator(pg_catalog.=) (b)::pg_catalog."numeric"'),
               ('eq_pair', '(a) operator(pg_catalog.=) (b)'), ('eq_pair_arr', '(a) operator(pg_catalog.=) (b)'),
               ('int4range', '(a) operator(pg_catalog.=) (b)'),
               ('int4[]', null), ('json', null), ('point', null), ('eq_pair_json', null), ('anyarray', null)) v(t, e);
-- the operator is named with its operands cast to its class's input type:
-- an operator of the same name that whoever may create in that schema adds
-- for a domain over the type is not chosen (C calls the class's by its oid)
create type eq_box as (v int);
create function public.eq_box_eq(eq_box, eq_box) returns bool language sql immutable as 'select $1.v = $2.v';
create function public.eq_box_lt(eq_box, eq_box) returns bool language sql immutable as 'select $1.v < $2.v';
create function public.eq_box_cmp(eq_box, eq_box) returns int language sql immutable as 'select case when $1.v < $2.v then -1 when $1.v > $2.v then 1 else 0 end';
create operator public.= (leftarg = eq_box, rightarg = eq_box, function = public.eq_box_eq);
create operator public.< (leftarg = eq_box, rightarg = eq_box, function = public.eq_box_lt);
create operator class public.eq_box_ops default for type eq_box using btree as
    operator 1 public.<, operator 3 public.=, function 1 public.eq_box_cmp(eq_box, eq_box);
create domain eq_boxd as eq_box;
create function public.eq_boxd_trap(eq_boxd, eq_boxd) returns bool language sql immutable as 'select true';
create operator public.= (leftarg = eq_boxd, rightarg = eq_boxd, function = public.eq_boxd_trap);
create table eqd (k eq_boxd primary key, note text);
create trigger eqd_s after update on eqd for each row execute procedure pgq.sqltriga('pq');
insert into eqd values (row(1), '');
select throws_ok($$update eqd set k = row(2) where (k).v = 1$$, '22023', 'primary key update not allowed',
                 'a key update is seen with the class''s operator, not a same-named one for the domain');
-- under DateStyle Postgres a zone abbreviation can stand for two offsets:
-- the same text is compared with the type's equality (C: a key update)
create table eqz (k timestamptz primary key, v text, j json);
create trigger eqz_l after update on eqz for each row execute procedure pgq.logutriga('pq');
set timezone = 'Europe/Moscow';
set datestyle = 'Postgres, MDY';
insert into eqz values ('2014-10-25 21:30:00+00', 'x', '{}');
select throws_ok($$update eqz set k = k + interval '1 hour'$$, '22023', 'primary key update not allowed',
                 'timestamptz: the same text is not taken for the same instant');
reset timezone;
reset datestyle;
-- the fast path's kinds: a text column under a collation that may not be
-- deterministic is not served
select is(pgq._trigger_kind('text'::regtype, c), k, 'kind of text under collation ' || c)
  from (values (100::oid, 't'), (950::oid, 't'), (12345::oid, 'x')) v(c, k);
select is(pgq._trigger_kind(t::regtype, 0), k, 'kind of ' || t)
  from (values ('numeric', 'n'), ('float4', 'f'), ('float8', 'f'), ('interval', 'i'), ('int4', 't'), ('json', 'x')) v(t, k);
select is(pgq._trigger_kind('bpchar'::regtype, 100), 'c', 'kind of character');

select * from finish();
