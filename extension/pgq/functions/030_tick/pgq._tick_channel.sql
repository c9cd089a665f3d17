create or replace function pgq._tick_channel(i_queue_name text)
returns text
language sql immutable strict
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._tick_channel(i_queue_name): the NOTIFY channel on which the
    -- ticker announces the queue's ticks: 'pgq.' and the queue name, cut to
    -- the 63 bytes a channel name may have (on a character boundary).  Names
    -- that share their first 59 bytes share a channel; the payload carries
    -- the full queue name.
    select pg_catalog.left(c.name, (select max(n) from pg_catalog.generate_series(0, pg_catalog.length(c.name)) n
                                    where pg_catalog.octet_length(pg_catalog.left(c.name, n)) <= 63))
      from (select 'pgq.' || i_queue_name as name) c;
$$;
