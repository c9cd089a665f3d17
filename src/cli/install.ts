// pgqadm install: pgq (and pgq_ext, pgq_coop on request) into one database, from this
// package's SQL.  CREATE EXTENSION where the server has the extension files
// and the role may run it; the plain script (extension/NAME.sql, the same
// objects without an extension) otherwise, as on managed servers.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { errorText } from "../log.js";
import { sql } from "../sql/index.js";
import { UsageError } from "./common.js";

export type Installable = keyof typeof sql.versionOf;

/** What `install` can install; `requires` must be there first (as for CREATE EXTENSION). */
export const INSTALLABLE: readonly { name: Installable; requires?: Installable }[] = [
  { name: "pgq" },
  { name: "pgq_ext", requires: "pgq" },
  { name: "pgq_coop", requires: "pgq" },
];

/** CREATE EXTENSION failures after which the plain script is tried. */
const NOT_AS_EXTENSION = new Set([
  "42501", // not superuser (and not a trusted extension)
  "58P01", // no extension files on the server
  "0A000", // extension not available
  "42704", // a required extension is not installed (pgq as a plain script)
]);

/** The package's extension/ directory (dist/cli/ -> ../../extension; src/cli/ under tsx likewise). */
function extensionDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const d of [resolve(here, "../../extension"), resolve(here, "../extension")]) {
    if (existsSync(join(d, "pgq.control"))) return d;
  }
  throw new Error("this package has no extension/ directory");
}

function packageVersion(dir: string, name: string): string {
  const control = readFileSync(join(dir, `${name}.control`), "utf8");
  const m = /^default_version\s*=\s*'([^']+)'/m.exec(control);
  if (!m) throw new Error(`${name}.control has no default_version`);
  return m[1]!;
}

function plainScript(dir: string, name: string): string {
  const p = join(dir, `${name}.sql`);
  if (!existsSync(p)) throw new Error(`${p} not found: run make (or npm pack) first`);
  return readFileSync(p, "utf8");
}

/** The extensions to install, in dependency order: pgq always, then those named. */
export function installList(args: readonly string[]): Installable[] {
  const unknown = args.filter((a) => !INSTALLABLE.some((e) => e.name === a));
  if (unknown.length) {
    throw new UsageError(`install: unknown extension ${unknown.join(", ")} (known: ${INSTALLABLE.map((e) => e.name).join(", ")})`);
  }
  return INSTALLABLE.filter((e) => e.name === "pgq" || args.includes(e.name)).map((e) => e.name);
}

/**
 * Installs each of `names` that is missing; says for each what it did or
 * found.  Server warnings (roles pgq could not create) are passed on.
 */
export async function install(c: pg.Client, names: readonly Installable[], out: (s: string) => void): Promise<void> {
  const dir = extensionDir();
  const onNotice = (n: { severity?: string; message?: string; hint?: string }) => {
    out(`  ${(n.severity ?? "notice").toLowerCase()}: ${n.message}${n.hint ? `\n  hint: ${n.hint}` : ""}`);
  };
  c.on("notice", onNotice);
  try {
    for (const name of names) await installOne(c, dir, name, out);
  } finally {
    c.off("notice", onNotice);
  }
}

async function installOne(c: pg.Client, dir: string, name: Installable, out: (s: string) => void): Promise<void> {
  const mine = packageVersion(dir, name);
  const there = await c.query<{ ext: string | null; has_schema: boolean }>(sql.installed, [name]);
  const { ext, has_schema } = there.rows[0]!;
  if (has_schema) {
    const v = (await c.query<{ version: string }>(sql.versionOf[name])).rows[0]!.version;
    const form = ext !== null ? "extension" : "plain script";
    out(v === mine
      ? `${name} ${v} is installed already (${form})`
      : `${name} ${v} is installed already (${form}); this package has ${mine}: upgrade with `
        + (ext !== null ? `ALTER EXTENSION ${name} UPDATE` : `psql -f ${join(dir, `${name}.upgrade.sql`)}`));
    return;
  }
  const requires = INSTALLABLE.find((e) => e.name === name)?.requires;
  const requiredIsPlain = requires !== undefined
    && (await c.query(sql.isExtension, [requires])).rowCount === 0;
  let why: string;
  if (requiredIsPlain) {
    why = `${requires} is a plain install`;
  } else {
    try {
      await c.query(sql.createExtension(name));
      out(`${name} ${mine} installed with CREATE EXTENSION`);
      return;
    } catch (err) {
      if (!NOT_AS_EXTENSION.has((err as { code?: string }).code ?? "")) throw err;
      why = `CREATE EXTENSION: ${errorText(err)}`;
    }
  }
  await c.query(plainScript(dir, name));
  out(`${name} ${mine} installed from the plain script (${why})`);
}
