// The layout of pgq's SQL sources (reads files and `make -n`, no server):
// functions live in extension/pgq/functions/NNN_<stage>/, one function (or
// overload family) per file named after it, and the Makefile builds them
// stage by stage, so that the built script reads front to back as the
// pipeline: each stage's entry point in pipeline order, before the shared
// helpers (090_util) and the triggers.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const functionsDir = join(root, "extension/pgq/functions");
const triggersDir = join(root, "extension/pgq/triggers");
const STAGE = /^\d{3}_[a-z_]+$/;

/** Every .sql file under dir, as paths relative to the repository. */
function sqlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".sql"))
    .map((f) => relative(root, join(dir, f)))
    .sort();
}

/** The sources the Makefile passes to build-sql.sh for the plain full script, in order. */
function buildOrder(): string[] {
  const cmd = execFileSync("make", ["-n", "-B", "-s", "--no-print-directory", "extension/pgq.sql"], {
    cwd: root,
    encoding: "utf8",
  });
  const line = cmd.split("\n").find((l) => l.startsWith("scripts/build-sql.sh plain pgq "));
  if (!line) throw new Error(`make -n printed no build-sql.sh line:\n${cmd}`);
  return line.split(/\s+/).filter((w) => /^extension\/pgq\/(functions|triggers)\/.*\.sql$/.test(w));
}

describe("pgq's SQL layout", () => {
  it("functions/ holds only stage folders NNN_<stage>, each only pgq.<name>.sql files", () => {
    const misplaced: string[] = [];
    for (const entry of readdirSync(functionsDir)) {
      const path = join(functionsDir, entry);
      if (!statSync(path).isDirectory() || !STAGE.test(entry)) {
        misplaced.push(`functions/${entry}`);
        continue;
      }
      for (const f of readdirSync(path)) {
        if (!/^pgq\.[a-z_0-9]+\.sql$/.test(f) || !statSync(join(path, f)).isFile()) misplaced.push(`functions/${entry}/${f}`);
      }
    }
    expect(misplaced, "put a function into the folder of its pipeline stage").toEqual([]);
  });

  it("every source file defines one function (or overload family), named as the file", () => {
    const wrong: string[] = [];
    for (const f of [...sqlFiles(functionsDir), ...sqlFiles(triggersDir)]) {
      const text = readFileSync(join(root, f), "utf8");
      const names = new Set([...text.matchAll(/^create\s+(?:or\s+replace\s+)?function\s+([\w.]+)\s*\(/gim)].map((m) => m[1]));
      const want = basename(f, ".sql");
      if (names.size !== 1 || !names.has(want)) wrong.push(`${f}: ${[...names].join(", ") || "no function"}`);
    }
    expect(wrong).toEqual([]);
  });

  it("the build takes every function and trigger source once, stage by stage, triggers last", () => {
    const order = buildOrder();
    expect([...order].sort()).toEqual([...sqlFiles(functionsDir), ...sqlFiles(triggersDir)].sort());
    const stages = order.map((f) => /^extension\/pgq\/functions\/(\d{3})_/.exec(f)?.[1] ?? "999");
    expect(stages, "stage folders in number order, then triggers").toEqual([...stages].sort());
  });

  it("the built script meets each stage's entry point in pipeline order, before the helpers and triggers", () => {
    const files = buildOrder();
    const order = files.map((f) => basename(f, ".sql"));
    const pipeline = [
      "pgq.create_queue",
      "pgq.insert_event",
      "pgq.ticker",
      "pgq.next_batch",
      "pgq.get_batch_events",
      "pgq.finish_batch",
      "pgq.maint_rotate_tables_step1",
      "pgq.event_retry",
      "pgq.maint_operations",
      "pgq.get_queue_info",
    ];
    const at = pipeline.map((fn) => order.indexOf(fn));
    expect(at.every((i) => i >= 0), `all of ${pipeline.join(", ")} built`).toBe(true);
    // finish_batch sorts before next_batch in its folder: the stages, not
    // the files within one, are in pipeline order
    const stageOf = (i: number) => files[i]?.split("/")[3] ?? "";
    const stagesAt = at.map(stageOf);
    expect(stagesAt).toEqual([...stagesAt].sort());
    const firstHelper = files.findIndex((f) => f.includes("/functions/090_util/") || f.includes("/triggers/"));
    expect(Math.max(...at)).toBeLessThan(firstHelper);
    // before create_queue, only helpers of the queue admin stage
    const first = order.indexOf("pgq.create_queue");
    expect(files.slice(0, first).every((f) => f.includes("/functions/010_queue_admin/pgq._"))).toBe(true);
  });
});
