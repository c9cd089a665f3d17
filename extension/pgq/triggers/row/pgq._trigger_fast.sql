create or replace function pgq._trigger_fast(
    i_kind text, i_op text, i_when text, i_level text, i_relid oid, i_argv text[],
    i_schema text, i_table text, i_new anyelement, i_old anyelement)
returns int4
language plpgsql
as $$
    -- pgq._trigger_fast(i_kind, i_op, i_when, i_level, i_relid, i_argv,
    --     i_schema, i_table, i_new, i_old): the row triggers' common case in
    -- a few statements: an INSERT, UPDATE or DELETE by a ROW trigger whose
    -- arguments are the queue and any of SKIP, backup, ignore= and pkey=,
    -- on a table pgq._trigger_table_plan can serve (kept per session,
    -- checked here at each row).  logutriga's and sqltriga's events are
    -- made in one statement.  The
    -- values are read from the rows (NEW and OLD) as to_json() writes them,
    -- which is the types' text output but for the types the plan converts
    -- back (boolean, date, timestamps); they are then encoded by the same
    -- helpers as pgq._trigger_event's.
    -- The plan is a setting, which any code in the session can change:
    -- whatever decides an event is checked in the catalog at each row.
    -- to_json() would run a cast to json that the owner of a column's type
    -- may create, so a table with a column of a type that pgq._trigger_kind
    -- does not list is never served; the plan's column kinds and types (how values are
    -- converted and written) and its column count are pg_attribute's; its
    -- column names are the row's; the arguments and the queue are the
    -- trigger's (pkey= too); the key columns are checked in the catalog
    -- (see there); which columns an UPDATE changed (key updates, ignore=)
    -- is judged as PgQ's C triggers judge it, with the type's equality, by
    -- the checked kinds (see the end).  What a plan set by hand can
    -- still do is make a row take the general path.  (Its elements are
    -- cast: one that is not of its type makes the statement fail.)
    -- Returns: 2 when it did nothing and pgq._trigger_event must handle the
    --   row (anything else: other arguments, a statement-level trigger or
    --   TRUNCATE, a trigger defined wrongly, a key changed or missing, a
    --   replica session, a table it cannot serve); otherwise the event is
    --   queued and 1 means return the row, 0 return NULL.
    -- Every call and operator is qualified: it runs under the search_path of
    -- whoever changes the table.
    -- Tables: the queue (insert, through pgq.insert_event).
declare
    v_lo      pg_catalog.int4 := pg_catalog.array_lower(i_argv, 1);
    v_queue   pg_catalog.text := i_argv[v_lo];
    v_flags   pg_catalog.text[] := i_argv[v_lo operator(pg_catalog.+) 1 :];  -- the arguments after the queue
    v_skip    pg_catalog.bool;
    v_backup  pg_catalog.bool;
    v_ignore  pg_catalog.text[] := '{}';
    v_pkey    pg_catalog.text[];
    v_other   pg_catalog.bool;
    v_ret     pg_catalog.int4;
    v_ignchg  pg_catalog.bool;
    v_chg     pg_catalog.bool;
    v_plan    pg_catalog.text[];
    v_names   pg_catalog.text[];
    v_keys    pg_catalog.text[];
    v_new     pg_catalog.text[];
    v_old     pg_catalog.text[];
    v_row     pg_catalog.text[];
    v_changed pg_catalog.text[];
    v_ok      pg_catalog.bool;
    v_type    pg_catalog.text;
    v_data    pg_catalog.text;  -- also the setting's text, first
    v_jnew    pg_catalog.json;
    v_jold    pg_catalog.json;
    v_extra2  pg_catalog.text;
    v_whole   pg_catalog.bool;
    v_def     pg_catalog.text;
    v_kinds   pg_catalog.text;
    v_types   pg_catalog.oid[];
begin
    -- (under REPEATABLE READ or SERIALIZABLE the catalog queries below
    -- read the transaction's snapshot, while the row's type is today's: a
    -- column another session added or changed since would not be seen
    -- before to_json() ran on it, so such transactions take the general path)
    if i_level operator(pg_catalog.<>) 'ROW' or v_queue is null
       or pg_catalog.current_setting('session_replication_role') operator(pg_catalog.=) 'local'
       or pg_catalog.current_setting('transaction_isolation') operator(pg_catalog.<>) 'read committed' then
        return 2;
    end if;
    -- ignore= and pkey=, read by pgq._trigger_args (which raises what
    -- pgq._trigger_event would for a bad one); any other argument:
    -- pgq._trigger_event
    if not (v_flags operator(pg_catalog.<@) '{SKIP,backup}'::pg_catalog.text[]) then
        select a.deny or a.when_expr is not null or pg_catalog.array_to_string(a.exprs, '') operator(pg_catalog.<>) '',
               a.ignore, a.pkey
          into v_other, v_ignore, v_pkey
          from pgq._trigger_args(i_argv) a;
        if v_other then
            return 2;
        end if;
    end if;
    v_skip := 'SKIP' operator(pg_catalog.=) any (v_flags);
    if v_skip and i_when operator(pg_catalog.=) 'AFTER' then
        return 2;
    end if;
    v_backup := 'backup' operator(pg_catalog.=) any (v_flags);
    -- what the trigger returns once the row is done: 1 return the row, 0 NULL
    v_ret := case when i_when operator(pg_catalog.<>) 'AFTER' and not v_skip then 1 else 0 end;

    -- the table's plan: kept, unless the table was rewritten, or the plan
    -- says it has no primary key and pg_index says it has one (a key
    -- dropped or changed is seen where the key columns are checked, and a
    -- column added where the columns are, below).
    -- (a setting first made in a transaction that rolled back stays, empty)
    v_data := pg_catalog.current_setting('pgq.trigger_table_' operator(pg_catalog.||) i_relid::pg_catalog.text, true);
    if v_data operator(pg_catalog.<>) '' then
        v_plan := v_data::pg_catalog.text[];
        -- a plan set by hand in another shape: plan again
        if not coalesce(pg_catalog.array_ndims(v_plan) operator(pg_catalog.=) 1
                        and pg_catalog.array_lower(v_plan, 1) operator(pg_catalog.=) 1, false) then
            v_plan := null;
        end if;
    end if;
    if v_plan is null
       or coalesce(v_plan[1] operator(pg_catalog.<>) coalesce(pg_catalog.pg_relation_filenode(i_relid)::pg_catalog.text, ''), true) then
        v_plan := pgq._trigger_table_plan(i_relid);
    elsif coalesce(v_plan[2] operator(pg_catalog.=) '0', true) then
        -- (a query of its own: beside a test of the plan, PL/pgSQL would
        -- plan it afresh at every row, as its custom plan drops the scan)
        if exists (select from pg_catalog.pg_index x
                    where x.indrelid operator(pg_catalog.=) i_relid and x.indisprimary) then
            v_plan := pgq._trigger_table_plan(i_relid);
        end if;
    end if;
    -- the plan's kinds, attribute by attribute (element 5), its types
    -- (7, which only jsontriga reads) and its attribute count (8) are the
    -- catalog's: read in pg_attribute at every row (an aggregate here was
    -- planned afresh at every call, about 80 us; a join to pg_type cost
    -- 10 us, hence pgq._trigger_kind's list of types).  So a column of
    -- any other type is never served (to_json() could run a cast to json
    -- its type's owner made), a column added or changed is seen, and no
    -- value is converted as another type (which could name another row by
    -- a changed key).  A mark that let a transaction's later rows skip
    -- this read could be written by another role's definer-rights function
    -- run earlier in the transaction, so there is none until it can be
    -- kept where only the session user writes.
    if i_kind operator(pg_catalog.=) 'jsontriga' then
        v_types := v_plan[7]::pg_catalog.oid[];
        if not coalesce(pg_catalog.array_ndims(v_types) operator(pg_catalog.=) 1
                        and pg_catalog.array_lower(v_types, 1) operator(pg_catalog.=) 1, false) then
            perform pgq._trigger_table_plan(i_relid);
            return 2;
        end if;
    end if;
    if exists (select from pg_catalog.pg_attribute a
                where a.attrelid operator(pg_catalog.=) i_relid and a.attnum operator(pg_catalog.>) 0
                  and (a.attnum operator(pg_catalog.>) v_plan[8]::pg_catalog.int2
                       or coalesce(pg_catalog.substr(v_plan[5], a.attnum, 1) operator(pg_catalog.<>)
                                   case when a.attisdropped then '-' else pgq._trigger_kind(a.atttypid, a.attcollation) end, true)
                       or (i_kind operator(pg_catalog.=) 'jsontriga'
                           and coalesce(v_types[a.attnum] operator(pg_catalog.<>) a.atttypid, true))))
       or not exists (select from pg_catalog.pg_attribute a
                       where a.attrelid operator(pg_catalog.=) i_relid
                         and a.attnum operator(pg_catalog.=) v_plan[8]::pg_catalog.int2)
       or pg_catalog.length(v_plan[5]) operator(pg_catalog.<>) v_plan[8]::pg_catalog.int4
       or (i_kind operator(pg_catalog.=) 'jsontriga'
           and pg_catalog.array_length(v_types, 1) operator(pg_catalog.<>) v_plan[8]::pg_catalog.int4) then
        perform pgq._trigger_table_plan(i_relid);
        return 2;
    end if;
    -- the columns' kinds and types, in order
    v_kinds := pg_catalog.replace(v_plan[5], '-', '');
    if i_kind operator(pg_catalog.=) 'jsontriga' then
        v_types := pg_catalog.array_remove(v_types, 0::pg_catalog.oid);
    end if;
    -- a column of a type not served, or a magic one: the general path (a
    -- plan whose names leave out a magic column the table has is seen
    -- where the names are compared with the row's, below); so is an
    -- UPDATE of floats under extra_float_digits below 1 (they are compared
    -- as the values to_json() wrote, exact only from 1 up).  (After the
    -- check above, so that a table that drops its last such column is
    -- served at once.)
    if pg_catalog.strpos(v_kinds, 'x') operator(pg_catalog.>) 0
       or pg_catalog.strpos(v_plan[3], '_pgq_ev_') operator(pg_catalog.>) 0
       or (i_op operator(pg_catalog.=) 'UPDATE' and pg_catalog.strpos(v_kinds, 'f') operator(pg_catalog.>) 0
           and pg_catalog.current_setting('extra_float_digits')::pg_catalog.int4 operator(pg_catalog.<) 1) then
        return 2;
    end if;
    v_jnew := pg_catalog.to_json(i_new);
    v_jold := pg_catalog.to_json(i_old);
    v_names := v_plan[3]::pg_catalog.text[];
    v_keys := coalesce(v_pkey, v_plan[4]::pg_catalog.text[]);
    -- the event's key columns: an UPDATE's or DELETE's consumer finds the
    -- row by them, and an INSERT's type names them (but sqltriga's).  They
    -- are pkey='s (the trigger's own argument) or the catalog's, never the
    -- plan's unchecked.  The catalog's: when the plan names the primary
    -- key's constraint (elements 10 and 11), the caches must say that it
    -- is a constraint of this table (pg_identify_object, which writes the
    -- session's own temporary schema as pg_temp) and a primary key of
    -- exactly these columns (pg_get_constraintdef), else the table is
    -- planned again and pgq._trigger_event does the row; without one, the
    -- primary key's columns are read in pg_index (a query of its own,
    -- about 13 us).  No key: an UPDATE or DELETE is left to
    -- pgq._trigger_event, which refuses it; an INSERT's empty key list
    -- is the catalog's when the plan's key index (element 2) is '0', for
    -- then the check above read pg_index.
    if v_keys operator(pg_catalog.=) '{}' and i_op operator(pg_catalog.<>) 'INSERT' then
        return 2;
    elsif v_pkey is not null or (i_kind operator(pg_catalog.=) 'sqltriga' and i_op operator(pg_catalog.=) 'INSERT') then
        null;
    elsif v_keys operator(pg_catalog.=) '{}' then
        if not coalesce(v_plan[2] operator(pg_catalog.=) '0', false) then
            perform pgq._trigger_table_plan(i_relid);
            return 2;
        end if;
    elsif coalesce(v_plan[10] operator(pg_catalog.<>) '0', false)
          and coalesce(pg_catalog.array_ndims(v_keys) operator(pg_catalog.=) 1
                       and pg_catalog.array_lower(v_keys, 1) operator(pg_catalog.=) 1, false) then
        v_def := '';
        for i in 1 .. pg_catalog.array_length(v_keys, 1) loop
            v_def := v_def operator(pg_catalog.||) case when i operator(pg_catalog.>) 1 then ', ' else '' end
                     operator(pg_catalog.||) pg_catalog.quote_ident(v_keys[i]);
        end loop;
        -- (PostgreSQL 13's pg_identify_object fails on an oid that is
        -- no constraint: asked only once pg_get_constraintdef found one)
        -- (operator() binds left to right: the parentheses are needed)
        if not coalesce(case when pg_catalog.pg_get_constraintdef(v_plan[10]::pg_catalog.oid)
                                  operator(pg_catalog.=) ('PRIMARY KEY (' operator(pg_catalog.||) v_def operator(pg_catalog.||) ')')
                             then (pg_catalog.pg_identify_object('pg_catalog.pg_constraint'::pg_catalog.regclass,
                                                                 v_plan[10]::pg_catalog.oid, 0)).identity
                                  operator(pg_catalog.=) (pg_catalog.quote_ident(v_plan[11]) operator(pg_catalog.||) ' on '
                                      operator(pg_catalog.||) case when pg_catalog.quote_ident(i_schema) operator(pg_catalog.=) pg_catalog.pg_my_temp_schema()::pg_catalog.regnamespace::pg_catalog.text
                                                                   then pg_catalog.quote_ident('pg_temp') else pg_catalog.quote_ident(i_schema) end
                                      operator(pg_catalog.||) '.' operator(pg_catalog.||) pg_catalog.quote_ident(i_table)) end, false) then
            perform pgq._trigger_table_plan(i_relid);
            return 2;
        end if;
    elsif coalesce(v_keys operator(pg_catalog.<>) (
               select pg_catalog.array_agg(a.attname::pg_catalog.text order by k.n)
                 from pg_catalog.pg_index x
                 cross join lateral pg_catalog.unnest(x.indkey::pg_catalog.int2[]) with ordinality k(attnum, n)
                 join pg_catalog.pg_attribute a on a.attrelid operator(pg_catalog.=) x.indrelid
                                               and a.attnum operator(pg_catalog.=) k.attnum
                where x.indrelid operator(pg_catalog.=) i_relid and x.indisprimary), true) then
        perform pgq._trigger_table_plan(i_relid);
        return 2;
    end if;

    -- logutriga: the event's data (and backup) straight from the rows, in
    -- one statement
    if i_kind operator(pg_catalog.=) 'logutriga' then
        -- one statement each: a plan that depends on fewer parameters stays
        -- generic (planned once per session).  The values the plan converts
        -- are worked out in a subquery that OFFSET 0 keeps apart: encoded
        -- as its plain columns, pgq._urlencode is inlined, where an
        -- expression it reads several times would make it a function call
        -- (about 10 us a column)
        if i_op operator(pg_catalog.<>) 'UPDATE' then
            v_ok := false;
            if pg_catalog.ltrim(v_kinds, 'tnfic') operator(pg_catalog.=) '' then
                select case when pg_catalog.array_agg(t.k) operator(pg_catalog.=) v_names
                            then coalesce(pg_catalog.string_agg(pgq._urlencode_field(t.k, t.v), '&')
                                           filter (where not t.k operator(pg_catalog.=) any (v_ignore)), '') end
                  into v_data
                  from pg_catalog.json_each_text(coalesce(v_jnew, v_jold)) t(k, v);
            else
                select case when pg_catalog.array_agg(t.k) operator(pg_catalog.=) v_names
                            then coalesce(pg_catalog.string_agg(pgq._urlencode_field(t.k, t.cv), '&')
                                           filter (where not t.k operator(pg_catalog.=) any (v_ignore)), '') end
                  into v_data
                  from (select j.k, pgq._trigger_value(j.v, j.k, j.o, v_kinds, v_names) as cv
                          from pg_catalog.json_each_text(coalesce(v_jnew, v_jold)) with ordinality j(k, v, o)
                        offset 0) t;
            end if;
        elsif not v_backup then
            select case when pg_catalog.array_agg(t.k) operator(pg_catalog.=) v_names
                             and pg_catalog.array_agg(t.ok) operator(pg_catalog.=) v_names
                        then coalesce(pg_catalog.string_agg(pgq._urlencode_field(t.k, t.cv), '&')
                                           filter (where not t.k operator(pg_catalog.=) any (v_ignore)), '') end,
                   coalesce(pg_catalog.bool_or(t.chg and t.k operator(pg_catalog.=) any (v_keys)), false),
                   coalesce(pg_catalog.bool_or(t.chg
                                               and not t.k operator(pg_catalog.=) any (v_ignore)), false),
                   coalesce(pg_catalog.bool_or(t.chg
                                               and t.k operator(pg_catalog.=) any (v_ignore)), false)
              into v_data, v_ok, v_chg, v_ignchg
              from (select j.k, j.ok, pgq._trigger_value(j.v, j.k, j.o, v_kinds, v_names) as cv,
                           coalesce(j.v operator(pg_catalog.<>) j.ov, j.v is not null or j.ov is not null) as chg
                      from rows from (pg_catalog.json_each_text(v_jnew), pg_catalog.json_each_text(v_jold)) with ordinality j(k, v, ok, ov, o)
                    offset 0) t;
        else
            select case when pg_catalog.array_agg(t.k) operator(pg_catalog.=) v_names
                             and pg_catalog.array_agg(t.ok) operator(pg_catalog.=) v_names
                        then coalesce(pg_catalog.string_agg(pgq._urlencode_field(t.k, t.cv), '&')
                                           filter (where not t.k operator(pg_catalog.=) any (v_ignore)), '') end,
                   coalesce(pg_catalog.string_agg(pgq._urlencode_field(t.ok, t.cov), '&')
                              filter (where not t.k operator(pg_catalog.=) any (v_ignore)), ''),
                   coalesce(pg_catalog.bool_or(t.chg and t.k operator(pg_catalog.=) any (v_keys)), false),
                   coalesce(pg_catalog.bool_or(t.chg
                                               and not t.k operator(pg_catalog.=) any (v_ignore)), false),
                   coalesce(pg_catalog.bool_or(t.chg
                                               and t.k operator(pg_catalog.=) any (v_ignore)), false)
              into v_data, v_extra2, v_ok, v_chg, v_ignchg
              from (select j.k, j.ok, pgq._trigger_value(j.v, j.k, j.o, v_kinds, v_names) as cv,
                           pgq._trigger_value(j.ov, j.ok, j.o, v_kinds, v_names) as cov,
                           coalesce(j.v operator(pg_catalog.<>) j.ov, j.v is not null or j.ov is not null) as chg
                      from rows from (pg_catalog.json_each_text(v_jnew), pg_catalog.json_each_text(v_jold)) with ordinality j(k, v, ok, ov, o)
                    offset 0) t;
        end if;
        v_type := pg_catalog.substr(i_op, 1, 1) operator(pg_catalog.||) ':' operator(pg_catalog.||) pg_catalog.array_to_string(v_keys, ',');
    elsif i_kind operator(pg_catalog.=) 'sqltriga' and i_op operator(pg_catalog.=) 'INSERT' then
        -- sqltriga's INSERT: the statement's columns and values in one query
        -- (the values the plan converts kept apart, as for logutriga)
        select case when pg_catalog.array_agg(t.k) operator(pg_catalog.=) v_names
                    then '(' operator(pg_catalog.||) coalesce(pg_catalog.string_agg(pg_catalog.quote_ident(t.k), ',')
                                                                  filter (where not t.k operator(pg_catalog.=) any (v_ignore)), '')
                         operator(pg_catalog.||) ') values ('
                         operator(pg_catalog.||) coalesce(pg_catalog.string_agg(coalesce(pg_catalog.quote_literal(t.cv), 'null'), ',')
                                                              filter (where not t.k operator(pg_catalog.=) any (v_ignore)), '')
                         operator(pg_catalog.||) ')' end
          into v_data
          from (select j.k, pgq._trigger_value(j.v, j.k, j.o, v_kinds, v_names) as cv
                  from pg_catalog.json_each_text(v_jnew) with ordinality j(k, v, o)
                offset 0) t;
        if v_data is null then
            perform pgq._trigger_table_plan(i_relid);
            return 2;
        end if;
        v_type := 'I';
    elsif i_kind operator(pg_catalog.=) 'sqltriga' then
        -- sqltriga's UPDATE and DELETE in one query each, as logutriga's:
        -- the key columns (in the table's order) with their old values,
        -- an UPDATE's changed columns with their new ones (what changed:
        -- pgq._trigger_value_changed, see the end).  A key that is NULL
        -- or changed, or other names than the plan's: pgq._trigger_event
        if i_op operator(pg_catalog.=) 'DELETE' then
            select case when pg_catalog.array_agg(t.k) operator(pg_catalog.=) v_names
                        then coalesce(pg_catalog.string_agg(pg_catalog.quote_ident(t.k) operator(pg_catalog.||) '='
                                                                operator(pg_catalog.||) pg_catalog.quote_literal(t.cv), ' and ')
                                          filter (where t.k operator(pg_catalog.=) any (v_keys)), '') end,
                   coalesce(pg_catalog.bool_or(t.k operator(pg_catalog.=) any (v_keys) and t.cv is null), false)
              into v_data, v_ok
              from (select j.k, pgq._trigger_value(j.v, j.k, j.o, v_kinds, v_names) as cv
                      from pg_catalog.json_each_text(v_jold) with ordinality j(k, v, o)
                    offset 0) t;
        else
            select case when pg_catalog.array_agg(t.k) operator(pg_catalog.=) v_names
                             and pg_catalog.array_agg(t.ok) operator(pg_catalog.=) v_names
                        then coalesce(pg_catalog.string_agg(pg_catalog.quote_ident(t.k) operator(pg_catalog.||) '='
                                                                operator(pg_catalog.||) coalesce(pg_catalog.quote_literal(t.cv), 'NULL'), ',')
                                          filter (where t.chg and not t.k operator(pg_catalog.=) any (v_ignore)),
                                      -- nothing changed: the first key column, set to itself
                                      (pg_catalog.array_agg(pg_catalog.quote_ident(t.k) operator(pg_catalog.||) '='
                                                                operator(pg_catalog.||) pg_catalog.quote_literal(t.cov))
                                          filter (where t.k operator(pg_catalog.=) any (v_keys)))[1])
                             operator(pg_catalog.||) ' where '
                             operator(pg_catalog.||) coalesce(pg_catalog.string_agg(pg_catalog.quote_ident(t.k) operator(pg_catalog.||) '='
                                                                operator(pg_catalog.||) pg_catalog.quote_literal(t.cov), ' and ')
                                          filter (where t.k operator(pg_catalog.=) any (v_keys)), '') end,
                   coalesce(pg_catalog.bool_or(t.k operator(pg_catalog.=) any (v_keys) and (t.chg or t.cov is null)), false),
                   coalesce(pg_catalog.bool_or(t.chg and not t.k operator(pg_catalog.=) any (v_ignore)), false),
                   coalesce(pg_catalog.bool_or(t.chg and t.k operator(pg_catalog.=) any (v_ignore)), false)
              into v_data, v_ok, v_chg, v_ignchg
              from (select j.k, j.ok, pgq._trigger_value(j.v, j.k, j.o, v_kinds, v_names) as cv,
                           pgq._trigger_value(j.ov, j.ok, j.o, v_kinds, v_names) as cov,
                           pgq._trigger_value_changed(j.v, j.ov, j.k, j.o, v_kinds, v_names) as chg
                      from rows from (pg_catalog.json_each_text(v_jnew), pg_catalog.json_each_text(v_jold)) with ordinality j(k, v, ok, ov, o)
                    offset 0) t;
        end if;
        v_type := pg_catalog.substr(i_op, 1, 1);
    else
        -- jsontriga.  When every column is written as to_json() writes it
        -- (no float or numeric one, by the checked types) and none is
        -- ignored: the rows' to_json() text is the event's data as it is
        v_whole := not (v_types operator(pg_catalog.&&) '{700,701,1700}'::pg_catalog.oid[])
                   and v_ignore operator(pg_catalog.=) '{}'
                   and coalesce((select pg_catalog.array_agg(k) from pg_catalog.json_object_keys(coalesce(v_jnew, v_jold)) k)
                                operator(pg_catalog.=) v_names, false);
        -- else, jsontriga: the rows' values as their types' text
        -- output; the names must be the plan's (a column added, dropped or
        -- renamed: plan again, and let pgq._trigger_event do this row)
        if not v_whole then
            if i_op operator(pg_catalog.<>) 'DELETE' then
                v_new := pgq._trigger_values(v_jnew, v_kinds, v_names);
                v_ok := v_new is not null;
            end if;
            if i_op operator(pg_catalog.<>) 'INSERT' and coalesce(v_ok, true) then
                v_old := pgq._trigger_values(v_jold, v_kinds, v_names);
                v_ok := v_old is not null;
            end if;
            if not v_ok then
                perform pgq._trigger_table_plan(i_relid);
                return 2;
            end if;
            v_row := case when i_op operator(pg_catalog.=) 'DELETE' then v_old else v_new end;
        end if;

        if i_op operator(pg_catalog.=) 'UPDATE' then
            -- the columns whose text changed (see the end: a value written
            -- otherwise is not taken for a change where that matters)
            select coalesce(pg_catalog.array_agg(t.k), '{}') into v_changed
              from rows from (pg_catalog.json_each_text(v_jnew), pg_catalog.json_each_text(v_jold)) t(k, v, ok, ov)
             where coalesce(t.v operator(pg_catalog.<>) t.ov, t.v is not null or t.ov is not null);
            if v_changed operator(pg_catalog.&&) v_keys then
                return 2;  -- a key update: pgq._trigger_event raises the error
            end if;
            -- changed ignored columns are no change; if they are all: no event
            if v_changed operator(pg_catalog.&&) v_ignore then
                if pg_catalog.ltrim(v_kinds, 'tbds') operator(pg_catalog.<>) '' then
                    return 2;  -- judged by pgq._trigger_event (see the end)
                end if;
                v_changed := array(select c from pg_catalog.unnest(v_changed) c
                                     where not c operator(pg_catalog.=) any (v_ignore));
                if v_changed operator(pg_catalog.=) '{}' then
                    return v_ret;
                end if;
            end if;
        end if;

        v_type := pgq._json_ev_type(i_op, i_schema, i_table, v_keys);
        v_data := case when v_whole then coalesce(v_jnew, v_jold)::pg_catalog.text
                       else pgq._json_row(v_names, v_types, v_row, coalesce(v_jnew, v_jold), v_ignore) end;
        if v_backup and i_op operator(pg_catalog.=) 'UPDATE' then
            v_extra2 := case when v_whole then v_jold::pg_catalog.text
                             else pgq._json_row(v_names, v_types, v_old, v_jold, v_ignore) end;
        end if;
    end if;
    -- logutriga's event, and sqltriga's UPDATE or DELETE: the names were
    -- not the plan's (plan again), a key changed or NULL (pgq._trigger_event
    -- raises the error), or only ignored columns changed (no event).
    -- Which columns an UPDATE changed is judged as PgQ's C triggers judge
    -- it, with the type's equality: sqltriga's query, whose SET list names
    -- them, compares the values (pgq._trigger_value_changed); logutriga's
    -- and jsontriga's compare the text, which is cheaper (about 10 us a row
    -- in the trigger), and differs only where a numeric, float, interval or
    -- character value is written otherwise (kinds n, f, i, c).  It matters
    -- only where the text says a key changed (pgq._trigger_event judges
    -- the row, as above) or an ignored column did: with such kinds, that
    -- row goes to pgq._trigger_event too.
    if i_kind operator(pg_catalog.=) 'logutriga'
       or (i_kind operator(pg_catalog.=) 'sqltriga' and i_op operator(pg_catalog.<>) 'INSERT') then
        if v_data is null then
            perform pgq._trigger_table_plan(i_relid);
            return 2;
        elsif v_ok then
            return 2;
        elsif v_ignchg and i_kind operator(pg_catalog.=) 'logutriga'
              and pg_catalog.ltrim(v_kinds, 'tbds') operator(pg_catalog.<>) '' then
            return 2;  -- judged by pgq._trigger_event (see above)
        elsif v_ignchg and not v_chg then
            return v_ret;
        end if;
        -- sqltriga's backup: the old row, urlencoded, in a query of its own
        -- (as a column of its UPDATE's query, even unread, it made PL/pgSQL
        -- plan that query afresh at every row: about 150 us)
        if i_kind operator(pg_catalog.=) 'sqltriga' and v_backup and i_op operator(pg_catalog.=) 'UPDATE' then
            select coalesce(pg_catalog.string_agg(pgq._urlencode_field(t.k, t.cv), '&')
                              filter (where not t.k operator(pg_catalog.=) any (v_ignore)), '')
              into v_extra2
              from (select j.k, pgq._trigger_value(j.v, j.k, j.o, v_kinds, v_names) as cv
                      from pg_catalog.json_each_text(v_jold) with ordinality j(k, v, o)
                    offset 0) t;
        end if;
    end if;
    perform pgq.insert_event(v_queue, v_type, v_data,
                             i_schema operator(pg_catalog.||) '.' operator(pg_catalog.||) i_table, v_extra2, null, null);
    return v_ret;
end;
$$;
