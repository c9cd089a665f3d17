create or replace function pgq._urlencode_bytes(i_value text)
returns text
language plpgsql immutable strict
as $$
    -- pgq._urlencode_bytes(i_value): pgq._urlencode for any value: runs of
    -- safe characters are kept, every other character's bytes (in the
    -- database encoding) become %xx, a space +.
    -- Tables: none.
declare
    v_out   text := '';
    v_m     text[];
    v_bytes bytea;
    i       int4;
begin
    for v_m in
        select m from pg_catalog.regexp_matches(i_value, '([A-Za-z0-9_.-]+)|(.)', 'g') as m
    loop
        if v_m[1] is not null then
            v_out := v_out || v_m[1];
        elsif v_m[2] = ' ' then
            v_out := v_out || '+';
        else
            v_bytes := pg_catalog.convert_to(v_m[2], pg_catalog.getdatabaseencoding());
            for i in 0 .. pg_catalog.octet_length(v_bytes) - 1 loop
                v_out := v_out || '%' || pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.get_byte(v_bytes, i)), 2, '0');
            end loop;
        end if;
    end loop;
    return v_out;
end;
$$;
