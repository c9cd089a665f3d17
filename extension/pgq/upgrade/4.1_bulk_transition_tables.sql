-- 4.1: pgq._bulk_trigger_sql takes the trigger's name, to check that the
-- trigger declares the transition tables its statements read (pgq_new,
-- pgq_old): drop the form without it.
drop function if exists pgq._bulk_trigger_sql(text, text, text, text, oid, text[]);
