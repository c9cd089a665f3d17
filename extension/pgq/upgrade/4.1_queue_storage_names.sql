-- 4.1: pgq.queue's storage names must follow from the queue id (pgq_admin
-- may UPDATE pgq.queue; pointing a queue at another schema's sequence let
-- grant_perms and the ticker act on it with the owner's rights).
do $upgrade$
declare
    v_bad text;
begin
    perform 1 from pg_catalog.pg_constraint
     where conrelid = 'pgq.queue'::regclass and conname = 'queue_storage_names';
    if found then
        return;
    end if;
    select pg_catalog.string_agg(queue_name, ', ') into v_bad
      from pgq.queue
     where not (queue_data_pfx = 'pgq.event_' || queue_id
                and queue_event_seq = 'pgq.event_' || queue_id || '_id_seq'
                and queue_tick_seq = 'pgq.event_' || queue_id || '_tick_seq');
    if v_bad is not null then
        raise exception 'pgq 4.1: queues % have storage names other than pgq.event_<queue_id>[_id_seq|_tick_seq]; set them back before updating', v_bad
            using errcode = '55000';
    end if;
    alter table pgq.queue add constraint queue_storage_names check (
        queue_data_pfx = 'pgq.event_' || queue_id
        and queue_event_seq = 'pgq.event_' || queue_id || '_id_seq'
        and queue_tick_seq = 'pgq.event_' || queue_id || '_tick_seq');
end;
$upgrade$;
