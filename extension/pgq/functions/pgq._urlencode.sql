create or replace function pgq._urlencode(i_value text)
returns text
language plpgsql immutable strict
as $$
    -- pgq._urlencode(i_value): urlencoding as PgQ's triggers write it: the
    -- bytes of the value (in the database encoding) other than
    -- A-Z a-z 0-9 _ . - become %xx with lower-case hex, a space becomes +.
    -- Tables: none.
declare
    v_out   text := '';
    v_bytes bytea;
    v_b     int4;
    i       int4;
begin
    if i_value ~ '^[A-Za-z0-9_.-]*$' then
        return i_value;
    end if;
    v_bytes := pg_catalog.convert_to(i_value, pg_catalog.getdatabaseencoding());
    for i in 0 .. pg_catalog.octet_length(v_bytes) - 1 loop
        v_b := pg_catalog.get_byte(v_bytes, i);
        if (v_b between 48 and 57) or (v_b between 65 and 90) or (v_b between 97 and 122)
           or v_b in (95, 46, 45) then
            v_out := v_out || pg_catalog.chr(v_b);
        elsif v_b = 32 then
            v_out := v_out || '+';
        else
            v_out := v_out || '%' || pg_catalog.lpad(pg_catalog.to_hex(v_b), 2, '0');
        end if;
    end loop;
    return v_out;
end;
$$;
