#!/usr/bin/env node
// npm's prepare step: builds dist/ with TypeScript when it is installed (a
// checkout after `npm ci`).  A checkout installed as a folder or git
// dependency without its devDependencies cannot build; it says what to do
// instead of failing with "tsc: not found".  The tarball (npm pack) carries
// dist/ and the built SQL, so installs from it never get here.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
let tsc;
try {
  tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
} catch {
  tsc = undefined;
}
if (tsc !== undefined) {
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
} else if (!existsSync(join(root, "dist/index.js"))) {
  console.error(`pgq: ${root} is not built and has no TypeScript to build it with.\n`
    + "  Run `npm ci && make` in that checkout first, or install the package made by `npm pack` there.");
  process.exit(1);
}
