// What is installed where (pgqadm install, pgq-runner's check of each
// database) and whom to trust: the trust checks read pg_catalog only, so
// nothing of pgq is called before its owners are known.
import format from "pg-format";

export const catalog = {
  // Whether an extension's schema is there (pgq, pgq_ext, pgq_coop; as an
  // extension or a plain script) and, if an extension, its version: the
  // one "is it installed" check of pgqadm install and pgq-runner.
  installed:
    "select (select extversion from pg_catalog.pg_extension where extname = $1) as ext," +
    " pg_catalog.to_regnamespace($1) is not null as has_schema",
  isExtension: "select 1 from pg_catalog.pg_extension where extname = $1",
  /** The installed version of pgq, pgq_ext or pgq_coop (its version() function). */
  versionOf: {
    pgq: "select pgq.version() as version",
    pgq_ext: "select pgq_ext.version() as version",
    pgq_coop: "select pgq_coop.version() as version",
  },
  createExtension: (name: string): string => format("create extension %I", name),
  // pgq-runner: the databases it may serve
  databases: "select datname from pg_catalog.pg_database where not datistemplate and datallowconn order by 1",

  // Trust: the first object that a role other than a superuser or the
  // session's own role owns, among the schemas $1 (the schema, its
  // functions, relations, types, operators, and the functions of triggers
  // on its tables), or among schema $1 and its functions named $2.
  untrustedObject: `
    with objs(ord, kind, name, owner) as (
        select 1, 'schema', n.nspname::text, n.nspowner
          from pg_catalog.pg_namespace n
         where n.nspname::text = any($1::text[])
        union all
        select 2, 'function', p.oid::regprocedure::text, p.proowner
          from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
         where n.nspname::text = any($1::text[])
        union all
        select 3, case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'view'
                                 when 'i' then 'index' when 'I' then 'index' else 'table' end,
               c.oid::regclass::text, c.relowner
          from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
         where n.nspname::text = any($1::text[])
        union all
        select 4, 'type', t.oid::regtype::text, t.typowner
          from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
         where n.nspname::text = any($1::text[])
        union all
        select 4, 'operator', o.oid::regoperator::text, o.oprowner
          from pg_catalog.pg_operator o join pg_catalog.pg_namespace n on n.oid = o.oprnamespace
         where n.nspname::text = any($1::text[])
        union all
        select 5, 'trigger function', p.oid::regprocedure::text, p.proowner
          from pg_catalog.pg_trigger g
          join pg_catalog.pg_class c on c.oid = g.tgrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          join pg_catalog.pg_proc p on p.oid = g.tgfoid
         where n.nspname::text = any($1::text[]) and not g.tgisinternal
    )
    select o.kind, o.name, r.rolname::text as owner
      from objs o join pg_catalog.pg_roles r on r.oid = o.owner
     where not r.rolsuper and r.rolname <> current_user
     order by o.ord, o.name
     limit 1`,
  untrustedFunction: `
    with objs(ord, kind, name, owner) as (
        select 1, 'schema', n.nspname::text, n.nspowner
          from pg_catalog.pg_namespace n
         where n.nspname = $1
        union all
        select 2, 'function', p.oid::regprocedure::text, p.proowner
          from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
         where n.nspname = $1 and p.proname = $2
    )
    select o.kind, o.name, r.rolname::text as owner
      from objs o join pg_catalog.pg_roles r on r.oid = o.owner
     where not r.rolsuper and r.rolname <> current_user
     order by o.ord, o.name
     limit 1`,
  // A function of schema $1 named $2 that is no maintenance function: one
  // returning a set, or anything but an integer or a row of OUT parameters
  // whose first is an integer (every maintenance function of PgQ and
  // pgq_node returns int4; londiste.root_check_seqs returns (ret_code int4,
  // ret_note text), which pgqd calls once: atoi() of the row is 0).
  unfitMaintFunction: `
    select p.oid::pg_catalog.regprocedure::pg_catalog.text as name,
           case when p.proretset then 'setof ' else '' end || pg_catalog.format_type(p.prorettype, null) as returns
      from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     where n.nspname = $1 and p.proname = $2
       and (p.proretset
            or p.prorettype not in ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype,
                                    'pg_catalog.int8'::pg_catalog.regtype, 'pg_catalog.record'::pg_catalog.regtype)
            or p.prorettype = 'pg_catalog.record'::pg_catalog.regtype
               and not coalesce((select a.typ
                                   from rows from (pg_catalog.unnest(p.proallargtypes), pg_catalog.unnest(p.proargmodes))
                                        with ordinality as a(typ, mode, ord)
                                  where a.mode operator(pg_catalog.=) any ('{o,b,t}'::"char"[])
                                  order by a.ord
                                  limit 1) in ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype,
                                               'pg_catalog.int8'::pg_catalog.regtype), false))
     order by 1
     limit 1`,
} as const;
