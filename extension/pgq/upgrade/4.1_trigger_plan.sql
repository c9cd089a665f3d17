-- 4.1: the trigger errors come from pgq._trigger_error, the row and
-- statement forms' plan from pgq._trigger_plan: drop 4.0's error helpers.
drop function if exists pgq._bulk_error(text, text);
drop function if exists pgq._null_key();
