// Finds the server the tests run against, or starts a throwaway one, and
// makes the template database every test file clones.
//
// PGQ_TEST_BACKEND=testcontainers: a postgres container (test/support/
// container.ts), if Docker is there.  Else PGQ_TEST_DATABASE_URL or PGHOST
// set: use that server (run `make install`
// yourself first; `make test` does).  Neither: start a cluster with
// scripts/pgcluster.sh, install this checkout's extension into it, and
// remove it when the run ends, pass or fail.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { startContainer } from "./container.js";
import { serverConfig, TEMPLATE_DB, type ServerEnv } from "./env.js";

const root = resolve(import.meta.dirname, "../..");
let clusterDir: string | undefined;
let stopContainer: (() => Promise<void>) | undefined;

function startCluster(): ServerEnv {
  const dir = mkdtempSync(join(tmpdir(), "pgq-vitest."));
  rmdirSync(dir); // pgcluster.sh wants to create it
  clusterDir = dir;
  const out = execFileSync(join(root, "scripts/pgcluster.sh"), ["start", dir], { encoding: "utf8" });
  const env: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  execFileSync("make", ["-C", root, "-s", "install"], { stdio: ["ignore", "ignore", "inherit"] });
  return { PGHOST: env.PGHOST, PGPORT: env.PGPORT, PGUSER: env.PGUSER ?? "postgres" };
}

export async function setup(project: TestProject): Promise<void> {
  let server: ServerEnv;
  const container = process.env.PGQ_TEST_BACKEND === "testcontainers" ? await startContainer() : undefined;
  if (container) {
    stopContainer = container.stop;
    server = container.server;
  } else if (process.env.PGQ_TEST_DATABASE_URL) {
    server = { url: process.env.PGQ_TEST_DATABASE_URL };
  } else if (process.env.PGHOST) {
    server = { PGHOST: process.env.PGHOST, PGPORT: process.env.PGPORT, PGUSER: process.env.PGUSER };
  } else {
    server = startCluster();
  }
  project.provide("pgServer", server);

  const admin = new pg.Client(serverConfig(server, "postgres"));
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await admin.query(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const tpl = new pg.Client(serverConfig(server, TEMPLATE_DB));
  await tpl.connect();
  try {
    await tpl.query("create extension pgq");
  } finally {
    await tpl.end();
  }
}

export async function teardown(): Promise<void> {
  await stopContainer?.();
  if (clusterDir) {
    execFileSync(join(root, "scripts/pgcluster.sh"), ["stop", clusterDir]);
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    pgServer: ServerEnv;
  }
}
