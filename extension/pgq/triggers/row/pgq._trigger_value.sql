create or replace function pgq._trigger_value(i_value text, i_kind text)
returns text
language sql stable
as $$
    -- pgq._trigger_value(i_value, i_kind): a column's value as its type's
    -- text output under the session's settings, from the text
    -- json_each_text() gives of the row's to_json() form and the column's
    -- kind (pgq._trigger_table_plan element 5): t as it is, b boolean
    -- (true/false to t/f), d date, s timestamp or timestamptz (told apart by
    -- the UTC offset to_json writes for timestamptz, before
    -- any ' BC'), converted back under
    -- DateStyle and TimeZone.  A plain SQL expression and not STRICT, so the
    -- planner inlines it; every operator and cast is qualified (it runs under
    -- the caller's search_path).
    select case when i_kind operator(pg_catalog.=) 't' then i_value
               when i_kind operator(pg_catalog.=) 'b' then pg_catalog.substr(i_value, 1, 1)
               when i_kind operator(pg_catalog.=) 'd' then i_value::pg_catalog.date::pg_catalog.text
               else case when i_value operator(pg_catalog.~) '[+-][0-9][0-9](:[0-9][0-9])*( BC)?$'
                         then i_value::pg_catalog.timestamptz::pg_catalog.text
                         else i_value::pg_catalog.timestamp::pg_catalog.text end
           end;
$$;
