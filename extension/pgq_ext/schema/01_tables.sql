-- Tables of pgq_ext: what a consumer has applied to this database.  Keys
-- are the consumer's name and, for cooperative or split consumers, a
-- sub-consumer name ('' when there is none).
-- owner_role (not in PgQ): the role that wrote the row.  Row-level
-- security lets a role see and change only the rows of roles it is a member
-- of (pgq_admin: all), so one pgq_writer cannot move another consumer's
-- exactly-once position.  Rows from before 4.1 have no owner: any writer may
-- use them, and the first one that writes to a row owns it.  The column and
-- the policies are made by pgq_ext.upgrade_schema(), for new and updated
-- installs alike.

create schema pgq_ext;

-- last tick applied (tick tracking: queue_splitter, SerialConsumer)
create table pgq_ext.completed_tick (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    last_tick_id    bigint not null,
    owner_role      name default current_user,
    primary key (consumer_id, subconsumer_id)
);

-- last batch applied (batch tracking: RemoteConsumer)
create table pgq_ext.completed_batch (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    last_batch_id   bigint not null,
    owner_role      name default current_user,
    primary key (consumer_id, subconsumer_id)
);

-- events applied from the batch in progress (event tracking)
create table pgq_ext.completed_event (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    batch_id        bigint not null,
    event_id        bigint not null,
    owner_role      name default current_user,
    primary key (consumer_id, subconsumer_id, batch_id, event_id)
);

-- which batch completed_event rows belong to
create table pgq_ext.partial_batch (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    cur_batch_id    bigint not null,
    owner_role      name default current_user,
    primary key (consumer_id, subconsumer_id)
);

