-- 4.1: setting ev_time is pgq_admin's: pgq.insert_events with ev_times loses
-- its defaults (a separate producers' form without it is created), and
-- pgq._insert_events loses its i_times argument.
drop function if exists pgq.insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[]);
drop function if exists pgq._insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[]);
-- and is named for what it returns: pgq._insert_events_count
drop function if exists pgq._insert_events(text, text[], text[], text[], text[], text[], text[]);
