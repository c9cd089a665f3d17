// pgq_ext tick tracking when two appliers of one consumer meet: the second
// waits for the first and then sees its batch applied (is_tick_done), so a
// batch is not applied twice across databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDb, type TestDb } from "./support/db.js";

let db: TestDb;
let a: pg.Client;
let b: pg.Client;
beforeAll(async () => {
  db = await createTestDb("pgq_ext_conc");
  a = await db.connect();
  b = await db.connect();
  await a.query("create extension if not exists pgq_ext cascade");
});
afterAll(async () => {
  await a?.end();
  await b?.end();
  await db?.drop();
});

describe("pgq_ext.is_tick_done with two appliers at once", () => {
  it("the second waits for the first and then finds the batch applied", async () => {
    for (const first of [true, false]) {
      // first: no tick recorded yet (the consumer's first batch); else one is
      const name = first ? "conc_first" : "conc_next";
      if (!first) await a.query("select pgq_ext.set_last_tick($1, 10)", [name]);
      const prev = first ? 1 : 10;
      await a.query("begin");
      expect((await a.query("select pgq_ext.is_tick_done($1, $2, $3) d", [name, prev, prev + 1])).rows[0].d).toBe(false);
      await a.query("select pgq_ext.set_last_tick($1, $2)", [name, prev + 1]);
      await b.query("begin");
      let done: boolean | undefined;
      const second = b.query("select pgq_ext.is_tick_done($1, $2, $3) d", [name, prev, prev + 1])
        .then((r) => { done = r.rows[0].d as boolean; });
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBeUndefined(); // still waiting for the first
      await a.query("commit");
      await second;
      expect(done).toBe(true); // applied by the first: skip it
      await b.query("rollback");
    }
  });
});
