create or replace function pgq._trigger_dates_json(i_relid oid, i_row anyelement)
returns json
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
    -- pgq._trigger_dates_json(i_relid, i_row): the date, timestamp and
    -- timestamptz columns of a row of the table as a JSON object, the
    -- values as to_json() writes them, for jsontriga's general path: their
    -- text output under some DateStyle and TimeZone settings cannot be read
    -- back.  Only those columns (built-in types: no cast to json of
    -- anyone's runs) go through to_json.
    -- Returns: NULL when the row is NULL or the table has no such column.
    -- Tables: catalog (read).
declare
    v_cols  text;
    v_out   json;
begin
    if i_row is null then
        return null;
    end if;
    -- each value only while it is of the type the catalog gave (the query
    -- reads the transaction's snapshot, which under REPEATABLE READ can be
    -- older than the row's type: a column changed since to a type with a
    -- cast to json of its own is written as null, its cast is never run)
    select string_agg(format('%L, case when pg_typeof(($1::%s).%I) = %s::regtype then to_json(($1::%s).%I) end',
                             a.attname, i_relid::regclass, a.attname, a.atttypid, i_relid::regclass, a.attname), ', ' order by a.attnum)
      into v_cols
      from pg_attribute a
     where a.attrelid = i_relid and a.attnum > 0 and not a.attisdropped
       and a.atttypid in (1082, 1114, 1184);
    if v_cols is null then
        return null;
    end if;
    execute format('select json_build_object(%s)', v_cols) into v_out using i_row;
    return v_out;
end;
$$;
