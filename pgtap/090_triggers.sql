-- Trigger producers: logutriga, sqltriga, jsontriga.  Byte-for-byte
-- equality with PgQ's C triggers over random rows is `make refcheck`; here:
-- the two-table SKIP scenario (the demo's), each option once, and every error.
select * from no_plan();

select is(pgq.create_queue('singlequeue'), 1, 'queue');
create function pg_temp.last_event() returns table (ev_type text, ev_data text, ev_extra1 text, ev_extra2 text,
                                                    ev_extra3 text, ev_extra4 text) language sql as $f$
    select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4 from pgq.event_1 order by ev_id desc limit 1
$f$;
create function pg_temp.events() returns bigint language sql as 'select count(*) from pgq.event_1';

-- the demo's form: a BEFORE trigger with SKIP queues the event and stores no row
create schema queue;
create table queue.event1 (id int primary key, name text);
create trigger ev1 before insert on queue.event1 for each row execute procedure pgq.logutriga('singlequeue', 'SKIP');
insert into queue.event1 values (1, 'user');
select is((select count(*)::int from queue.event1), 0, 'SKIP: no row stored');
select row_eq($$select ev_type, ev_data, ev_extra1 from pg_temp.last_event()$$,
              row('I:id'::text, 'id=1&name=user'::text, 'queue.event1'::text), 'the SKIP form''s event');

-- encodings
create table t (id int, k text, val text, b bool, primary key (id, k));
create trigger t_l after insert or update or delete on t for each row execute procedure pgq.logutriga('singlequeue', 'backup');
insert into t values (1, 'a b', 'x&y=z+%', true);
select row_eq($$select ev_type, ev_data, ev_extra1, ev_extra2 from pg_temp.last_event()$$,
              row('I:id,k'::text, 'id=1&k=a+b&val=x%26y%3dz%2b%25&b=t'::text, 'public.t'::text, null::text),
              'logutriga: urlencoded, lower-case hex, + for space, bool as t');
update t set val = null;
select row_eq($$select ev_type, ev_data, ev_extra2 from pg_temp.last_event()$$,
              row('U:id,k'::text, 'id=1&k=a+b&val&b=t'::text, 'id=1&k=a+b&val=x%26y%3dz%2b%25&b=t'::text),
              'NULL as a bare name; backup puts the old row in ev_extra2');
select throws_ok($$update t set k = 'b'$$, '22023', 'primary key update not allowed');
delete from t;
select row_eq($$select ev_type, ev_data from pg_temp.last_event()$$,
              row('D:id,k'::text, 'id=1&k=a+b&val&b=t'::text), 'delete: the old row');
drop trigger t_l on t;

create trigger t_s after insert or update or delete on t for each row execute procedure pgq.sqltriga('singlequeue');
insert into t values (2, 'k', 'it''s', null);
select row_eq($$select ev_type, ev_data from pg_temp.last_event()$$,
              row('I'::text, $v$(id,k,val,b) values ('2','k','it''s',null)$v$::text), 'sqltriga insert');
update t set val = 'v', b = true;
select row_eq($$select ev_type, ev_data from pg_temp.last_event()$$,
              row('U'::text, $v$val='v',b='t' where id='2' and k='k'$v$::text), 'sqltriga update');
update t set val = 'v';
select is((select ev_data from pg_temp.last_event()), $v$id='2' where id='2' and k='k'$v$, 'nothing changed: the first key');
delete from t;
select row_eq($$select ev_type, ev_data from pg_temp.last_event()$$,
              row('D'::text, $v$id='2' and k='k'$v$::text), 'sqltriga delete');
drop trigger t_s on t;

create trigger t_j after insert on t for each row execute procedure pgq.jsontriga('singlequeue');
insert into t values (3, 'q"', null, false);
select row_eq($$select ev_type, ev_data from pg_temp.last_event()$$,
              row('{"op":"INSERT","table":["public","t"],"pkey":["id","k"]}'::text,
                  '{"id":3,"k":"q\"","val":null,"b":false}'::text), 'jsontriga');
drop trigger t_j on t;

-- options
create trigger t_o after insert or update on t for each row
    execute procedure pgq.logutriga('singlequeue', 'ignore=val', 'pkey=k', 'ev_extra3=upper(k)', 'when=id > 0');
insert into t values (4, 'w', 'ignored', true);
select row_eq($$select ev_type, ev_data, ev_extra3 from pg_temp.last_event()$$,
              row('I:k'::text, 'id=4&k=w&b=t'::text, 'W'::text), 'ignore=, pkey=, ev_extra3=, when=');
select pg_temp.events() as before_ignored \gset
update t set val = 'changed' where id = 4;
select is(pg_temp.events(), :before_ignored::bigint, 'an update of ignored columns only: no event');
insert into t values (-1, 'neg', null, null);
select is(pg_temp.events(), :before_ignored::bigint, 'when= false: no event');
drop trigger t_o on t;

create table m (id int primary key, _pgq_ev_type text, _pgq_ev_extra1 text, d text);
create trigger m_l after insert on m for each row execute procedure pgq.logutriga('singlequeue', 'ev_extra1=''arg''');
insert into m values (1, 'custom', 'magic', 'data');
select row_eq($$select ev_type, ev_data, ev_extra1 from pg_temp.last_event()$$,
              row('custom'::text, 'id=1&d=data'::text, 'arg'::text), 'magic columns: left out, override; arguments win');

create table nokey (a int, b text);
create trigger nk after insert or update on nokey for each row execute procedure pgq.logutriga('singlequeue');
insert into nokey values (1, 'x');
select is((select ev_type from pg_temp.last_event()), 'I:', 'insert into a table without key');
select throws_ok($$update nokey set b = 'y'$$, '22023', 'Update/Delete on table without pkey');

create trigger t_deny before insert on t for each row execute procedure pgq.sqltriga('singlequeue', 'deny');
select throws_ok($$insert into t values (9, 'z')$$, 'P0001',
                 $m$Table 'public.t' to queue 'singlequeue': change not allowed (INSERT)$m$);
set session_replication_role = local;
select lives_ok($$insert into t values (9, 'z')$$, 'local role: the trigger does nothing, deny included');
reset session_replication_role;
drop trigger t_deny on t;

create trigger t_tr after truncate on t for each statement execute procedure pgq.sqltriga('singlequeue');
truncate t;
select row_eq($$select ev_type, ev_data, ev_extra1 from pg_temp.last_event()$$,
              row('R'::text, ''::text, 'public.t'::text), 'truncate event');
drop trigger t_tr on t;

-- errors of a trigger defined wrongly
create table e (id int primary key);
create trigger e1 after insert on e for each row execute procedure pgq.logutriga();
select throws_ok($$insert into e values (1)$$, '22023', 'pgq trigger must have destination queue as argument');
drop trigger e1 on e;
create trigger e2 after insert on e for each row execute procedure pgq.logutriga('singlequeue', 'SKIP');
select throws_ok($$insert into e values (1)$$, '22023', 'SKIP does not work in AFTER trigger.');
drop trigger e2 on e;
create trigger e3 after insert on e for each row execute procedure pgq.logutriga('singlequeue', 'nonsense');
select throws_ok($$insert into e values (1)$$, '22023', 'bad param to pgq trigger');
drop trigger e3 on e;
create trigger e4 after insert on e for each statement execute procedure pgq.logutriga('singlequeue');
select throws_ok($$insert into e values (1)$$, '22023', 'pgq Ins/Upd/Del trigger must be fired FOR EACH ROW');
drop trigger e4 on e;
create trigger e5 after truncate on e for each statement execute procedure pgq.logutriga('singlequeue', 'backup');
select throws_ok($$truncate e$$, '22023', 'bad param to pgq trigger', 'truncate trigger with row-only arguments');
drop trigger e5 on e;
create trigger e6 after insert on e for each row execute procedure pgq.logutriga('singlequeue', 'when=null');
select throws_ok($$insert into e values (1)$$, '22004', 'when= should not be NULL');
drop trigger e6 on e;
create table bad (id int primary key, _pgq_ev_bogus text);
create trigger b1 after insert on bad for each row execute procedure pgq.logutriga('singlequeue');
select throws_ok($$insert into bad values (1)$$, '22023', 'Unknown magic column: _pgq_ev_bogus');
create table sk (id int primary key, v text);
create trigger s1 after delete on sk for each row execute procedure pgq.sqltriga('singlequeue', 'pkey=v');
insert into sk values (1, null);
select throws_ok($$delete from sk$$, '23502', 'logtriga: Unexpected NULL key value');

-- the statement-level forms
create table bk (id int primary key, v text);
create trigger bk_i after insert on bk referencing new table as pgq_new
    for each statement execute procedure pgq.logutriga_bulk('singlequeue');
create trigger bk_u after update on bk referencing old table as pgq_old new table as pgq_new
    for each statement execute procedure pgq.logutriga_bulk('singlequeue', 'backup');
insert into bk values (1, 'a b'), (2, null);
select results_eq($$select ev_type, ev_data from pgq.event_1 order by ev_id desc limit 2$$,
                  $$values ('I:id', 'id=2&v'), ('I:id', 'id=1&v=a+b')$$, 'logutriga_bulk: one event per row, in order');
update bk set v = 'c' where id = 1;
select row_eq($$select ev_type, ev_data, ev_extra2 from pg_temp.last_event()$$,
              row('U:id'::text, 'id=1&v=c'::text, 'id=1&v=a+b'::text), 'update pairs old and new rows by key');
select throws_ok($$update bk set id = 3 where id = 2$$, '22023', 'primary key update not allowed');
select pg_temp.events() as before_none \gset
update bk set v = 'x' where id = 99;
select is(pg_temp.events(), :before_none::bigint, 'no rows, no events');
create table bk2 (id int primary key);
create trigger bk2_d after delete on bk2 for each statement execute procedure pgq.logutriga_bulk('singlequeue');
insert into bk2 values (1);
select throws_like($$delete from bk2$$, 'pgq.logutriga_bulk needs REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS pgq_old (update, delete)%',
                   'transition tables are required');
-- without its transition tables a bulk trigger's statements would read
-- whatever the search_path finds under those names (a view whose function
-- runs with the rights of whoever changes the table): it refuses instead
create sequence public.pgq_old_reads;
create function public.pgq_old_fn() returns int language sql as $$select nextval('public.pgq_old_reads')::int$$;
create view public.pgq_old as select public.pgq_old_fn() as id, 'x'::text as v;
create table bk3 (id int primary key, v text);
create trigger bk3_u after update on bk3 referencing new table as pgq_new
    for each statement execute procedure pgq.logutriga_bulk('singlequeue');
insert into bk3 values (1, 'a');
select throws_like($$update bk3 set v = 'b'$$,
                   'pgq.logutriga_bulk needs REFERENCING NEW TABLE AS pgq_new (insert, update) and OLD TABLE AS pgq_old (update, delete): trigger bk3_u on public.bk3 has NEW TABLE AS pgq_new',
                   'an UPDATE trigger without OLD TABLE is refused');
create trigger bk3_d after delete on bk3 referencing old table as old_rows
    for each statement execute procedure pgq.sqltriga_bulk('singlequeue');
select throws_like($$delete from bk3$$, 'pgq.sqltriga_bulk needs REFERENCING % has OLD TABLE AS old_rows',
                   'so is one whose table has another name');
select is((select is_called from public.pgq_old_reads), false, 'and the view named pgq_old was never read');
drop view public.pgq_old;
create trigger bk2_r after insert on bk2 for each row execute procedure pgq.sqltriga_bulk('singlequeue');
select throws_ok($$insert into bk2 values (2)$$, '22023',
                 'pgq bulk trigger must be AFTER INSERT, UPDATE or DELETE ... FOR EACH STATEMENT');
drop trigger bk2_r on bk2;
-- the trigger's level and timing are checked before SKIP, in both forms
create trigger bk2_b before insert on bk2 for each statement execute procedure pgq.logutriga_bulk('singlequeue', 'SKIP');
select throws_ok($$insert into bk2 values (3)$$, '22023',
                 'pgq bulk trigger must be AFTER INSERT, UPDATE or DELETE ... FOR EACH STATEMENT',
                 'a BEFORE statement trigger with SKIP: the level error first');
drop trigger bk2_b on bk2;

-- errors that depend on the rows, one table run against the row trigger and
-- the statement-level (_bulk) form: the same code and text from both
create function pg_temp.trigger_errors() returns setof text language plpgsql as $f$
declare
    c      record;
    f      text;
    v_kind text;
begin
    set local client_min_messages = warning;
    for f in select unnest(array['row', 'bulk']) loop
        for c in select * from (values
            ('key update', 'id int primary key, v text', '', 'insert into te values (1, ''a'')',
             'update te set id = 2', '22023', 'primary key update not allowed'),
            ('no key', 'id int, v text', '', 'insert into te values (1, ''a'')',
             'update te set v = ''b''', '22023', 'Update/Delete on table without pkey'),
            ('deny', 'id int primary key', ', ''deny''', '',
             'insert into te values (1)', 'P0001', 'Table ''public.te'' to queue ''singlequeue'': change not allowed (INSERT)'),
            ('when= NULL', 'id int primary key, b bool', ', ''when=b''', 'insert into te values (1, true)',
             'insert into te values (2, null)', '22004', 'when= should not be NULL'),
            ('unknown magic column', 'id int primary key, _pgq_ev_bogus text', '', '',
             'insert into te values (1)', '22023', 'Unknown magic column: _pgq_ev_bogus'),
            ('NULL key value (sqltriga)', 'id int primary key, v text', ', ''pkey=v''', 'insert into te values (1, null)',
             'delete from te', '23502', 'logtriga: Unexpected NULL key value'),
            ('an UPDATE that changes nothing, no key column (sqltriga)', 'id int primary key, v text', ', ''pkey=nosuch''',
             'insert into te values (1, ''a'')', 'update te set v = v', '23502', 'logtriga: Unexpected NULL key value'),
            ('bad argument', 'id int primary key', ', ''nonsense''', '',
             'insert into te values (1)', '22023', 'bad param to pgq trigger'),
            ('SKIP in an AFTER trigger', 'id int primary key', ', ''SKIP''', '',
             'insert into te values (1)', '22023', 'SKIP does not work in AFTER trigger.')
        ) v(name, cols, args, prep, stmt, code, msg) loop
            -- the NULL key is sqltriga's error (it needs the key for its WHERE)
            v_kind := case when c.name like '%(sqltriga)' then 'sqltriga' else 'logutriga' end;
            drop table if exists te;
            execute format('create table te (%s)', c.cols);
            if f = 'row' then
                execute format('create trigger te_r after insert or update or delete on te for each row '
                               'execute procedure pgq.%s(''singlequeue''%s)', v_kind, c.args);
            else
                execute format('create trigger te_i after insert on te referencing new table as pgq_new '
                               'for each statement execute procedure pgq.%s_bulk(''singlequeue''%s)', v_kind, c.args);
                execute format('create trigger te_u after update on te referencing old table as pgq_old new table as pgq_new '
                               'for each statement execute procedure pgq.%s_bulk(''singlequeue''%s)', v_kind, c.args);
                execute format('create trigger te_d after delete on te referencing old table as pgq_old '
                               'for each statement execute procedure pgq.%s_bulk(''singlequeue''%s)', v_kind, c.args);
            end if;
            if c.prep <> '' then
                execute c.prep;
            end if;
            return next throws_ok(c.stmt, c.code, c.msg, f || ' trigger: ' || c.name);
        end loop;
    end loop;
    drop table te;
end;
$f$;
select * from pg_temp.trigger_errors();

-- the trigger plan both forms take (pgq._trigger_plan) is made from the
-- catalog at each call: a key added, a key changed and pkey= are seen at once
create table pt (id int, k2 int, _pgq_ev_extra2 text, v text);
create function pg_temp.plan(i_form text, i_args text[]) returns table (keys text[], omit text[], magic int4[], row_error text)
language sql as $f$
    select p.keys, p.omit, p.magic, p.row_error
      from pgq._trigger_plan(i_form, 'logutriga', 'UPDATE', 'AFTER', case i_form when 'row' then 'ROW' else 'STATEMENT' end,
                             'pt'::regclass, i_args, 'pt_u') p
$f$;
create trigger pt_u after update on pt referencing old table as pgq_old new table as pgq_new
    for each statement execute procedure pgq.logutriga_bulk('singlequeue');
select row_eq($$select * from pg_temp.plan('row', array['q', 'ignore=v'])$$,
              row('{}'::text[], '{v,_pgq_ev_extra2}'::text[], '{NULL,NULL,NULL,3,NULL,NULL}'::int4[], 'no_pkey'::text),
              'plan: no key is the first row''s error; ignored and magic columns omitted; magic positions');
alter table pt add primary key (id);
select row_eq($$select keys, row_error from pg_temp.plan('bulk', array['q'])$$, row('{id}'::text[], null::text),
              'plan: a primary key added is seen at the next call');
alter table pt drop constraint pt_pkey, add primary key (k2, id);
select row_eq($$select keys, row_error from pg_temp.plan('row', array['q'])$$, row('{k2,id}'::text[], null::text),
              'plan: a changed primary key is seen at once (key columns in the key''s order, as PgQ''s C triggers)');
select row_eq($$select keys from pg_temp.plan('bulk', array['q', 'pkey=v,id'])$$, row('{v,id}'::text[]),
              'plan: pkey= wins, in its own order');
select throws_ok($$select * from pg_temp.plan('bulk', array['q', 'SKIP'])$$, '22023', 'SKIP does not work in AFTER trigger.',
                 'plan: definition errors are raised by the plan, for both forms');
drop table pt;

-- urlencoding: long values of every kind of run come out as PgQ writes them
select is(pgq._urlencode(repeat('é a_', 1000)), repeat('%c3%a9+a_', 1000), 'urlencode: runs of non-ASCII, spaces and safe characters');
select is(pgq._urlencode(repeat('€', 30000)), repeat('%e2%82%ac', 30000), 'urlencode: one long non-ASCII run');
select is(pgq._urlencode('  x&y=z%' || chr(10)), '++x%26y%3dz%25%0a', 'urlencode: spaces, reserved and control characters');
select is(pgq._urlencode_bytes(''), '', 'urlencode_bytes of nothing is empty');

select * from finish();
