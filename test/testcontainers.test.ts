// The opt-in Docker backend (test/support/container.ts): where Docker runs,
// it starts the postgres image with this checkout's pgq in it; where it does
// not (this project's CI), it says so in one line and gives way to the
// throwaway cluster.  Either way this test checks what happened.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { startContainer } from "./support/container.js";
import { PGQ_VERSION } from "./support/env.js";

const dockerThere = () =>
  existsSync("/var/run/docker.sock") || !!process.env.DOCKER_HOST || spawnSync("docker", ["info"]).status === 0;

describe("PGQ_TEST_BACKEND=testcontainers", () => {
  it("starts postgres with pgq in Docker, or says in one line that there is no Docker", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let started: Awaited<ReturnType<typeof startContainer>>;
    try {
      started = await startContainer();
    } finally {
      spy.mockRestore();
    }
    if (started === undefined) {
      expect(dockerThere()).toBe(false);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^PGQ_TEST_BACKEND=testcontainers: no Docker here \(.+\); using a throwaway cluster\n$/);
      return;
    }
    try {
      const c = new pg.Client({ connectionString: started.server.url });
      await c.connect();
      try {
        await c.query("create extension pgq");
        expect((await c.query("select pgq.version() v")).rows).toEqual([{ v: PGQ_VERSION }]);
      } finally {
        await c.end();
      }
    } finally {
      await started.stop();
    }
  }, 300_000);
});
