-- Schema, tables and sequences of pgq.
-- Names, columns and constraints follow PgQ 3.5 so that existing clients work unchanged.

create schema pgq;

-- consumer name <-> id
create table pgq.consumer (
    co_id       serial,
    co_name     text not null,
    constraint consumer_pkey primary key (co_id),
    constraint consumer_name_uq unique (co_name)
);

-- one row per queue: configuration and rotation state
create table pgq.queue (
    queue_id                    serial,
    queue_name                  text not null,
    queue_ntables               integer not null default 3,
    queue_cur_table             integer not null default 0,
    queue_rotation_period       interval not null default '2 hours',
    queue_switch_step1          bigint not null default txid_current(),
    queue_switch_step2          bigint default txid_current(),
    queue_switch_time           timestamptz not null default now(),
    queue_external_ticker       boolean not null default false,
    queue_disable_insert        boolean not null default false,
    queue_ticker_paused         boolean not null default false,
    queue_ticker_max_count      integer not null default 500,
    queue_ticker_max_lag        interval not null default '3 seconds',
    queue_ticker_idle_period    interval not null default '1 minute',
    queue_per_tx_limit          integer,
    queue_data_pfx              text not null,
    queue_event_seq             text not null,
    queue_tick_seq              text not null,
    queue_extra_maint           text[],
    -- not in PgQ (4.1): retries an event may have before it goes to
    -- pgq.dead_letter instead; NULL (the default): no limit, as PgQ
    queue_max_retries           integer,
    -- not in PgQ (4.1): on-demand ticking.  NULL (the default): PgQ's
    -- ticker rule alone.  An interval: producers signal the queue at commit
    -- (NOTIFY pgq_new_events, the queue name as payload) and the queue is
    -- due as soon as it has new events and its last tick is this old
    queue_ticker_on_demand      interval,
    constraint queue_pkey primary key (queue_id),
    constraint queue_name_uq unique (queue_name),
    -- the storage names follow from the id (as create_queue makes them):
    -- pgq_admin may UPDATE this table, and must not point a queue at
    -- another schema's sequence or tables (grant_perms, the ticker and
    -- insert_event act on these names with the owner's rights)
    constraint queue_storage_names check (
        queue_data_pfx = 'pgq.event_' || queue_id
        and queue_event_seq = 'pgq.event_' || queue_id || '_id_seq'
        and queue_tick_seq = 'pgq.event_' || queue_id || '_tick_seq')
);

-- snapshots that delimit batches
create table pgq.tick (
    tick_queue      int4 not null,
    tick_id         bigint not null,
    tick_time       timestamptz not null default now(),
    tick_snapshot   txid_snapshot not null default txid_current_snapshot(),
    tick_event_seq  bigint not null,
    constraint tick_pkey primary key (tick_queue, tick_id),
    constraint tick_queue_fkey foreign key (tick_queue) references pgq.queue (queue_id)
);

-- batch ids, global across queues
create sequence pgq.batch_id_seq;

-- consumer registrations and their open batch
create table pgq.subscription (
    sub_id          serial not null,
    sub_queue       int4 not null,
    sub_consumer    int4 not null,
    sub_last_tick   bigint,
    sub_active      timestamptz not null default now(),
    sub_batch       bigint,
    sub_next_tick   bigint,
    constraint subscription_pkey primary key (sub_queue, sub_consumer),
    constraint subscription_batch_idx unique (sub_batch),
    constraint sub_queue_fkey foreign key (sub_queue) references pgq.queue (queue_id),
    constraint sub_consumer_fkey foreign key (sub_consumer) references pgq.consumer (co_id)
);

-- Parent of every event table.
--
-- Unlike PgQ, where each queue's tables inherit from this one, here it is a
-- partitioned table: pgq.event_<id> is its partition for queue <id>, itself
-- partitioned into pgq.event_<id>_<n> by table number.  That lets
-- insert_event use one static, plan-cached INSERT for every queue while the
-- per-queue tables keep their PgQ names (clients COPY into them, rotation
-- TRUNCATEs them).  ev_queue and ev_table are the routing columns; on each
-- pgq.event_<id>_<n> they default to <id> and <n>, so a COPY that names only
-- the PgQ columns still lands where it was sent.
create table pgq.event_template (
    ev_id       bigint not null,
    ev_time     timestamptz not null,
    ev_txid     bigint not null default txid_current(),
    ev_owner    int4,
    ev_retry    int4,
    ev_type     text,
    ev_data     text,
    ev_extra1   text,
    ev_extra2   text,
    ev_extra3   text,
    ev_extra4   text,
    ev_queue    int4 not null,
    ev_table    int4 not null
) partition by list (ev_queue);

-- events waiting to be put back into their queue
create table pgq.retry_queue (
    ev_retry_after  timestamptz not null,
    ev_queue        int4 not null,
    ev_id           bigint not null,
    ev_time         timestamptz not null,
    ev_txid         bigint,
    ev_owner        int4 not null,
    ev_retry        int4,
    ev_type         text,
    ev_data         text,
    ev_extra1       text,
    ev_extra2       text,
    ev_extra3       text,
    ev_extra4       text,
    constraint rq_pkey primary key (ev_owner, ev_id),
    constraint rq_queue_id_fkey foreign key (ev_queue) references pgq.queue (queue_id)
);
create index rq_retry_idx on pgq.retry_queue (ev_retry_after);

-- Not in PgQ (4.1): events a consumer gave up on, retried more often than
-- their queue's queue_max_retries allows or sent here with pgq.event_dead,
-- to be listed, put back (pgq.replay_dead_letters) or purged.  One row per
-- event and consumer at a time; dl_consumer is the consumer's name (for a
-- cooperative subconsumer, its main consumer's), dl_retry_count how often
-- the event had been retried.
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
