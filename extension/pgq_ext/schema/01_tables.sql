-- Tables of pgq_ext: what a consumer has applied to this database.  Keys
-- are the consumer's name and, for cooperative or split consumers, a
-- sub-consumer name ('' when there is none).

create schema pgq_ext;

-- last tick applied (tick tracking: queue_splitter, SerialConsumer)
create table pgq_ext.completed_tick (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    last_tick_id    bigint not null,
    primary key (consumer_id, subconsumer_id)
);

-- last batch applied (batch tracking: RemoteConsumer)
create table pgq_ext.completed_batch (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    last_batch_id   bigint not null,
    primary key (consumer_id, subconsumer_id)
);

-- events applied from the batch in progress (event tracking)
create table pgq_ext.completed_event (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    batch_id        bigint not null,
    event_id        bigint not null,
    primary key (consumer_id, subconsumer_id, batch_id, event_id)
);

-- which batch completed_event rows belong to
create table pgq_ext.partial_batch (
    consumer_id     text not null,
    subconsumer_id  text not null default '',
    cur_batch_id    bigint not null,
    primary key (consumer_id, subconsumer_id)
);
