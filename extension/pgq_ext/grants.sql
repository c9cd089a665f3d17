-- Privileges of pgq_ext: consumers (pgq_writer, as they write into this
-- database) may call everything; anyone may ask for the version.  The
-- functions run with the caller's rights (since 4.1): writers use the tables
-- directly, and row-level security (policy owner_rows) keeps each role to the
-- rows it wrote.
grant usage on schema pgq_ext to public;

do $grants$
declare
    v_fn     regprocedure;
    v_roles  text;
    v_writer bool;
begin
    -- a role that does not exist (pgq installed by a role without
    -- CREATEROLE) is skipped; running this file again grants it its share
    select pg_catalog.string_agg(pg_catalog.quote_ident(rolname), ', '),
           pg_catalog.bool_or(rolname = 'pgq_writer')
      into v_roles, v_writer
      from pg_catalog.pg_roles
     where rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin');
    for v_fn in
        select p.oid::regprocedure from pg_catalog.pg_proc p
         where p.pronamespace = 'pgq_ext'::regnamespace
    loop
        execute pg_catalog.format('revoke all on function %s from public%s', v_fn, pg_catalog.concat(', ' || v_roles));
        if v_writer then
            execute pg_catalog.format('grant execute on function %s to pgq_writer', v_fn);
        end if;
    end loop;
    if v_writer then
        grant select, insert, update, delete
           on pgq_ext.completed_tick, pgq_ext.completed_batch, pgq_ext.completed_event, pgq_ext.partial_batch
           to pgq_writer;
    end if;
end;
$grants$;

grant execute on function pgq_ext.version() to public;
