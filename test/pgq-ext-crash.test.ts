// Exactly once into another database through pgq_ext: a consumer process is
// killed (SIGKILL) or has its connections terminated on the server at
// random moments, at least 50 times, while producers keep writing; at the
// end every event was applied exactly once.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { createTestDb, createTickingQueue, value, type TestDb } from "./support/db.js";
import { rng } from "./support/rng.js";
import { serverConfig } from "./support/env.js";

const KILLS = 50;
const SEED = Number(process.env.PGQ_SEED ?? 5150);
const consumerScript = resolve(import.meta.dirname, "support/crash-consumer.ts");

let srcDb: TestDb;
let dstDb: TestDb;
beforeAll(async () => {
  srcDb = await createTestDb("pgq_src");
  dstDb = await createTestDb("pgq_dst");
});
afterAll(async () => {
  await srcDb?.drop();
  await dstDb?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startConsumer(drainIdleMs?: number): ChildProcess {
  const cfg = { src: srcDb.config, dst: dstDb.config, queue: "crash", consumer: "applier", drainIdleMs };
  // node itself with tsx's loader: one process, so SIGKILL really kills the consumer
  return spawn(process.execPath, ["--import", "tsx", consumerScript, JSON.stringify(cfg)], {
    stdio: ["ignore", "ignore", "pipe"],
    cwd: resolve(import.meta.dirname, ".."),
  });
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.on("exit", (code) => r(code))));

describe("pgq_ext exactly-once under crashes", () => {
  it(`every event applied once after ${KILLS} kills (seed ${SEED})`, async () => {
    const rand = rng(SEED);
    const src = await srcDb.connect();
    await createTickingQueue(src, "crash");
    await src.query("select pgq.register_consumer('crash', 'applier')");
    const dst = await dstDb.connect();
    await dst.query("create extension pgq_ext");
    await dst.query("create table applied (ev_id bigint, ev_data text)");

    let producing = true;
    let produced = 0;
    const producer = (async () => {
      const c = await srcDb.connect();
      await c.query("set application_name = 'crash-producer'");
      while (producing) {
        const n = 1 + Math.floor(rand() * 20);
        await c.query("select pgq.insert_event('crash', 'ev', 'e' || i) from generate_series(1, $1) i", [n]);
        produced += n;
        await sleep(2);
      }
    })();
    const ticker = (async () => {
      const c = await srcDb.connect();
      while (producing) {
        await c.query("select pgq.ticker('crash')");
        await sleep(15);
      }
    })();

    const admin = new pg.Client(serverConfig(inject("pgServer"), "postgres"));
    await admin.connect();
    let kills = 0;
    let terminations = 0;
    const connected = async () =>
      value<number>(admin, "select count(*)::int from pg_stat_activity where application_name = 'crash-consumer'");
    while (kills + terminations < KILLS) {
      const child = startConsumer();
      // wait until it is connected, then let it work for a random while
      const t0 = Date.now();
      while ((await connected()) < 2 && Date.now() - t0 < 10_000) await sleep(10);
      await sleep(Math.floor(rand() * 150));
      if (rand() < 0.7) {
        child.kill("SIGKILL");
        kills++;
      } else {
        await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'crash-consumer'",
        );
        terminations++;
      }
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited(child);
      clearTimeout(timer);
      // a killed client's backends linger a moment: let them go first
      while ((await connected()) > 0) await sleep(10);
    }
    producing = false;
    await producer;
    await ticker;
    await src.query("select pgq.ticker('crash')");

    const last = startConsumer(1500);
    let stderr = "";
    last.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    expect(await exited(last)).toBe(0);
    expect(stderr).toBe("");
    await admin.end();

    expect(kills).toBeGreaterThan(0);
    expect(terminations).toBeGreaterThan(0);
    const total = await value<number>(dst, "select count(*)::int from applied");
    const distinct = await value<number>(dst, "select count(distinct ev_id)::int from applied");
    expect(distinct).toBe(total); // nothing twice
    expect(total).toBe(produced); // nothing lost
    const sourceIds = await src.query("select ev_id from pgq.event_1 order by 1");
    const appliedIds = await dst.query("select ev_id from applied order by 1");
    expect(appliedIds.rows).toEqual(sourceIds.rows);
  }, 300_000); // 50 consumer processes started and killed: about a minute, more on a loaded machine
});
