create or replace function pgq_ext.is_tick_done(a_consumer text, a_prev_tick bigint, a_cur_tick bigint)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq_ext.is_tick_done(a_consumer, a_prev_tick, a_cur_tick): the rule of
    -- tick tracking (python's SerialConsumer), in one place: is the batch
    -- a_prev_tick..a_cur_tick applied already, next, or out of step with
    -- what this database recorded?  The Consumer's tick mode and
    -- pgq_ext.queue_splitter_apply both ask it.
    -- Returns: true when the recorded tick is a_cur_tick (applied already);
    --   false when nothing is recorded or the recorded tick is a_prev_tick
    --   (the batch is next).
    -- Errors: PQ011 'Lost position: batch <prev>..<cur>, dst has <tick>' for
    --   any other recorded tick.
    -- Only the current role's own rows count (pgq_ext.get_last_tick).
    -- Two transactions applying the same consumer's batch at once (two
    -- splitters or Consumers under one name): the second waits here, on a
    -- transaction-level advisory lock of the role and consumer, until the
    -- first ends, and then sees what it recorded (applied: true), so the
    -- batch is not applied twice.
    -- Tables: pgq_ext.completed_tick (read).
declare
    v_last bigint;
begin
    perform pg_advisory_xact_lock(hashtext('pgq_ext.completed_tick'),
                                  hashtext(current_user || '/' || a_consumer));
    v_last := pgq_ext.get_last_tick(a_consumer);
    if v_last = a_cur_tick then
        return true;
    end if;
    if v_last is not null and v_last is distinct from a_prev_tick then
        raise exception 'Lost position: batch %..%, dst has %', a_prev_tick, a_cur_tick, v_last
            using errcode = 'PQ011';
    end if;
    return false;
end;
$$;
