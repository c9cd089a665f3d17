// pgq's plain form tracked by graphile-migrate: the built migrations
// (extension/NAME.migration.sql, NAME.upgrade.migration.sql: the plain
// scripts without their BEGIN/COMMIT) committed with `graphile-migrate
// commit` and applied with `graphile-migrate migrate`.  Migrating an empty
// database must give exactly the plain install's catalog; a database
// migrated to release 4.0 and then up by the upgrade migration must give
// exactly a fresh install's catalog.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { cliEnv, serverConfig } from "./support/env.js";
// graphile-migrate's own hashing and file format (its CommonJS modules)
import { calculateHash } from "graphile-migrate/dist/hash.js";
import { serializeMigration } from "graphile-migrate/dist/migration.js";
import { describeCatalog, diffLines } from "./upgrade/catalog.js";

const root = resolve(import.meta.dirname, "..");
const ext = join(root, "extension");
const work = mkdtempSync(join(tmpdir(), "pgq-gm-test."));
const P = `pgq_gm_${process.pid}`;
const DBS = ["fresh", "ref", "shadow_a", "old", "shadow_b"].map((d) => `${P}_${d}`);
let admin: pg.Client;

/** A postgres:// URL for a database of the test server (graphile-migrate reads URLs). */
function url(db: string): string {
  const env = cliEnv(inject("pgServer"), db);
  const auth = `${encodeURIComponent(env.PGUSER ?? "postgres")}${env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : ""}`;
  const host = env.PGHOST ?? "localhost";
  return host.startsWith("/")
    ? `postgres://${auth}@/${db}?host=${encodeURIComponent(host)}${env.PGPORT ? `&port=${env.PGPORT}` : ""}`
    : `postgres://${auth}@${host}${env.PGPORT ? `:${env.PGPORT}` : ""}/${db}`;
}

/** A graphile-migrate project in its own directory, for database `db`. */
function project(name: string, db: string, shadow: string) {
  const dir = join(work, name);
  mkdirSync(join(dir, "migrations"), { recursive: true });
  writeFileSync(join(dir, ".gmrc"), JSON.stringify({
    connectionString: url(db), shadowConnectionString: url(shadow), rootConnectionString: url("postgres"),
  }));
  const gm = (...args: string[]) => {
    const r = spawnSync(join(root, "node_modules/.bin/graphile-migrate"), args, { cwd: dir, encoding: "utf8" });
    expect(r.status, `graphile-migrate ${args.join(" ")}:\n${r.stdout}${r.stderr}`).toBe(0);
  };
  return {
    /**
     * Writes a committed migration file as `commit` would, without the
     * SQL minifier `commit` runs first only to see whether the migration
     * is blank: release 4.0's plain script has a string literal ('\\')
     * that pg-minify cannot read (fixed in 4.1).
     */
    writeCommitted(message: string, files: string[]) {
      const body = files.map((f) => readFileSync(f, "utf8")).join("\n");
      const committed = join(dir, "migrations/committed");
      mkdirSync(committed, { recursive: true });
      const hash = calculateHash(body, null);
      writeFileSync(join(committed, `000001-${message.replace(/\W+/g, "-")}.sql`),
        serializeMigration(body, { Previous: "-", Hash: hash, Message: message }));
    },
    /** Commits the given files, concatenated, as one migration. */
    commit(message: string, files: string[]) {
      writeFileSync(join(dir, "migrations/current.sql"), files.map((f) => readFileSync(f, "utf8")).join("\n"));
      gm("commit", "--message", message);
    },
    migrate: () => gm("migrate"),
    committed: () => readdirSync(join(dir, "migrations/committed")).sort(),
  };
}

/** The release-4.0 plain scripts as migrations, made the way the Makefile makes them. */
function released40(name: string): string {
  const out = join(work, `${name}.plain--4.0.migration.sql`);
  const r = spawnSync(join(root, "scripts/migration-sql.sh"), [join(ext, `released/${name}.plain--4.0.sql`)], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  writeFileSync(out, r.stdout);
  return out;
}

async function catalog(db: string): Promise<string[]> {
  const c = new pg.Client(serverConfig(inject("pgServer"), db));
  await c.connect();
  try {
    return await describeCatalog(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  admin = new pg.Client(serverConfig(inject("pgServer"), "postgres"));
  await admin.connect();
  for (const db of DBS) await admin.query(`create database ${db}`);
  // the reference: the plain scripts through psql
  for (const f of ["pgq.sql", "pgq_ext.sql"]) {
    const r = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", join(ext, f)], {
      env: cliEnv(inject("pgServer"), `${P}_ref`), encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  for (const db of DBS) await admin?.query(`drop database if exists ${db} with (force)`);
  await admin?.end();
  rmSync(work, { recursive: true, force: true });
});

describe("graphile-migrate", () => {
  it("migrating an empty database through the committed install migration equals the plain install", async () => {
    const gm = project("fresh", `${P}_fresh`, `${P}_shadow_a`);
    gm.commit("pgq and pgq_ext", [join(ext, "pgq.migration.sql"), join(ext, "pgq_ext.migration.sql")]);
    gm.migrate();
    expect(gm.committed()).toEqual(["000001-pgq-and-pgq_ext.sql"]);
    expect(diffLines(await catalog(`${P}_fresh`), await catalog(`${P}_ref`))).toEqual([]);
  });

  it("migrating up a release (4.0, then the upgrade migration) equals the plain upgrade: a fresh install", async () => {
    const gm = project("old", `${P}_old`, `${P}_shadow_b`);
    gm.writeCommitted("pgq-4-0", [released40("pgq"), released40("pgq_ext")]);
    gm.migrate();
    const c = new pg.Client(serverConfig(inject("pgServer"), `${P}_old`));
    await c.connect();
    try {
      expect((await c.query("select pgq.version() v")).rows).toEqual([{ v: "4.0" }]);
      // 4.0 is not 4.1: there is something for the upgrade to do
      expect(diffLines(await catalog(`${P}_old`), await catalog(`${P}_ref`)).length).toBeGreaterThan(0);
      gm.commit("pgq 4.1", [join(ext, "pgq.upgrade.migration.sql"), join(ext, "pgq_ext.upgrade.migration.sql")]);
      gm.migrate();
      expect(gm.committed()).toEqual(["000001-pgq-4-0.sql", "000002-pgq-4-1.sql"]);
      expect(diffLines(await catalog(`${P}_old`), await catalog(`${P}_ref`))).toEqual([]);
      // graphile-migrate records both
      expect((await c.query("select filename from graphile_migrate.migrations order by filename")).rows.map((r) => r.filename))
        .toEqual(["000001.sql", "000002.sql"]);
    } finally {
      await c.end();
    }
  });
});
