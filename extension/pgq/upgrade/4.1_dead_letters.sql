-- 4.1: dead letters.  pgq.queue gets queue_max_retries (NULL: no limit, as
-- in PgQ); pgq.dead_letter holds the events given up on.  The same DDL as
-- schema/01_tables.sql, for installs from before 4.1 (the column lands last,
-- where a fresh install has it).  pgq._retry_batch_events gains the
-- reason argument (the three-argument helper goes).
do $dead_letters$
begin
    if not exists (select 1 from pg_catalog.pg_attribute
                    where attrelid = 'pgq.queue'::pg_catalog.regclass
                      and attname = 'queue_max_retries' and not attisdropped) then
        alter table pgq.queue add column queue_max_retries integer;
    end if;
    if pg_catalog.to_regclass('pgq.dead_letter') is null then
        create table pgq.dead_letter (
            dl_id           bigserial,
            dl_queue        int4 not null,
            dl_consumer     text not null,
            dl_time         timestamptz not null default now(),
            dl_retry_count  int4 not null,
            dl_reason       text,
            ev_id           bigint not null,
            ev_time         timestamptz not null,
            ev_txid         bigint,
            ev_type         text,
            ev_data         text,
            ev_extra1       text,
            ev_extra2       text,
            ev_extra3       text,
            ev_extra4       text,
            constraint dead_letter_pkey primary key (dl_id),
            constraint dead_letter_event_uq unique (dl_queue, dl_consumer, ev_id),
            constraint dead_letter_queue_fkey foreign key (dl_queue) references pgq.queue (queue_id)
        );
    end if;
end;
$dead_letters$;
drop function if exists pgq._retry_batch_events(bigint, bigint, timestamptz);
