// The catalog comparison behind make upgradecheck sees every kind of change
// an upgrade script could get wrong.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, type TestDb } from "./support/db.js";
import { describeCatalog, diffLines } from "./upgrade/catalog.js";

let db: TestDb;
let c: pg.Client;

beforeAll(async () => {
  db = await createTestDb("pgq_cat");
  c = await db.connect();
  await c.query("select pgq.create_queue('cq')");
  await c.query("create extension pgq_ext");
});
afterAll(async () => {
  await db?.drop();
});

describe("describeCatalog", () => {
  it("is stable when nothing changes", async () => {
    expect(diffLines(await describeCatalog(c), await describeCatalog(c))).toEqual([]);
  });

  const changes: [string, string, RegExp][] = [
    ["a function body", "create or replace function pgq.version() returns text language sql immutable as $$ select 'x'::text $$",
      /^- function pgq\.version\(\)/],
    ["a function's grant", "revoke execute on function pgq.next_batch(text, text) from pgq_reader",
      /^- function pgq\.next_batch\(text,text\).*pgq_reader=X/],
    ["a function's config", "alter function pgq.finish_batch(bigint) reset search_path",
      /^- function pgq\.finish_batch\(bigint\).*config=search_path/],
    ["a column default", "alter table pgq.queue alter column queue_ticker_max_count set default 501",
      /^- column pgq\.queue\.queue_ticker_max_count .*default=500/],
    ["a column's position", "alter table pgq.consumer drop column co_name, add column co_name text",
      /^- column pgq\.consumer\.co_name #2/],
    ["an index", "create index extra_idx on pgq.tick (tick_time)", /^\+ index pgq\.extra_idx/],
    ["a constraint", "alter table pgq.subscription drop constraint subscription_batch_idx",
      /^- constraint pgq\.subscription subscription_batch_idx/],
    ["a table grant", "revoke select on pgq.tick from pgq_reader", /^- relation pgq\.tick .*pgq_reader=r/],
    ["a per-queue table's storage", "alter table pgq.event_1_0 reset (fillfactor)", /^- relation pgq\.event_1_0 .*fillfactor=100/],
    ["a sequence", "alter sequence pgq.batch_id_seq cache 5", /^- sequence pgq\.batch_id_seq .*cache=1/],
    ["a row-level security policy", "drop policy owner_rows on pgq_ext.completed_tick",
      /^- policy pgq_ext\.completed_tick owner_rows/],
    ["extension membership", "alter extension pgq drop function pgq.quote_fqname(text)",
      /^- member of pgq: function pgq\.quote_fqname\(text\)/],
    ["pg_dump marks", "update pg_extension set extcondition[1] = 'where true' where extname = 'pgq'",
      /^\+ extension pgq .*config=.*:where true/],
  ];
  for (const [what, sql, expected] of changes) {
    it(`reports ${what}`, async () => {
      await c.query("begin");
      try {
        const before = await describeCatalog(c);
        await c.query(sql);
        const diff = diffLines(before, await describeCatalog(c));
        expect(diff.some((line) => expected.test(line)), diff.join("\n")).toBe(true);
      } finally {
        await c.query("rollback");
      }
    });
  }
});
