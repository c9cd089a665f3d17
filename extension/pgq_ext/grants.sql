-- Privileges of pgq_ext: consumers (pgq_writer, as they write into this
-- database) may call everything; anyone may ask for the version.
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
