// Skytools ini parsing and connection strings.
import { homedir } from "node:os";
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigError, jobNameOf, parseIni, pickSection, readOneSetting, readToolSection, resolveSection, type ConfigLayout,
} from "../src/config.js";
import { clientConfig } from "../src/db.js";

describe("ini files", () => {
  it("parses sections, both separators, comments and continuation lines", () => {
    const ini = parseIni(`# comment
[DEFAULT]
base = /srv

[job]
Job_Name = splitter
db: dbname=src
; another comment
long = first
   second
`);
    expect(ini.job).toEqual({ job_name: "splitter", db: "dbname=src", long: "first\nsecond" });
    expect(ini.DEFAULT).toEqual({ base: "/srv" });
  });

  it("resolves %(name)s from the section, [DEFAULT] and extras, %% and ~ in file names", () => {
    const ini = parseIni(`[DEFAULT]
base = /srv
[job]
job_name = j1
logfile = %(base)s/log/%(job_name)s.log
pidfile = ~/pid/%(job_name)s.pid
note = 100%% %(who)s
`);
    const s = resolveSection(ini, "job", { who: "me" });
    expect(s.logfile).toBe("/srv/log/j1.log");
    expect(s.pidfile).toBe(`${homedir()}/pid/j1.pid`);
    expect(s.note).toBe("100% me");
  });

  it("reports every problem at once", () => {
    expect(() => parseIni("key = outside\n[s]\nno separator here\n")).toThrow(ConfigError);
    try {
      parseIni("key = outside\n[s]\nno separator here\n");
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        "line 1: key is outside any [section]",
        "line 3: cannot parse: no separator here",
      ]);
    }
    const ini = parseIni("[s]\na = %(b)s\nb = %(a)s\nc = %(missing)s\n");
    expect(() => resolveSection(ini, "s")).toThrow(/%\(missing\)s is not defined/);
    expect(() => resolveSection(ini, "s")).toThrow(/%\(a\)s refers to itself: a -> b -> a/);
  });
});

describe("a tool's section (one reader for pgq-runner, pgqadm and queue_splitter)", () => {
  const named: ConfigLayout = { sections: ["tool3", "tool"], anySection: false, extra: (s) => ({ job_name: s }) };
  const any: ConfigLayout = { ...named, anySection: true };
  const keys = [{ key: "job_name", help: "" }, { key: "logfile", help: "" }, { key: "pidfile", default: "/run/x.pid", help: "" },
    { key: "loop_delay", default: "1", help: "" }];

  it("picks the first of its section names there, else (anySection) the first section but [DEFAULT]", () => {
    const ini = parseIni("[DEFAULT]\na = 1\n[other]\nb = 2\n[tool]\n[tool3]\nc = 3\n");
    expect(pickSection(ini, named)).toBe("tool3"); // an empty [tool] does not come first
    expect(pickSection(parseIni("[DEFAULT]\na = 1\n[other]\n[tool]\n"), named)).toBe("tool");
    expect(pickSection(parseIni("[DEFAULT]\na = 1\n[other]\nb = 2\n"), named)).toBeUndefined();
    expect(pickSection(parseIni("[DEFAULT]\na = 1\n[other]\nb = 2\n"), any)).toBe("other");
    expect(pickSection(parseIni("[DEFAULT]\na = 1\n"), any)).toBeUndefined();
    expect(jobNameOf("/etc/pgq/split_orders.ini")).toBe("split_orders");
  });

  it("reads the section with its implicit values and key defaults; done() reports unknown keys with the rest", () => {
    const dir = mkdtempSync(join(tmpdir(), "pgq-config."));
    const path = join(dir, "t.ini");
    writeFileSync(path, "[tool]\nloop_delay = 2\nlogfile = %(job_name)s.log\n");
    const ok = readToolSection(path, named, keys);
    expect([ok.name, ok.extra, ok.r.str("logfile"), ok.r.str("pidfile"), ok.r.seconds("loop_delay")])
      .toEqual(["tool", { job_name: "tool" }, "tool.log", "/run/x.pid", 2]);
    ok.r.str("job_name");
    expect(() => ok.done()).not.toThrow();
    writeFileSync(path, "[tool]\nloop_delay = never\ntypo = 1\n");
    const bad = readToolSection(path, named, keys);
    bad.r.seconds("loop_delay");
    expect(() => bad.done()).toThrow(ConfigError);
    expect(bad.r.problems).toEqual(['loop_delay must be a positive number of seconds, not "never"', "unknown setting typo"]);
    writeFileSync(path, "[x]\na = 1\n");
    expect(() => readToolSection(path, named, keys)).toThrow(/no \[tool3\] \(or \[tool\]\) section/);
    expect(() => readToolSection(path, { ...named, sections: ["tool"] }, keys)).toThrow(/no \[tool\] section/);
    // -s/-k/-r read the pidfile through the same layout from a file that does not load
    writeFileSync(path, "[x]\npidfile = /run/%(job_name)s.pid\nnot a line\n");
    expect(readOneSetting(path, any, "pidfile")).toBe("/run/x.pid");
  });
});

describe("connection strings", () => {
  it("takes libpq keyword=value strings and URIs", () => {
    expect(clientConfig("dbname=app host=db.local port=6432 user=u")).toMatchObject({
      database: "app", host: "db.local", port: 6432, user: "u",
    });
    expect(clientConfig("postgresql://u:p%40ss@db.local:6432/app?application_name=x")).toMatchObject({
      host: "db.local", port: 6432, user: "u", password: "p@ss", database: "app", application_name: "x",
    });
    expect(clientConfig("postgres:///app?host=/var/run/postgresql")).toMatchObject({
      database: "app", host: "/var/run/postgresql",
    });
    expect(() => clientConfig("dbname=app 'stray")).toThrow(/bad connection string/);
  });

  it("reads URIs as libpq does: IPv6 literals, empty and percent-encoded hosts, user without host", () => {
    expect(clientConfig("postgresql://u@[::1]:5433/db")).toMatchObject({ host: "::1", port: 5433, user: "u", database: "db" });
    expect(clientConfig("postgresql://[2001:db8::7]/db")).toMatchObject({ host: "2001:db8::7", database: "db" });
    expect(clientConfig("postgresql://app@/db?host=%2Fvar%2Frun%2Fpostgresql&port=5433")).toMatchObject({
      user: "app", host: "/var/run/postgresql", port: 5433, database: "db",
    });
    expect(clientConfig("postgresql://%2Ftmp%2Fsock/db")).toMatchObject({ host: "/tmp/sock", database: "db" });
    const bare = clientConfig("postgresql://");
    expect([bare.host, bare.port, bare.user, bare.database]).toEqual([undefined, undefined, undefined, undefined]);
    expect(clientConfig("postgresql:///db?options=-c%20work_mem%3D64MB")).toMatchObject({ options: "-c work_mem=64MB" });
    expect(() => clientConfig("postgresql://h:abc/db")).toThrow('port must be a number from 1 to 65535, not "abc"');
    expect(() => clientConfig("postgresql://h/db?sslmode")).toThrow('connection URI: parameter "sslmode" has no value');
    expect(() => clientConfig("postgresql://h/%E0%A4%A")).toThrow("connection URI: bad percent-encoding in the database name");
    expect(() => clientConfig("postgresql://a,b/db")).toThrow(/several hosts are not supported/);
  });
});
