create or replace function pgq._urlencode_bytes(i_value text)
returns text
language plpgsql immutable strict
as $$
    -- pgq._urlencode_bytes(i_value): pgq._urlencode for any value, in time
    -- linear in the value's length: the value's bytes (in the database
    -- encoding) are read as LATIN1, one character a byte; '%' is encoded
    -- first, then each distinct unsafe byte in turn is replaced everywhere at
    -- once (at most 256 passes, a few for most text), spaces last.  In
    -- database encodings that LATIN1 text cannot be converted into, runs of
    -- unsafe characters are encoded one run at a time instead.
    -- Every operator is pg_catalog's, named: it runs under the caller's
    -- search_path.
    -- Tables: none.
declare
    v_out   pg_catalog.text;
    v_c     pg_catalog.text;
begin
    if pg_catalog.getdatabaseencoding()::pg_catalog.text operator(pg_catalog.<>) all ('{UTF8,SQL_ASCII,LATIN1}'::pg_catalog.text[]) then
        return (select coalesce(pg_catalog.string_agg(
                   case when m[1] is not null then m[1]
                        when m[2] is not null then pg_catalog.translate(m[2], ' ', '+')
                        else pg_catalog.regexp_replace(
                                 pg_catalog.encode(pg_catalog.convert_to(m[3], pg_catalog.getdatabaseencoding()), 'hex'),
                                 '(..)', E'%\\1', 'g') end,
                   '' order by n), '')
                  from pg_catalog.regexp_matches(i_value, '([A-Za-z0-9_.-]+)|( +)|([^A-Za-z0-9_. -]+)', 'g')
                       with ordinality as x(m, n));
    end if;
    v_out := pg_catalog.replace(pg_catalog.convert_from(pg_catalog.convert_to(i_value, pg_catalog.getdatabaseencoding()),
                                                        'LATIN1'), '%', '%25');
    loop
        v_c := pg_catalog.substring(v_out, '[^A-Za-z0-9_. %-]');
        exit when v_c is null;
        v_out := pg_catalog.replace(v_out, v_c,
                     pg_catalog.concat('%', pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.ascii(v_c)), 2, '0')));
    end loop;
    return pg_catalog.replace(v_out, ' ', '+');
end;
$$;
