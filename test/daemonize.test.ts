// daemonize (pgq-runner -d, pgqadm -d, queue_splitter -d): a daemon that
// does not write its pidfile in time is stopped, and the failure says so.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { daemonize } from "../src/cli/daemon.js";
import { processGone, waitFor } from "./support/cli.js";

describe("daemonize", () => {
  it("stops a daemon that has not written its pidfile in time, and says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pgq-daemonize."));
    const pidfile = join(dir, "never.pid");
    // a program that runs on and never writes the pidfile
    const err = await daemonize(["-e", "setInterval(() => {}, 1000)"], pidfile, undefined,
                                { tool: "never", config: "never.ini" }, 1000).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^daemon \(pid \d+\) did not write its pidfile .*never\.pid within 1 s: stopped it/);
    const pid = Number(/pid (\d+)/.exec(err!.message)![1]);
    await waitFor(() => processGone(pid), 10_000, "the daemon stopped");
  });

  it("fails at once when the daemon exits before writing its pidfile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pgq-daemonize."));
    const t0 = Date.now();
    const err = await daemonize(["-e", "process.exit(3)"], join(dir, "x.pid"), undefined,
                                { tool: "x", config: "x.ini" }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^daemon did not start/);
    expect(Date.now() - t0).toBeLessThan(25_000); // not the 30 s start-up allowance
  });
});
