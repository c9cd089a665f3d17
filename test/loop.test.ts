// The loop toolkit (src/loop/): abortable sleep, the Waker, capped
// exponential backoff, the daemon loop and retry, the reconnecting
// connection holder.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { inject } from "vitest";
import { sleep } from "../src/loop/sleep.js";
import { Waker } from "../src/loop/waker.js";
import { Backoff, retry, runLoop } from "../src/loop/backoff.js";
import { Reconnecting } from "../src/loop/connection.js";
import { serverConfig } from "./support/env.js";

const elapsed = async (p: Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await p;
  return performance.now() - t0;
};

describe("sleep", () => {
  it("waits its time without a signal, and wakes at once on abort", async () => {
    expect(await elapsed(sleep(60))).toBeGreaterThanOrEqual(55);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 20);
    expect(await elapsed(sleep(60_000, ctl.signal))).toBeLessThan(1000);
    expect(await elapsed(sleep(60_000, ctl.signal))).toBeLessThan(500); // aborted already (of a 60 s sleep)
  });

  it("leaves no abort listener behind", async () => {
    const ctl = new AbortController();
    let added = 0;
    let removed = 0;
    const add = ctl.signal.addEventListener.bind(ctl.signal);
    const remove = ctl.signal.removeEventListener.bind(ctl.signal);
    ctl.signal.addEventListener = ((...a: Parameters<typeof add>) => (added++, add(...a))) as typeof add;
    ctl.signal.removeEventListener = ((...a: Parameters<typeof remove>) => (removed++, remove(...a))) as typeof remove;
    for (let i = 0; i < 5; i++) await sleep(1, ctl.signal);
    expect([added, removed]).toEqual([5, 5]);
  });
});

describe("Waker", () => {
  it("is woken by notify, interrupt and abort; a notify before the sleep is remembered until clear", async () => {
    const w = new Waker();
    setTimeout(() => w.interrupt(), 20);
    expect(await elapsed(w.sleep(60_000))).toBeLessThan(1000);
    setTimeout(() => w.notify(), 20);
    expect(await elapsed(w.sleep(60_000))).toBeLessThan(1000);
    expect(await elapsed(w.sleep(60_000))).toBeLessThan(500); // remembered (of a 60 s sleep)
    w.clear();
    w.interrupt(); // nobody sleeps: forgotten
    expect(await elapsed(w.sleep(60))).toBeGreaterThanOrEqual(55);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 20);
    expect(await elapsed(w.sleep(60_000, ctl.signal))).toBeLessThan(1000);
  });
});

describe("Backoff", () => {
  it("doubles from its first wait, caps at its maximum, starts over after reset", () => {
    const b = new Backoff({ firstMs: 100, maxMs: 1000 });
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    b.reset();
    expect([b.next(), b.next()]).toEqual([100, 200]);
    const odd = new Backoff({ firstMs: 500, maxMs: 5000 });
    expect(Array.from({ length: 6 }, () => odd.next())).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });
});

describe("runLoop", () => {
  it("waits what the step returns, the backoff after failures (reset by a success), until abort", async () => {
    const ctl = new AbortController();
    const waits: number[] = [];
    const errors: [string, number][] = [];
    const script = ["fail", "fail", "fail", 7, "fail", 0, "stop"];
    let calls = 0;
    await runLoop(async () => {
      const what = script[calls++];
      if (what === "stop") {
        ctl.abort();
        return 123;
      }
      if (what === "fail") throw new Error(`failure ${calls}`);
      return what as number;
    }, {
      signal: ctl.signal,
      backoff: { firstMs: 10, maxMs: 25 },
      onError: (err, ms) => void errors.push([(err as Error).message, ms]),
      wait: async (ms) => void waits.push(ms),
    });
    expect(errors).toEqual([["failure 1", 10], ["failure 2", 20], ["failure 3", 25], ["failure 5", 10]]);
    // 0: on at once, no wait; the last step's wait is still taken (sleep returns at once when aborted)
    expect(waits).toEqual([10, 20, 25, 7, 10, 123]);
    expect(calls).toBe(7);
  });

  it("stops during a wait at once on abort, and does not interrupt a step", async () => {
    const ctl = new AbortController();
    let finished = 0;
    const loop = runLoop(async () => {
      await sleep(50);
      finished++;
      return 60_000;
    }, { signal: ctl.signal, backoff: { firstMs: 1, maxMs: 1 }, onError: () => undefined });
    setTimeout(() => ctl.abort(), 10); // during the step
    expect(await elapsed(loop)).toBeLessThan(1000);
    expect(finished).toBe(1);
  });

  it("ends with the error onError throws", async () => {
    await expect(runLoop(async () => {
      throw new Error("bad");
    }, { backoff: { firstMs: 1, maxMs: 1 }, onError: (err) => { throw err; } })).rejects.toThrow("bad");
  });
});

describe("retry", () => {
  it("retries with backoff until success", async () => {
    let n = 0;
    const waits: number[] = [];
    const r = await retry(async () => {
      if (++n < 4) throw new Error("not yet");
      return "ok";
    }, { backoff: { firstMs: 5, maxMs: 12 }, onError: () => undefined, wait: async (ms) => void waits.push(ms) });
    expect(r).toBe("ok");
    expect(waits).toEqual([5, 10, 12]);
  });

  it("stops on abort during its wait, returning undefined", async () => {
    const ctl = new AbortController();
    let n = 0;
    const p = retry(async () => {
      n++;
      throw new Error("down");
    }, { signal: ctl.signal, backoff: { firstMs: 60_000, maxMs: 60_000 }, onError: () => undefined });
    setTimeout(() => ctl.abort(), 20);
    const t0 = performance.now();
    expect(await p).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(n).toBe(1);
  });
});

describe("Reconnecting", () => {
  const config = () => serverConfig(inject("pgServer"), "postgres");
  const pid = async (c: pg.Client) => (await c.query("select pg_backend_pid() as p")).rows[0].p as number;

  it("keeps one connection, reconnects after the server ends it, reports the error", async () => {
    const errors: [string, boolean][] = [];
    const debug: string[] = [];
    const conn = new Reconnecting({
      create: () => new pg.Client(config()),
      onError: (err, current) => errors.push([(err as Error).message, current]),
      debug: (m) => debug.push(m),
    });
    const admin = new pg.Client(config());
    await admin.connect();
    try {
      const [a, b] = await Promise.all([conn.get(), conn.get()]);
      expect(a).toBe(b); // callers at the same time share one connection
      const first = await pid(a);
      expect(await conn.get()).toBe(a);
      await admin.query("select pg_terminate_backend($1)", [first]);
      for (let i = 0; i < 50 && conn.current; i++) await sleep(20);
      expect(conn.current).toBeUndefined();
      expect(errors.length).toBe(1);
      expect(errors[0]![1]).toBe(true);
      const c = await conn.get();
      expect(c).not.toBe(a);
      expect(await pid(c)).not.toBe(first);
      expect(debug.filter((m) => m.startsWith("connection opened in "))).toHaveLength(2);
    } finally {
      await conn.close();
      await admin.end();
    }
  });

  it("opens a new connection after its lifetime; setup runs on each, and a failing setup ends it", async () => {
    let setups = 0;
    let fail = false;
    const made: pg.Client[] = [];
    const conn = new Reconnecting({
      create: () => {
        const c = new pg.Client(config());
        made.push(c);
        return c;
      },
      setup: async (c) => {
        setups++;
        await c.query("select 1");
        if (fail) throw new Error("refused");
      },
      lifetimeMs: 100,
    });
    try {
      const a = await conn.get();
      expect(await conn.get()).toBe(a);
      await sleep(150);
      const b = await conn.get();
      expect(b).not.toBe(a);
      expect(setups).toBe(2);
      await expect(a.query("select 1")).rejects.toThrow(); // the old one was ended
      await conn.close();
      fail = true;
      await expect(conn.get()).rejects.toThrow("refused");
      expect(conn.current).toBeUndefined();
      await expect(made.at(-1)!.query("select 1")).rejects.toThrow(); // ended too
    } finally {
      await conn.close();
    }
  });
});
