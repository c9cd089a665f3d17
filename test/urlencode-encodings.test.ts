// pgq._urlencode encodes the bytes of the value in the database's own
// encoding, as PgQ's C triggers do: the LATIN1-bytes path (UTF8, LATIN1,
// SQL_ASCII databases) and the run-at-a-time path (other encodings).
import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { inject } from "vitest";
import { serverConfig } from "./support/env.js";

const server = inject("pgServer");
const created: string[] = [];

async function dbWith(encoding: string): Promise<pg.Client> {
  const name = `pgq_enc_${encoding.toLowerCase()}_${process.pid}`;
  const admin = new pg.Client(serverConfig(server, "postgres"));
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name} encoding '${encoding}' lc_collate 'C' lc_ctype 'C' template template0`);
    created.push(name);
  } finally {
    await admin.end();
  }
  const c = new pg.Client({ ...serverConfig(server, name), client_encoding: "UTF8" } as pg.ClientConfig);
  await c.connect();
  await c.query("create extension pgq");
  return c;
}

afterAll(async () => {
  const admin = new pg.Client(serverConfig(server, "postgres"));
  await admin.connect();
  for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

const cases: [string, string, string][] = [
  ["UTF8", "日本 é x%+", "%e6%97%a5%e6%9c%ac+%c3%a9+x%25%2b"],
  ["LATIN1", "é ü%", "%e9+%fc%25"],
  ["EUC_JP", "日本 x%", "%c6%fc%cb%dc+x%25"],
];

describe("pgq._urlencode in each database encoding", () => {
  for (const [encoding, value, expected] of cases) {
    it(`${encoding}: ${value}`, async () => {
      const c = await dbWith(encoding);
      try {
        const r = await c.query("select pgq._urlencode($1) a, pgq._urlencode(repeat($1, 500)) b", [value]);
        expect(r.rows[0].a).toBe(expected);
        expect(r.rows[0].b).toBe(expected.repeat(500));
      } finally {
        await c.end();
      }
    });
  }
});
