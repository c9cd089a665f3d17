// pgq installed without CREATE EXTENSION (extension/pgq.sql through psql),
// as on servers that refuse extensions: the same objects and behaviour, and
// a version() that pgqd accepts.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { inject } from "vitest";
import { cliEnv, PGQ_VERSION, serverConfig } from "./support/env.js";
import { value } from "./support/db.js";

const script = resolve(import.meta.dirname, "../extension/pgq.sql");
const DB = `pgq_plain_${process.pid}`;
let admin: pg.Client;
let c: pg.Client;

beforeAll(async () => {
  const server = inject("pgServer");
  admin = new pg.Client(serverConfig(server, "postgres"));
  await admin.connect();
  await admin.query(`create database ${DB}`);
  c = new pg.Client(serverConfig(server, DB));
  await c.connect();
});
afterAll(async () => {
  await c?.end();
  await admin?.query(`drop database if exists ${DB} with (force)`);
  await admin?.end();
});

describe("plain script install", () => {
  it("loads with psql -1 -f and reports its version", async () => {
    execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script], {
      env: cliEnv(inject("pgServer"), DB),
      stdio: ["ignore", "ignore", "inherit"],
    });
    expect(await value(c, "select count(*)::int from pg_extension where extname = 'pgq'")).toBe(0);
    expect(await value(c, "select pgq.version()")).toBe(PGQ_VERSION);
  });

  it("works like the extension", async () => {
    await c.query("select pgq.create_queue('plain')");
    await c.query("select pgq.set_queue_config('plain', 'ticker_max_lag', '0')");
    await c.query("select pgq.register_consumer('plain', 'c')");
    expect(await value(c, "select pgq.insert_event('plain', 't', 'hello')")).toBe("1");
    await c.query("select pgq.ticker()");
    const batch = await value<string>(c, "select pgq.next_batch('plain', 'c')");
    const evs = await c.query("select ev_id, ev_data from pgq.get_batch_events($1)", [batch]);
    expect(evs.rows).toEqual([{ ev_id: "1", ev_data: "hello" }]);
    expect(await value(c, "select pgq.finish_batch($1)", [batch])).toBe(1);
  });
});
