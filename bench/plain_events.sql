-- The physical floor: an unindexed table of the same shape as a PgQ event
-- table (same columns and defaults, no indexes, no partitions).
create table plain_events (
    ev_id bigserial,
    ev_time timestamptz not null default now(),
    ev_txid bigint not null default txid_current(),
    ev_owner int,
    ev_retry int,
    ev_type text,
    ev_data text,
    ev_extra1 text,
    ev_extra2 text,
    ev_extra3 text,
    ev_extra4 text
);
