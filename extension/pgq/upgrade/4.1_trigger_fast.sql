-- 4.1: jsontriga's row encoder takes the row's to_json() form too (a
-- timestamp's text output cannot always be read back): drop the 4.0 form.
drop function if exists pgq._json_row(text[], oid[], text[], text[]);
