-- Privileges of pgq_coop (PgQ pgq_coop's grants.ini): consumers (pgq_reader)
-- call everything; anyone may ask for the version.  Every function loses
-- its default PUBLIC execute, and whatever an earlier install granted, first.
grant usage on schema pgq_coop to public;

do $grants$
declare
    v_fn     regprocedure;
    v_roles  text;
    v_reader bool;
begin
    -- a role that does not exist (pgq installed by a role without
    -- CREATEROLE) is skipped; running this file again grants it its share
    select pg_catalog.string_agg(pg_catalog.quote_ident(rolname), ', '),
           pg_catalog.bool_or(rolname = 'pgq_reader')
      into v_roles, v_reader
      from pg_catalog.pg_roles
     where rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin');
    for v_fn in
        select p.oid::regprocedure from pg_catalog.pg_proc p
         where p.pronamespace = 'pgq_coop'::regnamespace
    loop
        execute pg_catalog.format('revoke all on function %s from public%s', v_fn, pg_catalog.concat(', ' || v_roles));
    end loop;
    if v_reader then
        grant execute on function
            pgq_coop.register_subconsumer(text, text, text),
            pgq_coop.unregister_subconsumer(text, text, text, integer),
            pgq_coop.next_batch(text, text, text),
            pgq_coop.next_batch(text, text, text, interval),
            pgq_coop.next_batch_custom(text, text, text, interval, int4, interval),
            pgq_coop.next_batch_custom(text, text, text, interval, int4, interval, interval),
            pgq_coop.finish_batch(bigint)
        to pgq_reader;
    end if;
end;
$grants$;

grant execute on function pgq_coop.version() to public;
