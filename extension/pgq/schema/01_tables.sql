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
--
-- Rotation: a queue's events go to one of queue_ntables tables,
-- pgq.event_<id>_0 .. _<ntables-1>, used in a ring.  It is a two-step
-- switch, each step in a transaction of its own (pgq.maint_operations hands
-- both to the maintenance daemon):
--   step 1 (maint_rotate_tables_step1), when due and no consumer may still
--     read the oldest table: TRUNCATE the table after queue_cur_table, make
--     it current, queue_switch_time := now(), queue_switch_step1 :=
--     txid_current(), queue_switch_step2 := NULL;
--   step 2 (maint_rotate_tables_step2), in a later transaction, for every
--     queue whose step2 is NULL: queue_switch_step2 := txid_current().
-- queue_switch_step2 NULL therefore means "switch in progress": step 1 is
-- not run again for the queue until step 2 has.  create_queue starts a
-- queue in the finished state (both steps = its own txid, table 0).
create table pgq.queue (
    queue_id                    serial,
    queue_name                  text not null,
    -- how many event tables the queue has (fixed when it is created)
    queue_ntables               integer not null default 3,
    -- the table (0 .. ntables-1) producers insert into now
    -- (insert_event*, current_event_table read it).  The one before it in
    -- the ring, (cur + ntables - 1) % ntables, is the previous table: every
    -- batch is read from it, and from the current one too unless the batch
    -- ended before the switch (batch_event_tables).  Only step 1 changes it
    queue_cur_table             integer not null default 0,
    -- how long the current table takes inserts before rotation is due:
    -- due when queue_switch_time + queue_rotation_period is in the past
    -- (and queue_switch_step2 is set); set_queue_config 'rotation_period'
    queue_rotation_period       interval not null default '2 hours',
    -- txid of the transaction that made queue_cur_table current (step 1).
    -- A batch whose end tick's snapshot xmax is below it ended before step 1
    -- had a txid, so none of its events can be in the new current table:
    -- batch_event_tables reads only the previous table for it, both tables
    -- for any other batch.  Step 1 refuses to run (PQ010) when
    -- txid_current() is below it: the database was restored into another
    -- cluster (restore_rebase_txids moves it, step2 and the ticks' snapshots)
    queue_switch_step1          bigint not null default txid_current(),
    -- txid of a transaction that began after step 1 committed (step 2), or
    -- NULL between the two steps.  The next step 1 waits until the slowest
    -- consumer's last tick has a snapshot xmin above it (no consumer is
    -- still before the previous switch, so none needs the table about to be
    -- emptied), and then deletes the queue's ticks whose snapshot xmin is
    -- below it (the newest tick always stays)
    queue_switch_step2          bigint default txid_current(),
    -- when step 1 last ran (the current table's age)
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

-- snapshots that delimit batches: a batch is the events committed between
-- two ticks of its queue (visible in the later tick's snapshot and not in
-- the earlier one's)
create table pgq.tick (
    tick_queue      int4 not null,
    -- from the queue's own sequence (queue_tick_seq): increasing per queue
    tick_id         bigint not null,
    tick_time       timestamptz not null default now(),
    tick_snapshot   txid_snapshot not null default txid_current_snapshot(),
    -- the queue's event sequence when the tick was made: the difference
    -- between two ticks is how many event ids were taken in between (the
    -- ticker's "new events", a batch's size hint; rolled-back inserts
    -- count too, so a batch may still be empty)
    tick_event_seq  bigint not null,
    constraint tick_pkey primary key (tick_queue, tick_id),
    constraint tick_queue_fkey foreign key (tick_queue) references pgq.queue (queue_id)
);

-- batch ids, global across queues
create sequence pgq.batch_id_seq;

-- consumer registrations and their open batch
--
-- A consumer's row is in one of two states:
--   idle: sub_batch and sub_next_tick NULL, sub_last_tick its position;
--   in a batch: next_batch_custom set sub_batch (from pgq.batch_id_seq) and
--     sub_next_tick (the batch's end tick); the batch is the events between
--     sub_last_tick and sub_next_tick.  Asking again returns the same batch.
-- finish_batch goes back to idle: sub_last_tick := sub_next_tick, the other
-- two NULL.  register_consumer_at with a tick also goes back to idle, at
-- that tick (an open batch is dropped).
-- pgq_coop: a cooperative consumer's subconsumers are rows of their own
-- ('<main>.<sub>') with the main row's sub_id.  The main row is always idle:
-- pgq_coop.next_batch_custom opens a batch on it, moves it past the batch at
-- once and hands the batch to the subconsumer's row (sub_last_tick,
-- sub_next_tick, sub_batch copied there); an idle subconsumer has all three
-- NULL (pgq_coop.finish_batch clears them).
create table pgq.subscription (
    -- the owner of the consumer's retried events (ev_owner in
    -- pgq.retry_queue and, once put back, in the event table, where a
    -- batch shows an event with an owner only to that owner); pgq_coop
    -- subconsumers share their main consumer's
    sub_id          serial not null,
    sub_queue       int4 not null,
    sub_consumer    int4 not null,
    -- the tick up to which the consumer has processed (the start of its
    -- next or open batch); NULL only on an idle pgq_coop subconsumer.  The
    -- slowest consumer's holds back rotation (maint_rotate_tables_step1)
    sub_last_tick   bigint,
    -- when the consumer last opened or finished a batch (or was moved, or a
    -- pgq_coop subconsumer asked for work): get_consumer_info's
    -- last_seen; pgq_coop takes over a subconsumer's batch when it is
    -- older than the caller's dead interval
    sub_active      timestamptz not null default now(),
    -- the id of the open batch, NULL when none; the key by which
    -- finish_batch, get_batch_events, event_retry ... find the batch
    sub_batch       bigint,
    -- the open batch's end tick, NULL when none
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
