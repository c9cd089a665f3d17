create or replace function pgq.set_queue_config(x_queue_name text, x_param_name text, x_param_value text)
returns int4
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- pgq.set_queue_config(x_queue_name, x_param_name, x_param_value):
    -- change one queue setting.
    -- Parameters: x_param_name is one of ticker_max_count, ticker_max_lag,
    --   ticker_idle_period, ticker_paused, rotation_period, external_ticker,
    --   and (4.1, not in PgQ) max_retries: retries an event may have before
    --   it goes to pgq.dead_letter (NULL: no limit, the default), and
    --   ticker_on_demand: an interval switches on-demand ticking on (the
    --   queue is ticked as soon as it has new events and its last tick is
    --   that old), NULL, '' or 'off' switches it off (the default)
    --   (PgQ takes it without the 'queue_' prefix; the prefixed form is
    --   accepted too).  x_param_value is cast to the column's type.
    -- Returns: 1.
    -- Errors: 22004 'Invalid NULL value' (queue or parameter NULL);
    --   PQ001 'No such event queue'; 22023 'cannot change parameter "<name>s"'
    --   (PgQ's text, stray s included); 22023 for a negative count or interval;
    --   the cast's own error for a value of the wrong type.
    -- Tables: pgq.queue.
declare
    v_param text;
    v_ok    bool;
begin
    if x_queue_name is null or x_param_name is null then
        raise exception 'Invalid NULL value' using errcode = '22004';
    end if;

    perform 1 from pgq.queue where queue_name = x_queue_name for update;
    if not found then
        raise exception 'No such event queue' using errcode = 'PQ001';
    end if;

    v_param := case when x_param_name like E'queue\\_%' then x_param_name
                    else 'queue_' || x_param_name end;
    if v_param not in ('queue_ticker_max_count', 'queue_ticker_max_lag',
                       'queue_ticker_idle_period', 'queue_ticker_paused',
                       'queue_rotation_period', 'queue_external_ticker',
                       'queue_max_retries', 'queue_ticker_on_demand') then
        raise exception 'cannot change parameter "%s"', x_param_name
            using errcode = '22023';
    end if;

    -- PgQ takes any value the column accepts; a negative lag, period or
    -- count only ever makes the ticker or rotation misbehave, so refuse it
    -- on-demand ticking is switched off with NULL, '' or 'off'
    if v_param = 'queue_ticker_on_demand' and lower(x_param_value) in ('', 'off') then
        x_param_value := null;
    end if;
    if x_param_value is not null then
        v_ok := case v_param
            when 'queue_ticker_max_count' then x_param_value::int4 >= 0
            when 'queue_max_retries' then x_param_value::int4 >= 0
            when 'queue_ticker_max_lag' then x_param_value::interval >= interval '0'
            when 'queue_ticker_idle_period' then x_param_value::interval >= interval '0'
            when 'queue_rotation_period' then x_param_value::interval >= interval '0'
            when 'queue_ticker_on_demand' then x_param_value::interval >= interval '0'
            else true
        end;
        if not v_ok then
            raise exception 'invalid value for parameter "%": %', x_param_name, x_param_value
                using errcode = '22023';
        end if;
    end if;

    execute format('update pgq.queue set %I = %L where queue_name = $1', v_param, x_param_value)
        using x_queue_name;

    return 1;
end;
$$;
