-- 4.1: the trigger errors come from pgq._trigger_error, the row and
-- statement forms' plan from pgq._trigger_plan: drop 4.0's error helpers.
drop function if exists pgq._bulk_error(text, text);
drop function if exists pgq._null_key();
-- 4.1: an UPDATE's changed columns are judged with the type's equality, so
-- the statement-level form's builders take the column types: drop 4.0's.
drop function if exists pgq._bulk_changed(text[], text[], text, text);
drop function if exists pgq._bulk_sql_fragment(text, text[], text[], text[]);
-- and take the column's type to tell NULL from a composite value whose
-- fields are all NULL: drop 4.0's text builder.
drop function if exists pgq._bulk_text(text, text);
