// The npm package as a user gets it: `npm pack` of this checkout's files
// (as a clean clone has them: nothing built), installed into an empty
// project from the registry like any dependency.  The tarball must carry
// the built SQL of every extension and working types; `npx pgqadm install`
// must install from it; the README's TypeScript example must type-check
// with strict settings and skipLibCheck off and run as written; the
// README's SQL example must run in psql as written.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { cliEnv, PGQ_VERSION, serverConfig } from "./support/env.js";

const root = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "pgq-npm-test."));
const app = join(work, "app");
const DB = `pgq_npm_${process.pid}`;
let tarball: string;
let admin: pg.Client;

/** The fenced block of `lang` under the README heading `heading`. */
function readmeBlock(heading: string, lang: string): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const at = readme.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`README has no section ${heading}`);
  const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(readme.slice(at));
  if (!m) throw new Error(`README section ${heading} has no ${lang} block`);
  return m[1]!;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  return { status: r.status, stdout: r.stdout ?? "", out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** A libpq keyword=value string for the test server's database `db`, as `user`. */
function connString(db: string, user?: string): string {
  const env = cliEnv(inject("pgServer"), db);
  return [`host=${env.PGHOST}`, env.PGPORT && `port=${env.PGPORT}`, `user=${user ?? env.PGUSER ?? "postgres"}`,
    env.PGPASSWORD && `password=${env.PGPASSWORD}`, `dbname=${db}`].filter(Boolean).join(" ");
}

beforeAll(async () => {
  // the checkout as a clean clone has it: tracked and new files, nothing built
  const src = join(work, "src");
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
    .split("\0").filter((f) => f && existsSync(join(root, f)) && !f.startsWith("node_modules"));
  for (const f of files) {
    mkdirSync(dirname(join(src, f)), { recursive: true });
    cpSync(join(root, f), join(src, f));
  }
  symlinkSync(join(root, "node_modules"), join(src, "node_modules"));
  const pack = run("npm", ["pack", "--pack-destination", work, "--json"], { cwd: src });
  expect(pack.status, pack.out).toBe(0);
  const json = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[")));
  tarball = join(work, json[0].filename);

  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const install = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball,
    "typescript@5", "@types/node@20"], { cwd: app });
  expect(install.status, install.out).toBe(0);

  admin = new pg.Client(serverConfig(inject("pgServer"), "postgres"));
  await admin.connect();
  await admin.query(`create database ${DB}`);
}, 300_000);
afterAll(async () => {
  await admin?.query(`drop database if exists ${DB} with (force)`);
  await admin?.query(`drop database if exists ${DB}_owner with (force)`);
  await admin?.query("drop role if exists pgq_npm_owner");
  await admin?.end();
  rmSync(work, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("carries the built SQL of pgq and pgq_ext, compiled code, and the types' dependencies", () => {
    const pkg = join(app, "node_modules/pgq");
    for (const f of ["pgq.sql", "pgq_ext.sql", "pgq_coop.sql", `pgq--${PGQ_VERSION}.sql`, "pgq.upgrade.sql", "pgq.control",
      "pgq_ext.control", "pgq_coop.control"]) {
      expect(existsSync(join(pkg, "extension", f)), f).toBe(true);
    }
    for (const f of ["index.js", "index.d.ts", "cli/pgqadm.js"]) expect(existsSync(join(pkg, "dist", f)), f).toBe(true);
    expect(existsSync(join(pkg, "LICENSE"))).toBe(true);
    // dist/*.d.ts import pg: its types come with the package
    expect(existsSync(join(app, "node_modules/@types/pg/index.d.ts"))).toBe(true);
    // no test or benchmark files
    expect(existsSync(join(pkg, "test"))).toBe(false);
    expect(existsSync(join(pkg, "scripts/pgcluster.sh"))).toBe(false);
  });

  it("npx pgqadm install [pgq_ext] installs from the package: as an extension, or plain for a database owner", async () => {
    const npx = (args: string[]) => run("npx", ["--no-install", "pgqadm", ...args], { cwd: app, timeout: 60_000 });
    const r = npx([connString(DB), "install", "pgq_coop", "pgq_ext"]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toBe(`pgq ${PGQ_VERSION} installed with CREATE EXTENSION\npgq_ext ${PGQ_VERSION} installed with CREATE EXTENSION\n`
      + `pgq_coop ${PGQ_VERSION} installed with CREATE EXTENSION\n`);

    await admin.query("create role pgq_npm_owner login");
    await admin.query(`create database ${DB}_owner owner pgq_npm_owner`);
    const plain = npx([connString(`${DB}_owner`, "pgq_npm_owner"), "install", "pgq_ext", "pgq_coop"]);
    expect(plain.status, plain.out).toBe(0);
    expect(plain.out).toMatch(new RegExp(`^pgq ${PGQ_VERSION} installed from the plain script \\(CREATE EXTENSION: permission denied`, "m"));
    for (const e of ["pgq_ext", "pgq_coop"]) {
      expect(plain.out).toMatch(new RegExp(`^${e} ${PGQ_VERSION} installed from the plain script \\(pgq is a plain install\\)$`, "m"));
    }
  });

  it("the README's TypeScript example type-checks (strict, skipLibCheck off) and runs as written", () => {
    writeFileSync(join(app, "main.ts"), readmeBlock("TypeScript driver", "ts"));
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        strict: true, skipLibCheck: false, noEmitOnError: true, module: "nodenext", moduleResolution: "nodenext",
        target: "es2022", types: ["node"],
      },
      files: ["main.ts"],
    }));
    const tsc = run(join(app, "node_modules/.bin/tsc"), ["-p", "."], { cwd: app });
    expect(tsc.status, tsc.out).toBe(0);

    const url = `postgresql://${encodeURIComponent(cliEnv(inject("pgServer"), DB).PGUSER ?? "postgres")}@/${DB}`
      + `?host=${encodeURIComponent(cliEnv(inject("pgServer"), DB).PGHOST!)}&port=${cliEnv(inject("pgServer"), DB).PGPORT}`;
    const started = Date.now();
    const ex = run(process.execPath, ["main.js"], { cwd: app, env: { ...process.env, DATABASE_URL: url }, timeout: 30_000 });
    expect(ex.status, ex.out).toBe(0);
    expect(ex.out).toBe("order.created id=1&item=book\n");
    // it closes what it opened: the process ends at once, not after pg's idle timeout
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("the README's SQL example runs in psql as written", async () => {
    await admin.query(`create database ${DB}_sql template pgq_test_template`);
    try {
      const psql = spawnSync("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-A", "-t"], {
        input: readmeBlock("Using it", "sql"), encoding: "utf8", env: cliEnv(inject("pgServer"), `${DB}_sql`),
      });
      expect(psql.status, psql.stderr).toBe(0);
      expect(psql.stderr).toBe("");
      // create_queue 1, register 1, event id 1, force_tick's tick 1, one tick
      // made, the event of the batch, finish_batch 1
      expect(psql.stdout.trim().split("\n")).toEqual(["1", "1", "1", "1", "1", "1|order.created|id=1&item=book", "1"]);
    } finally {
      await admin.query(`drop database if exists ${DB}_sql with (force)`);
    }
  });
});
