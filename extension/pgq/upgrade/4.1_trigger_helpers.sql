-- 4.1: the trigger helpers take the search_path of the statement that fired
-- the trigger (user expressions resolve names through it; nothing of pgq
-- does), so their argument lists changed: drop the 4.0 forms.
drop function if exists pgq._trigger_event(text, text, text, text, oid, text[], text, text);
drop function if exists pgq._trigger_expr(text, oid, text, text);
