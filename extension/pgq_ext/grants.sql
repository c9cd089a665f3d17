-- Privileges of pgq_ext: consumers (pgq_writer, as they write into this
-- database) may call everything; anyone may ask for the version.  The
-- functions run with the caller's rights (since 4.1): writers use the tables
-- directly, and row-level security (policy owner_rows) keeps each role to the
-- rows it wrote.
grant usage on schema pgq_ext to public;

do $grants$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid::regprocedure from pg_catalog.pg_proc p
         where p.pronamespace = 'pgq_ext'::regnamespace
    loop
        execute format('revoke all on function %s from public, pgq_reader, pgq_writer, pgq_admin', v_fn);
        execute format('grant execute on function %s to pgq_writer', v_fn);
    end loop;
end;
$grants$;

grant execute on function pgq_ext.version() to public;

grant select, insert, update, delete
   on pgq_ext.completed_tick, pgq_ext.completed_batch, pgq_ext.completed_event, pgq_ext.partial_batch
   to pgq_writer;
