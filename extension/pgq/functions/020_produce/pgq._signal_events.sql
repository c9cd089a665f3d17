create or replace function pgq._signal_events(i_queue_name text)
returns void
language sql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._signal_events(i_queue_name): tells tickers listening on channel
    -- pgq_new_events that the queue has new events (on-demand ticking, 4.1:
    -- queue_ticker_on_demand set).  The notification leaves when the
    -- transaction commits, not at all when it aborts, and the server sends
    -- one per queue and transaction however often this is called.
    -- Tables: none.
    select pg_notify('pgq_new_events', i_queue_name);
$$;
