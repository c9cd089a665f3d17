// queue_splitter's move, one table of cases run against both forms: two
// databases (Consumer + splitBatch -> pgq_ext.queue_splitter_apply) and one
// database (pgq_ext.queue_splitter_local).  Both group a batch's events by
// target queue: these cases fail if grouping loses an event, mixes up
// targets, reorders a target's events, changes a field, or changes the
// rules for bad routing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { Consumer } from "../src/index.js";
import { SPLIT_SOURCE_TYPES, splitBatch } from "../src/splitter.js";
import type { Logger } from "../src/log.js";
import { createTestDb, value, type TestDb } from "./support/db.js";

let src: TestDb;
let dst: TestDb;
let s: pg.Client;
let d: pg.Client;

beforeAll(async () => {
  src = await createTestDb("pgq_move_src");
  dst = await createTestDb("pgq_move_dst");
  s = await src.connect();
  d = await dst.connect();
  await s.query("create extension pgq_ext");
  await d.query("create extension pgq_ext");
});
afterAll(async () => {
  await s?.end();
  await d?.end();
  await src?.drop();
  await dst?.drop();
});

interface Outcome {
  /** events in the batch (two databases) or moved (one database); null: no batch */
  moved?: number | null;
  error?: { code: string; message: string };
  warnings: string[];
}

type Form = "two databases" | "one database";
const FORMS: Form[] = ["two databases", "one database"];
let serial = 0;

/** Where the targets live for a form. */
const target = (form: Form) => (form === "two databases" ? d : s);

/** Moves the one batch of queue with the form given; the error or the count, and the warnings. */
async function move(form: Form, queue: string, consumer: string, skipBad: boolean): Promise<Outcome> {
  const warnings: string[] = [];
  if (form === "one database") {
    const c = await src.connect();
    c.on("notice", (n) => warnings.push(n.message ?? ""));
    try {
      const r = await c.query("select pgq_ext.queue_splitter_local($1, $2, 'extra1', $3) as moved", [queue, consumer, skipBad]);
      return { moved: r.rows[0].moved === null ? null : Number(r.rows[0].moved), warnings };
    } catch (err) {
      const e = err as { code: string; message: string };
      return { error: { code: e.code, message: e.message }, warnings };
    } finally {
      await c.end();
    }
  }
  const log: Logger = { debug: () => {}, info: () => {}, error: () => {}, warning: (m) => warnings.push(m) };
  let moved = 0;
  const split = splitBatch({ consumer, field: "ev_extra1", skipBad, log });
  // as the CLI connects: ev_time read as text, so kept to the microsecond
  const c = new Consumer({ connection: { ...src.config, types: SPLIT_SOURCE_TYPES }, queue, consumer,
    exactlyOnce: { target: dst.config, mode: "handler" } });
  try {
    await c.runOnce(async (b) => {
      for await (const chunk of b.events()) moved += chunk.length;
      await split(b);
    });
    return { moved, warnings };
  } catch (err) {
    const e = err as { code: string; message: string };
    return { error: { code: e.code, message: e.message }, warnings };
  } finally {
    await c.close();
  }
}

/** A source queue with a consumer and one batch of events (extra1 = route); their ids. */
async function batch(queue: string, consumer: string, events: [string | null, string, string][]): Promise<string[]> {
  await s.query("select pgq.create_queue($1)", [queue]);
  await s.query("select pgq.register_consumer($1, $2)", [queue, consumer]);
  const ids: string[] = [];
  for (const [route, data, time] of events) {
    ids.push(await value<string>(s, "select pgq.insert_event_raw($1, null, $4::timestamptz, null, null, 'ty', $2, $3, 'x2', null, 'x4')",
      [queue, data, route, time]));
  }
  await s.query("select pgq.force_tick($1)", [queue]);
  await s.query("select pgq.ticker($1)", [queue]);
  return ids;
}

async function rows(c: pg.Client, queue: string): Promise<Record<string, unknown>[]> {
  const pfx = await value<string>(c, "select queue_data_pfx from pgq.queue where queue_name = $1", [queue]);
  return (await c.query(`select ev_id::text, ev_txid::text, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4,
                                to_char(ev_time at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as ev_time
                           from ${pfx} order by ev_id`)).rows;
}

describe.each(FORMS)("queue_splitter's move, %s", (form) => {
  const names = () => {
    const n = ++serial;
    return { queue: `mv_src_${n}`, consumer: `mv_${n}`, a: `mv_a_${n}`, b: `mv_b_${n}`, c: `mv_c_${n}` };
  };

  it("groups events by target queue, keeping each target's order and every field (ev_time to the microsecond)", async () => {
    const { queue, consumer, a, b, c } = names();
    for (const q of [a, b, c]) await target(form).query("select pgq.create_queue($1)", [q]);
    // interleaved, with times out of order: a target's events keep batch order, not time order
    const evs: [string, string, string][] = [
      [b, "1", "2021-01-01T00:00:05.123456Z"], [a, "2", "2021-01-01T00:00:01.500001Z"], [b, "3", "2021-01-01T00:00:02.000000Z"],
      [c, "4", "2021-01-01T00:00:09.000999Z"], [a, "5", "2021-01-01T00:00:00.000000Z"], [b, "6", "2021-01-01T00:00:07.250000Z"],
      [a, "7", "2021-01-01T00:00:03.999999Z"],
    ];
    await batch(queue, consumer, evs);
    const out = await move(form, queue, consumer, false);
    expect(out).toEqual({ moved: 7, warnings: [] });
    const got = { a: await rows(target(form), a), b: await rows(target(form), b), c: await rows(target(form), c) };
    const expectFor = (q: string) => evs.filter(([r]) => r === q).map(([r, data, time]) => ({
      ev_type: "ty", ev_data: data, ev_extra1: r, ev_extra2: "x2", ev_extra3: null, ev_extra4: "x4",
      ev_time: time.replace("T", " ").replace("Z", ""), // to the microsecond
    }));
    const strip = (xs: Record<string, unknown>[]) => xs.map(({ ev_id: _i, ev_txid: _t, ...rest }) => rest);
    expect(strip(got.a)).toEqual(expectFor(a));
    expect(strip(got.b)).toEqual(expectFor(b));
    expect(strip(got.c)).toEqual(expectFor(c));
    // new ids, and the txid of the one target transaction that moved them
    const all = [...got.a, ...got.b, ...got.c];
    expect(new Set(all.map((r) => r.ev_txid)).size).toBe(1);
    const srcTxids = (await rows(s, queue)).map((r) => r.ev_txid);
    expect(srcTxids).toHaveLength(7);
    expect(srcTxids).not.toContain(all[0]!.ev_txid);
    expect(await value(target(form), "select pgq_ext.get_last_tick($1)", [consumer])).not.toBeNull();
    // the batch is finished: nothing more to move
    expect(await move(form, queue, consumer, false)).toEqual({ moved: form === "one database" ? null : 0, warnings: [] });
  });

  it("stops at the first event with bad routing, moves nothing and records nothing", async () => {
    const { queue, consumer, a } = names();
    await target(form).query("select pgq.create_queue($1)", [a]);
    const missing = `${a}_missing`;
    const ids = await batch(queue, consumer, [[a, "1", "2021-01-01Z"], [missing, "2", "2021-01-01Z"], [null, "3", "2021-01-01Z"]]);
    const out = await move(form, queue, consumer, false);
    expect(out.error).toEqual({ code: "PQ001", message: `queue_splitter: event ${ids[1]} routes to queue "${missing}", which does not exist` });
    expect(await rows(target(form), a)).toEqual([]);
    expect(await value(target(form), "select pgq_ext.get_last_tick($1)", [consumer])).toBeNull();

    const { queue: q2, consumer: c2, a: a2 } = names();
    await target(form).query("select pgq.create_queue($1)", [a2]);
    const ids2 = await batch(q2, c2, [[a2, "1", "2021-01-01Z"], [null, "2", "2021-01-01Z"], [`${a2}_missing`, "3", "2021-01-01Z"]]);
    const out2 = await move(form, q2, c2, false);
    expect(out2.error).toEqual({ code: "22004", message: `queue_splitter: event ${ids2[1]} has no routing value` });
    expect(await rows(target(form), a2)).toEqual([]);
  });

  it("with skip_bad, moves the good events and warns for each bad one, in batch order", async () => {
    const { queue, consumer, a, b } = names();
    for (const q of [a, b]) await target(form).query("select pgq.create_queue($1)", [q]);
    const m1 = `${a}_missing1`;
    const m2 = `${a}_missing2`;
    const ids = await batch(queue, consumer, [
      [m2, "1", "2021-01-01Z"], [a, "2", "2021-01-01Z"], [null, "3", "2021-01-01Z"], [m1, "4", "2021-01-01Z"],
      [b, "5", "2021-01-01Z"], [m2, "6", "2021-01-01Z"], [a, "7", "2021-01-01Z"], [null, "8", "2021-01-01Z"],
    ]);
    const out = await move(form, queue, consumer, true);
    expect(out.error).toBeUndefined();
    if (form === "one database") expect(out.moved).toBe(3);
    expect(out.warnings).toEqual([
      `queue_splitter: skipped event ${ids[0]}: queue "${m2}" does not exist`,
      `queue_splitter: skipped event ${ids[2]}: no routing value`,
      `queue_splitter: skipped event ${ids[3]}: queue "${m1}" does not exist`,
      `queue_splitter: skipped event ${ids[5]}: queue "${m2}" does not exist`,
      `queue_splitter: skipped event ${ids[7]}: no routing value`,
    ]);
    expect((await rows(target(form), a)).map((r) => r.ev_data)).toEqual(["2", "7"]);
    expect((await rows(target(form), b)).map((r) => r.ev_data)).toEqual(["5"]);
    expect(await value(target(form), "select pgq_ext.get_last_tick($1)", [consumer])).not.toBeNull();
  });
});

describe("queue_splitter against a target whose pgq_ext is 4.0", () => {
  it("sends the batch as 4.0's arrays", async () => {
    const db = await createTestDb("pgq_move_old");
    const c = await db.connect();
    try {
      await c.query("create extension pgq_ext");
      // 4.0 had only the array form
      const grouped = "pgq_ext.queue_splitter_apply(text, bigint, bigint, boolean, text[], int4[], bigint[], timestamptz[], "
        + "text[], text[], text[], text[], text[], text[])";
      await c.query(`alter extension pgq_ext drop function ${grouped}`);
      await c.query(`drop function ${grouped}`);
      for (const q of ["old_a", "old_b"]) await c.query("select pgq.create_queue($1)", [q]);
      await batch("mv_old", "mv_old", [["old_b", "1", "2021-01-01Z"], ["old_a", "2", "2021-01-01Z"], ["old_b", "3", "2021-01-01Z"]]);
      const consumer = new Consumer({ connection: src.config, queue: "mv_old", consumer: "mv_old",
        exactlyOnce: { target: db.config, mode: "handler" } });
      try {
        expect(await consumer.runOnce(splitBatch({ consumer: "mv_old", field: "ev_extra1", skipBad: false }))).toBe(true);
      } finally {
        await consumer.close();
      }
      expect((await rows(c, "old_b")).map((r) => r.ev_data)).toEqual(["1", "3"]);
      expect((await rows(c, "old_a")).map((r) => r.ev_data)).toEqual(["2"]);
    } finally {
      await c.end();
      await db.drop();
    }
  });
});
