create or replace function pgq._urlencode(i_value text)
returns text
language sql immutable
as $$
    -- pgq._urlencode(i_value): urlencoding as PgQ's triggers write it: the
    -- bytes of the value (in the database encoding) other than
    -- A-Z a-z 0-9 _ . - become %xx with lower-case hex, a space becomes +.
    -- Values made of safe characters, spaces, ':' and '+' (numbers, words,
    -- timestamps) are done with replace(); anything else goes through
    -- pgq._urlencode_bytes.  A plain SQL expression and not STRICT (NULL
    -- gives NULL all the same), so the planner inlines it into callers; every
    -- operator is pg_catalog's, named, as it runs under the caller's
    -- search_path.
    select case
        when i_value operator(pg_catalog.~) '^[A-Za-z0-9_.-]*$' then i_value
        when i_value operator(pg_catalog.~) '^[A-Za-z0-9_. :+-]*$'
            then pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(i_value, '+', '%2b'), ':', '%3a'), ' ', '+')
        else pgq._urlencode_bytes(i_value)
    end;
$$;
