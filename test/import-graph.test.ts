// The TypeScript import graph of src/ has no cycles: no module needs one
// that needs it back while loading.  Type-only imports (import type, or
// braces of types alone) vanish from the compiled code and are not counted:
// runner.ts and its http.ts / status-page.ts name each other's types.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "../src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
}

/** Whether an import or export statement's names are all types. */
function typeOnly(statement: string): boolean {
  if (/^(import|export)\s+type\b/.test(statement)) return true;
  const names = /\{([^}]*)\}/.exec(statement)?.[1];
  if (names === undefined || /^import\s+[\w$]+\s*,/.test(statement) || /\*\s+as\b/.test(statement)) return false;
  const list = names.split(",").map((n) => n.trim()).filter((n) => n !== "");
  return list.length > 0 && list.every((n) => n.startsWith("type "));
}

/** Each file's relative imports and re-exports that stay in the compiled code (static and dynamic), as files of src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files(src)) {
    const text = readFileSync(f, "utf8");
    const statements = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm)]
      .filter((m) => !typeOnly(m[0]))
      .map((m) => m[1]!);
    const dynamic = [...text.matchAll(/\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => m[1]!);
    const bare = [...text.matchAll(/^import\s*["'](\.{1,2}\/[^"']+)["']/gm)].map((m) => m[1]!);
    const specs = [...statements, ...dynamic, ...bare];
    graph.set(relative(src, f), specs.map((s) => relative(src, resolve(dirname(f), s.replace(/\.js$/, ".ts")))));
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as its files in order. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "active" | "done">();
  const path: string[] = [];
  const visit = (n: string) => {
    if (state.get(n) === "done") return;
    if (state.get(n) === "active") {
      found.push([...path.slice(path.indexOf(n)), n]);
      return;
    }
    state.set(n, "active");
    path.push(n);
    for (const m of graph.get(n) ?? []) visit(m);
    path.pop();
    state.set(n, "done");
  };
  for (const n of [...graph.keys()].sort()) visit(n);
  return found;
}

describe("src/ import graph", () => {
  it("resolves every relative import to a file of src/", () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(20);
    const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${f} -> ${d}`));
    expect(missing).toEqual([]);
  });

  it("has no cycles", () => {
    expect(cycles(importGraph()).map((c) => c.join(" -> "))).toEqual([]);
  });

  it("would see one, and tells type-only imports apart", () => {
    expect(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).toEqual([["a", "b", "c", "a"]]);
    expect(["import type { A } from './a.js'", "import { type A, type B } from './a.js'", "export type { A } from './a.js'"]
      .map(typeOnly)).toEqual([true, true, true]);
    expect(["import { a, type B } from './a.js'", "import A, { type B } from './a.js'", "import * as a from './a.js'",
      "import {\n  a,\n  type B,\n} from './a.js'"].map(typeOnly)).toEqual([false, false, false, false]);
  });
});
