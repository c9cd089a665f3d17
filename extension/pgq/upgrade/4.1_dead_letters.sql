-- 4.1: dead letters.  pgq.dead_letter holds the events given up on: the
-- same DDL as schema/01_tables.sql, for installs from before 4.1.  (pgq.queue's
-- queue_max_retries column is added by pgq.upgrade_schema() at the end of the
-- update, under short lock timeouts: an ALTER TABLE pgq.queue here would
-- hold producers up for the whole update.)  pgq._retry_batch_events gains the
-- reason argument (the three-argument helper goes).
do $dead_letters$
begin
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
