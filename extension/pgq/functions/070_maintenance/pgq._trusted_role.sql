create or replace function pgq._trusted_role(i_role oid)
returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trusted_role(i_role): whether i_role is a superuser or owns
    -- schema pgq, that is, could run anything here already.
    select exists (select 1 from pg_roles r where r.oid = i_role and r.rolsuper)
        or i_role = (select n.nspowner from pg_namespace n where n.nspname = 'pgq');
$$;
