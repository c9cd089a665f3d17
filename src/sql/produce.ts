// Producing events.
export const produce = {
  insertEvent: "select pgq.insert_event($1, $2, $3, $4, $5, $6, $7) as ev_id",
  insertEvents:
    "select pgq.insert_event($1, e.t, e.d, e.x1, e.x2, e.x3, e.x4) as ev_id" +
    " from rows from (pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::text[])," +
    " pg_catalog.unnest($5::text[]), pg_catalog.unnest($6::text[]), pg_catalog.unnest($7::text[]))" +
    " with ordinality as e(t, d, x1, x2, x3, x4, n) order by e.n",
  insertEventsArray: "select pgq.insert_events($1, $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) as ev_id",
  hasInsertEvents:
    "select pg_catalog.to_regprocedure('pgq.insert_events(text, text[], text[], text[], text[], text[], text[], timestamptz[])') is not null as has",
} as const;
