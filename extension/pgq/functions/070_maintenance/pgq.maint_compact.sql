create or replace function pgq.maint_compact(i_table text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.maint_compact(i_table): rewrite pgq.subscription or pgq.tick with
    -- only their live rows.
    -- Consumers update their pgq.subscription row twice per batch, and
    -- rotation deletes ticks.  While some transaction holds the xmin horizon
    -- back (an idle-in-transaction session, a long report, a stale
    -- replication slot), VACUUM may not remove those dead row versions, and
    -- every next_batch / finish_batch has to step over more of them.  The
    -- event tables avoid that by TRUNCATE; this does the same for the two
    -- metadata tables: lock the table (NOWAIT: a table in use is skipped),
    -- keep its live rows, TRUNCATE it (a new, empty file, whatever the
    -- horizon) and put the rows back, all in one short transaction.
    -- pgq.maint_operations() lists it when a table has many more dead row
    -- versions than live ones.
    -- TRUNCATE's caveat (an older REPEATABLE READ snapshot sees the table
    -- empty) is avoided by skipping while such a snapshot exists; a
    -- transaction that starts during the compaction and read nothing yet
    -- still can (documented in README).
    -- Returns: 0.
    -- Errors: 22023 for any other table.
    -- Tables: pgq.subscription or pgq.tick.
declare
    v_subs  pgq.subscription[];
    v_ticks pgq.tick[];
begin
    if i_table is null or i_table not in ('pgq.subscription', 'pgq.tick') then
        raise exception 'maint_compact: not a table it compacts: %', i_table using errcode = '22023';
    end if;
    -- TRUNCATE is not MVCC-safe: a snapshot taken before it commits would
    -- find the table empty afterwards.  Skip while another session of this
    -- database holds a snapshot that outlives its statement (REPEATABLE
    -- READ or SERIALIZABLE, pg_dump among them): its transaction began
    -- before its current statement, or it is idle in it.  A held xmin
    -- without a snapshot (an idle READ COMMITTED transaction with an xid,
    -- a prepared transaction, a replication slot) does not stop it.
    if exists (select 1 from pg_catalog.pg_stat_activity a
                where a.pid <> pg_catalog.pg_backend_pid()
                  and a.datname = pg_catalog.current_database()
                  and a.backend_xmin is not null
                  and (a.state <> 'active' or a.xact_start < a.query_start)) then
        return 0;
    end if;
    begin
        execute format('lock table %s in access exclusive mode nowait', i_table);
    exception
        when lock_not_available then
            return 0;
    end;
    if i_table = 'pgq.subscription' then
        select array_agg(s) into v_subs from pgq.subscription s;
        truncate pgq.subscription;
        insert into pgq.subscription select * from unnest(v_subs);
    else
        select array_agg(t) into v_ticks from pgq.tick t;
        truncate pgq.tick;
        insert into pgq.tick select * from unnest(v_ticks);
    end if;
    return 0;
end;
$$;
