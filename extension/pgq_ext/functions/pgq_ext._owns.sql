create or replace function pgq_ext._owns(i_owner name)
returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext._owns(i_owner): whether the current role may use rows that
    -- i_owner wrote: it is i_owner or a member of it, or of pgq_admin.  The
    -- row-level security policy of the pgq_ext tables.
    -- Returns: false for a role that no longer exists.
    select coalesce(pg_has_role((select r.oid from pg_roles r where r.rolname = i_owner), 'MEMBER'), false)
        or coalesce(pg_has_role((select r.oid from pg_roles r where r.rolname = 'pgq_admin'), 'MEMBER'), false);
$$;
