create or replace function pgq._grant_perms_from(src_schema text, src_table text, dst_schema text, dst_table text)
returns int4
language plpgsql strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._grant_perms_from(src_schema, src_table, dst_schema, dst_table):
    -- repeat on the destination table every privilege granted on the source
    -- table (as information_schema.table_privileges lists them), with grant
    -- option where the source has it.
    -- Returns: 1.
    -- Tables: information_schema.table_privileges (read); GRANTs.
declare
    v_priv record;
begin
    for v_priv in
        select grantee, privilege_type, is_grantable
          from information_schema.table_privileges
         where table_schema = src_schema
           and table_name = src_table
           and grantee <> (select pg_catalog.pg_get_userbyid(c.relowner)
                             from pg_catalog.pg_class c
                            where c.oid = (pg_catalog.quote_ident(src_schema) || '.'
                                           || pg_catalog.quote_ident(src_table))::regclass)
    loop
        execute format('grant %s on table %I.%I to %s%s',
                       v_priv.privilege_type, dst_schema, dst_table,
                       case when v_priv.grantee = 'PUBLIC' then 'public'
                            else pg_catalog.quote_ident(v_priv.grantee) end,
                       case when v_priv.is_grantable = 'YES' then ' with grant option' else '' end);
    end loop;
    return 1;
end;
$$;
