create or replace function pgq_ext._mine(i_owner name)
returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext._mine(i_owner): whether rows that i_owner wrote are the
    -- current role's own progress, to be read and moved by its consumer:
    -- i_owner is the current role, or a role it is really a member of, or
    -- NULL (a row from before 4.1).  Narrower than the row-level security
    -- policy (pgq_ext._owns), which lets a superuser and pgq_admin see every
    -- row: rows are keyed by consumer name only, so any pgq_writer can write
    -- a row for a consumer name that has none yet, and a superuser's or
    -- pgq_admin's consumer must not take such a row for its own position.
    -- Returns: false for a role that no longer exists.
    select i_owner is null
        or i_owner = current_user
        or (not coalesce((select r.rolsuper from pg_roles r where r.rolname = current_user), false)
            and coalesce(pg_has_role((select r.oid from pg_roles r where r.rolname = i_owner), 'MEMBER'), false));
$$;
