// The catalog of pgq's schemas as sorted text lines, one fact a line, so that
// two databases (an upgraded one and a fresh install) can be compared with a
// plain line diff.  Covered: the schemas themselves; functions (arguments,
// result, language, volatility, strictness, security, config, owner, ACL and a
// hash of the body); tables, partitioned tables and their partitions (kind, row-level security,
// bound, parents, reloptions, owner, ACL), columns (position among live
// columns, type, not null, default, collation, identity), constraints,
// indexes, triggers, policies; sequences (parameters, OWNED BY, owner, ACL); views;
// extension membership and pg_extension's extconfig/extcondition; initial
// privileges (pg_init_privs), which decide what pg_dump writes as grants.
// Roles are cluster-wide and so the same on both sides.
import type pg from "pg";

const QUERIES: Record<string, string> = {
  schema: `
    select format('schema %I owner=%s acl=%s', n.nspname, n.nspowner::regrole,
                  coalesce((select string_agg(a::text, ',' order by a::text)
                              from unnest(n.nspacl) a), '-'))
      from pg_namespace n where n.nspname = any($1)`,
  function: `
    select format('function %s returns %s lang=%s kind=%s vol=%s strict=%s secdef=%s leakproof=%s parallel=%s config=%s owner=%s acl=%s args=%s body=%s',
                  p.oid::regprocedure, pg_get_function_result(p.oid), l.lanname, p.prokind,
                  p.provolatile, p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel,
                  coalesce(array_to_string(p.proconfig, ';'), '-'), p.proowner::regrole,
                  coalesce((select string_agg(a::text, ',' order by a::text) from unnest(p.proacl) a), '-'),
                  pg_get_function_arguments(p.oid), md5(p.prosrc))
      from pg_proc p
      join pg_namespace n on n.oid = p.pronamespace
      join pg_language l on l.oid = p.prolang
     where n.nspname = any($1)`,
  relation: `
    select format('relation %s kind=%s persistence=%s rls=%s/%s parents=%s partkey=%s bound=%s options=%s owner=%s acl=%s',
                  c.oid::regclass, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
                  coalesce((select string_agg(i.inhparent::regclass::text, ',' order by i.inhseqno)
                              from pg_inherits i where i.inhrelid = c.oid), '-'),
                  coalesce(pg_get_partkeydef(c.oid), '-'),
                  coalesce(pg_get_expr(c.relpartbound, c.oid), '-'),
                  coalesce(array_to_string(c.reloptions, ','), '-')
                    || coalesce(' toast:' || (select array_to_string(t.reloptions, ',')
                                               from pg_class t where t.oid = c.reltoastrelid), ''),
                  c.relowner::regrole,
                  coalesce((select string_agg(a::text, ',' order by a::text) from unnest(c.relacl) a), '-'))
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')`,
  column: `
    select format('column %s.%I #%s type=%s notnull=%s default=%s collation=%s identity=%s generated=%s',
                  c.oid::regclass, a.attname,
                  row_number() over (partition by c.oid order by a.attnum),
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  coalesce(pg_get_expr(d.adbin, d.adrelid), '-'),
                  coalesce(nullif(a.attcollation, 0)::regcollation::text, '-'),
                  nullif(a.attidentity, ''), nullif(a.attgenerated, ''))
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
     where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'f')`,
  constraint: `
    select format('constraint %s %I type=%s %s deferrable=%s validated=%s inherited=%s',
                  c.conrelid::regclass, c.conname, c.contype, pg_get_constraintdef(c.oid),
                  c.condeferrable, c.convalidated, c.coninhcount > 0)
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
     where n.nspname = any($1)`,
  index: `
    select format('index %s %s', i.indexrelid::regclass, pg_get_indexdef(i.indexrelid))
      from pg_index i join pg_class c on c.oid = i.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1)`,
  trigger: `
    select format('trigger %s', pg_get_triggerdef(t.oid))
      from pg_trigger t join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1) and not t.tgisinternal`,
  policy: `
    select format('policy %s %I cmd=%s permissive=%s roles=%s using=%s check=%s',
                  p.polrelid::regclass, p.polname, p.polcmd, p.polpermissive,
                  (select string_agg(case when r = 0 then 'public' else r::regrole::text end, ',' order by 1)
                     from unnest(p.polroles) r),
                  coalesce(pg_get_expr(p.polqual, p.polrelid), '-'), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-'))
      from pg_policy p join pg_class c on c.oid = p.polrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1)`,
  sequence: `
    select format('sequence %s type=%s start=%s inc=%s min=%s max=%s cache=%s cycle=%s owned_by=%s',
                  s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin,
                  s.seqmax, s.seqcache, s.seqcycle,
                  coalesce((select d.refobjid::regclass || '.' || a.attname
                              from pg_depend d
                              join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                             where d.classid = 'pg_class'::regclass and d.objid = s.seqrelid
                               and d.deptype in ('a', 'i')), '-'))
      from pg_sequence s join pg_class c on c.oid = s.seqrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1)`,
  view: `
    select format('view %s %s', c.oid::regclass, md5(pg_get_viewdef(c.oid)))
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1) and c.relkind in ('v', 'm')`,
  type: `
    select format('type %s kind=%s', t.oid::regtype, t.typtype)
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
     where n.nspname = any($1) and t.typrelid = 0 and t.typelem = 0`,
  member: `
    select format('member of %s: %s', e.extname, pg_describe_object(d.classid, d.objid, d.objsubid))
      from pg_depend d join pg_extension e on e.oid = d.refobjid
     where d.refclassid = 'pg_extension'::regclass and d.deptype = 'e'
       and e.extname = any($2) and cardinality($1::text[]) >= 0`,
  // pg_dump writes an object's ACL as the difference from its initial
  // privileges: a GRANT run by an update script on a per-queue table records
  // some (even though the table is no extension member), and its dump then
  // leaves the grants out
  initprivs: `
    select format('initprivs %s %s %s', pg_describe_object(i.classoid, i.objoid, i.objsubid), i.privtype,
                  (select string_agg(a::text, ',' order by a::text) from unnest(i.initprivs) a))
      from pg_init_privs i
     where (i.classoid = 'pg_class'::regclass
            and i.objoid in (select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1)))
        or (i.classoid = 'pg_proc'::regclass
            and i.objoid in (select p.oid from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1)))
        or (i.classoid = 'pg_namespace'::regclass
            and i.objoid in (select n.oid from pg_namespace n where n.nspname = any($1)))`,
  extension: `
    select format('extension %s version=%s schema=%s relocatable=%s config=%s',
                  e.extname, e.extversion, e.extnamespace::regnamespace, e.extrelocatable,
                  coalesce((select string_agg(c::regclass || ':' || coalesce(w, ''), ',' order by c::regclass::text)
                              from unnest(e.extconfig, e.extcondition) x(c, w)), '-'))
      from pg_extension e where e.extname = any($2) and cardinality($1::text[]) >= 0`,
};

/** The catalog facts of the given schemas and extensions, sorted. */
export async function describeCatalog(
  client: pg.Client,
  schemas: string[] = ["pgq", "pgq_ext"],
  extensions: string[] = ["pgq", "pgq_ext"],
): Promise<string[]> {
  const lines: string[] = [];
  for (const sql of Object.values(QUERIES)) {
    const params = sql.includes("$2") ? [schemas, extensions] : [schemas];
    const r = await client.query<{ format: string }>(sql, params);
    for (const row of r.rows) lines.push(row.format);
  }
  return lines.sort();
}

/** Lines only on one side, as "- left" / "+ right"; empty when equal. */
export function diffLines(left: string[], right: string[]): string[] {
  const l = new Set(left);
  const r = new Set(right);
  return [
    ...left.filter((x) => !r.has(x)).map((x) => `- ${x}`),
    ...right.filter((x) => !l.has(x)).map((x) => `+ ${x}`),
  ];
}
