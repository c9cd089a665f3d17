// The opt-in test backend PGQ_TEST_BACKEND=testcontainers: the shared test
// server is the official postgres image (PG=<major>, default 15) in Docker,
// through @testcontainers/postgresql, with this checkout's extension files
// (and Debian's pgTAP, when installed here) copied into its extension
// directory.  Without Docker it says so in one line and the caller falls
// back to the throwaway cluster.  Tests that start clusters of their own
// (restarts, discovery, PgQ 3.5 beside ours) still start them locally.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ServerEnv } from "./env.js";

const root = resolve(import.meta.dirname, "../..");

export interface StartedServer {
  server: ServerEnv;
  stop(): Promise<void>;
}

/** Files to copy into the image's extension directory: this checkout's, built by make, and pgTAP's. */
function extensionFiles(target: string): { source: string; target: string }[] {
  const files: { source: string; target: string }[] = [];
  const add = (dir: string, match: (f: string) => boolean) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) if (match(f)) files.push({ source: join(dir, f), target: `${target}/${f}` });
  };
  const ours = (f: string) => f.endsWith(".control") || /--.*\.sql$/.test(f);
  add(join(root, "extension"), ours);
  add(join(root, "extension/released"), (f) => /--.*\.sql$/.test(f) && !f.includes(".plain--"));
  add("/usr/share/postgresql/15/extension", (f) => f.startsWith("pgtap"));
  return files;
}

/** Starts the container, or returns undefined (after one line on stderr) when Docker is not there. */
export async function startContainer(): Promise<StartedServer | undefined> {
  const major = process.env.PG ?? "15";
  let mod: typeof import("@testcontainers/postgresql");
  try {
    mod = await import("@testcontainers/postgresql");
  } catch {
    process.stderr.write("PGQ_TEST_BACKEND=testcontainers: @testcontainers/postgresql is not installed (npm ci); using a throwaway cluster\n");
    return undefined;
  }
  try {
    const container = await new mod.PostgreSqlContainer(`postgres:${major}`)
      .withUsername("postgres")
      .withPassword("postgres")
      .withCopyFilesToContainer(extensionFiles(`/usr/share/postgresql/${major}/extension`))
      .start();
    return {
      server: { url: container.getConnectionUri() },
      stop: async () => {
        await container.stop();
      },
    };
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0];
    process.stderr.write(`PGQ_TEST_BACKEND=testcontainers: no Docker here (${msg}); using a throwaway cluster\n`);
    return undefined;
  }
}
