// The manual pages in man/: each renders without a warning (mandoc -T lint,
// groff -ww); their OPTIONS, COMMANDS and CONFIG lists say what the tools'
// tables in src/cli/spec.ts say (names, defaults), and so do --help and
// --ini; the loaders accept every key of the tables; package.json's `man`
// field and `make install-man` install every page; and the QUICK START of
// each page, taken from the page source, runs as written against a cluster
// of its own (it creates databases, and pgq-runner ticks what it finds).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKey, keyNames, defaultSentence, SWITCHES, TOOL_SPECS, type ToolSpec } from "../src/cli/spec.js";
import { startPrivateCluster, type PrivateCluster } from "./support/cluster.js";
import { killDaemons, runCli, waitFor } from "./support/cli.js";

const root = resolve(import.meta.dirname, "..");
const manDir = join(root, "man");
const PAGES = ["pgq-runner.1", "pgqadm.1", "queue_splitter.1", "pgq.7"];
const dir = mkdtempSync(join(tmpdir(), "manpages-test."));

const have = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

beforeAll(() => {
  // mandoc is not on a fresh machine: pgcluster.sh deps installs it (as
  // root) or says which package is missing
  if (!have("mandoc") || !have("groff")) {
    execFileSync(join(root, "scripts/pgcluster.sh"), ["deps"], { stdio: ["ignore", "inherit", "inherit"] });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command, returning its exit status and its output (stdout and stderr together). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", env, maxBuffer: 16 << 20 });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

// ---- the page source ----------------------------------------------------

/** The lines of the .Sh `name` section of a page's source. */
function sourceSection(page: string, name: string): string[] {
  const lines = readFileSync(join(manDir, page), "utf8").split("\n");
  const start = lines.indexOf(`.Sh ${name}`);
  if (start < 0) throw new Error(`${page}: no .Sh ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith(".Sh "));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Text of a literal display line as the reader sees it: the roff escapes undone. */
function unescape(line: string, where: string): string {
  if (line.startsWith(".") || line.startsWith("'")) throw new Error(`${where}: a request inside a literal display: ${line}`);
  const text = line.replace(/\\\(aq/g, "'").replace(/\\-/g, "-").replace(/\\&/g, "").replace(/\\e/g, "\u0000");
  if (text.includes("\\")) throw new Error(`${where}: an escape the test does not know: ${line}`);
  return text.replace(/\u0000/g, "\\");
}

/** The QUICK START's literal displays, in order, as the shell lines they show. */
function quickStart(page: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of sourceSection(page, "QUICK START")) {
    if (line.startsWith(".Bd -literal")) inBlock = true;
    else if (line === ".Ed") inBlock = false;
    else if (inBlock) out.push(unescape(line, page));
  }
  if (out.length === 0) throw new Error(`${page}: QUICK START has no literal display`);
  return out;
}

// ---- the page as mandoc renders it ----------------------------------------

function htmlText(html: string): string {
  return html.replace(/<[^>]*>/g, "")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&amp;/g, "&")
    .replace(/\s+/g, " ").trim();
}

/** The items (term, description) of the tag lists in section `name`, rendered by mandoc. */
function renderedItems(page: string, name: string): { term: string; text: string }[] {
  const html = execFileSync("mandoc", ["-T", "html", "-O", "fragment", join(manDir, page)], { encoding: "utf8" });
  const start = html.indexOf(`<h1 class="Sh" id="${name.replace(/ /g, "_")}">`);
  if (start < 0) throw new Error(`${page}: no section ${name}`);
  const end = html.indexOf("<h1 ", start + 1);
  const body = html.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/<dt[^>]*>([\s\S]*?)<\/dt>\s*<dd>([\s\S]*?)<\/dd>/g)]
    .map((m) => ({ term: htmlText(m[1]!), text: htmlText(m[2]!) }));
}

const pageOf = (spec: ToolSpec) => `${spec.tool}.1`;

// ---- lint -----------------------------------------------------------------

describe("manual pages render without warnings", () => {
  it("the pages in man/ are the four in package.json's man field", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { man: string[]; files: string[] };
    expect(readdirSync(manDir).sort()).toEqual([...PAGES].sort());
    expect(pkg.man.map((p) => p.replace(/^\.\//, "")).sort()).toEqual(PAGES.map((p) => `man/${p}`).sort());
    expect(pkg.files).toContain("man");
  });

  for (const page of PAGES) {
    it(`${page}: mandoc -T lint and groff -ww`, () => {
      // cross references are looked up in the manual database of the
      // machine, where these pages are not installed: only those notes go
      const lint = run("mandoc", ["-T", "lint", "-W", "style", join(manDir, page)]);
      const problems = lint.out.split("\n")
        .filter((l) => l.trim() !== "" && !/referenced manual not found|mandoc\.db/.test(l));
      expect(problems).toEqual([]);
      const groff = run("groff", ["-mandoc", "-ww", "-z", join(manDir, page)]);
      expect(groff.out).toBe("");
      expect(groff.status).toBe(0);
    });

    it(`${page}: the rendered QUICK START shows exactly the commands the test runs, in plain ASCII`, () => {
      const want = quickStart(page);
      const renders = {
        groff: run("groff", ["-mandoc", "-Tutf8", "-P-cbou", join(manDir, page)], { ...process.env, GROFF_SGR: "" }).out,
        mandoc: run("mandoc", ["-T", "utf8", "-O", "width=200", join(manDir, page)]).out.replace(/.\x08/g, ""),
      };
      for (const [how, text] of Object.entries(renders)) {
        const lines = text.split("\n");
        const start = lines.findIndex((l) => l === "QUICK START");
        const end = lines.findIndex((l, i) => i > start && /^[A-Z]/.test(l));
        const shown = lines.slice(start + 1, end).filter((l) => l.startsWith(" ".repeat(11))).map((l) => l.slice(11).trimEnd());
        expect(shown, `${page} as ${how} shows it`).toEqual(want.filter((l) => l.trim() !== "").map((l) => l.trimEnd()));
        for (const l of shown) expect(l, `${page} as ${how} shows it`).toMatch(/^[\x20-\x7e]*$/);
      }
    });
  }
});

// ---- drift between the pages, the tables, --help and --ini ----------------

describe("pages, --help and --ini list what the tables in src/cli/spec.ts list", () => {
  for (const spec of TOOL_SPECS) {
    const page = pageOf(spec);

    it(`${page}: OPTIONS has every switch, and no other`, () => {
      const items = renderedItems(page, "OPTIONS");
      const inPage = items.flatMap((i) => i.term.split(/,\s*/));
      const inSpec = SWITCHES.flatMap((s) => [...(s.short ? [`-${s.short}`] : []), `--${s.long}`]);
      expect(inPage.sort()).toEqual(inSpec.sort());
      // the pairs are the same too
      for (const s of SWITCHES) {
        expect(items.map((i) => i.term)).toContain(s.short ? `-${s.short}, --${s.long}` : `--${s.long}`);
      }
    });

    it(`${page}: CONFIG has every key with its default, and no other`, () => {
      const items = renderedItems(page, "CONFIG");
      const named = items.map((i) => ({ ...i, names: i.term.split(/,\s*/) }));
      const inPage = named.flatMap((i) => i.names);
      expect([...inPage].sort()).toEqual(spec.keys.flatMap((k) => keyNames(k)).sort());
      for (const item of named) {
        const keys = [...new Set(item.names.map((n) => findKey(spec, n)!))];
        for (const k of keys) {
          // a key and its aliases share one item; several ignored keys may too
          if (k.aliases) expect(item.names, `${k.key}'s aliases`).toEqual(keyNames(k));
          expect(item.text, `${page}: ${k.key}`).toContain(defaultSentence(k));
        }
      }
    });

    it(`${page}: COMMANDS has every command with its arguments, and no other`, () => {
      if (!spec.commands) {
        expect(() => renderedItems(page, "COMMANDS")).toThrow(/no section/);
        return;
      }
      expect(renderedItems(page, "COMMANDS").map((i) => i.term))
        .toEqual(spec.commands.map((c) => `${c.name} ${c.args}`.trim()));
    });

    it(`${spec.tool} --help lists every switch and command; --ini every key with its default`, async () => {
      const help = runCli(spec.tool, ["--help"]);
      expect(await help.exit).toBe(0);
      const helpText = help.output();
      const switches = [...helpText.matchAll(/^ {2}(?:-(\w), )?--([\w-]+) /gm)].map((m) => [m[1], m[2]]);
      expect(switches).toEqual(SWITCHES.map((s) => [s.short, s.long]));
      const commands = helpText.split("\nswitches:")[0]!.split("commands:\n")[1] ?? "";
      expect([...commands.matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]))
        .toEqual((spec.commands ?? []).map((c) => c.name));
      expect(helpText).toContain(`${spec.tool}(1)`);

      const ini = runCli(spec.tool, ["--ini"]);
      expect(await ini.exit).toBe(0);
      const iniText = ini.output();
      const set = [...iniText.matchAll(/^#?(\w+) = ?(.*)$/gm)].map((m) => m[1]);
      expect(set).toEqual(spec.keys.filter((k) => !k.ignored).map((k) => k.key));
      const comments = iniText.replace(/\n# {3}/g, " "); // continuation lines joined
      for (const k of spec.keys) {
        if (k.ignored) {
          expect(comments).toMatch(new RegExp(`# accepted and ignored: .*\\b${k.key} \\(`));
          continue;
        }
        const dflt = k.required ? "required" : `default: ${k.defaultText ?? k.default}`;
        expect(comments, k.key).toContain(`${k.aliases ? ` (or ${k.aliases.join(", ")})` : ""}; ${dflt}\n${k.required ? "" : "#"}${k.key} = `);
        if (k.default !== undefined) expect(iniText).toContain(`#${k.key} = ${k.default}\n`);
      }
    });

    it(`${spec.tool} loads a config with every key of its table, and its own --ini`, async () => {
      const tdir = mkdtempSync(join(dir, `${spec.tool}-keys.`));
      const lines = [`[${spec.iniSection}]`];
      for (const k of spec.keys) {
        for (const name of keyNames(k)) {
          const value = k.key === "pidfile" ? join(tdir, "x.pid")
            : k.key === "logfile" ? join(tdir, "x.log")
            : k.ignored ? "1" : k.default ?? k.example!;
          lines.push(`${name} = ${value}`);
        }
      }
      const all = join(tdir, "all.ini");
      writeFileSync(all, `${lines.join("\n")}\n`);
      // -s loads the whole config, then finds nothing running: status 1
      const stop = runCli(spec.tool, ["-s", all]);
      expect(await stop.exit, stop.output()).toBe(1);
      expect(stop.output()).toMatch(/not running \(no pidfile/);
      expect(stop.output()).not.toMatch(/bad configuration|warning/);

      // a key that is in no table is refused
      writeFileSync(join(tdir, "extra.ini"), `${lines.join("\n")}\nnot_a_key = 1\n`);
      const extra = runCli(spec.tool, ["-s", join(tdir, "extra.ini")]);
      await extra.exit;
      expect(extra.output()).toMatch(/unknown setting not_a_key/);

      // the sample --ini prints, with a pidfile added, loads as it is
      const sample = runCli(spec.tool, ["--ini"]);
      await sample.exit;
      writeFileSync(join(tdir, "sample.ini"), `${sample.output()}pidfile = ${join(tdir, "y.pid")}\n`);
      const fromSample = runCli(spec.tool, ["-s", join(tdir, "sample.ini")]);
      expect(await fromSample.exit, fromSample.output()).toBe(1);
      expect(fromSample.output()).toMatch(/not running \(no pidfile/);
    });
  }

  it("pgqadm knows every command of its table, and no other", async () => {
    const cfg = join(dir, "commands.ini");
    // a server that is not there: every command fails fast after its arguments are checked
    writeFileSync(cfg, "[pgqadm]\ndb = host=/nonexistent dbname=none connect_timeout=2\n");
    const commands = TOOL_SPECS.find((s) => s.tool === "pgqadm")!.commands!;
    const runs = commands.map((c) => ({ c, r: runCli("pgqadm", [cfg, c.name, "a", "b=1", "c", "d", "e"]) }));
    for (const { c, r } of runs) {
      expect(await r.exit, `${c.name}: ${r.output()}`).not.toBeNull();
      expect(r.output(), c.name).not.toMatch(/unknown command/);
    }
    const bogus = runCli("pgqadm", [cfg, "frobnicate"]);
    expect(await bogus.exit).toBe(2);
    expect(bogus.output()).toMatch(/unknown command frobnicate/);
  });
});

// ---- installation ---------------------------------------------------------

describe("installation", () => {
  it("make install-man puts every page under MANDIR (PREFIX/share/man by default)", () => {
    const prefix = join(dir, "prefix");
    execFileSync("make", ["-C", root, "-s", "install-man", `PREFIX=${prefix}`], { stdio: "pipe" });
    for (const p of PAGES) expect(existsSync(join(prefix, "share/man", `man${p.slice(-1)}`, p)), p).toBe(true);
    const mandir = join(dir, "mandir");
    execFileSync("make", ["-C", root, "-s", "install-man", `MANDIR=${mandir}`], { stdio: "pipe" });
    for (const p of PAGES) expect(existsSync(join(mandir, `man${p.slice(-1)}`, p)), p).toBe(true);
    if (have("man")) {
      const found = run("man", ["-w", "pgqadm"], { ...process.env, MANPATH: join(prefix, "share/man") });
      expect(found.out.trim()).toBe(join(prefix, "share/man/man1/pgqadm.1"));
      const seven = run("man", ["-w", "7", "pgq"], { ...process.env, MANPATH: join(prefix, "share/man") });
      expect(seven.out.trim()).toBe(join(prefix, "share/man/man7/pgq.7"));
    }
    execFileSync("make", ["-C", root, "-s", "uninstall-man", `PREFIX=${prefix}`], { stdio: "pipe" });
    for (const p of PAGES) expect(existsSync(join(prefix, "share/man", `man${p.slice(-1)}`, p)), p).toBe(false);
  });

  it("npm pack puts the pages in the tarball", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const p of PAGES) expect(files).toContain(`man/${p}`);
  });
});

// ---- the quick starts, as written -----------------------------------------

describe("QUICK START of each page runs as written", () => {
  let cluster: PrivateCluster;
  const bin = join(dir, "bin");
  const loader = `file://${join(root, "node_modules/tsx/dist/loader.mjs")}`;

  beforeAll(() => {
    cluster = startPrivateCluster();
    // the tools as `npm i -g` would put them on PATH, running this checkout's source
    mkdirSync(bin);
    for (const tool of ["pgq-runner", "pgqadm", "queue_splitter"]) {
      writeFileSync(join(bin, tool), `#!/bin/sh\nexec "${process.execPath}" --import "${loader}" "${join(root, "src/cli", `${tool}.ts`)}" "$@"\n`,
        { mode: 0o755 });
    }
    // psql stops at the first error, as a person would notice it
    writeFileSync(join(dir, "psqlrc"), "\\set ON_ERROR_STOP on\n");
  });
  afterAll(() => {
    for (const d of readdirSync(dir)) if (d.startsWith("qs-")) killDaemons(join(dir, d));
    cluster?.stop();
  });

  /** Runs a page's QUICK START in a new directory; resolves with its output, rejects when it fails. */
  async function runQuickStart(page: string): Promise<{ out: string; cwd: string }> {
    const cwd = join(dir, `qs-${page}`);
    mkdirSync(cwd);
    const script = ["set -eu", ...quickStart(page)].join("\n");
    const env: NodeJS.ProcessEnv = { ...process.env, ...cluster.env, PATH: `${bin}:${process.env.PATH}`, PSQLRC: join(dir, "psqlrc") };
    delete env.PGDATABASE;
    delete env.PGQ_DAEMON;
    const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    if (code !== 0) throw new Error(`${page}: QUICK START failed with status ${code}:\n${out}`);
    return { out, cwd };
  }

  /** Waits until every pidfile in cwd is gone: the daemons the page stopped have exited. */
  async function daemonsGone(cwd: string): Promise<void> {
    await waitFor(() => readdirSync(cwd).every((f) => !f.endsWith(".pid")), 20_000, `daemons in ${cwd} to exit`);
  }

  it("pgqadm(1)", async () => {
    const { out, cwd } = await runQuickStart("pgqadm.1");
    expect(out).toMatch(/pgq [\d.]+ installed with CREATE EXTENSION/);
    expect(out).toContain("queue orders created");
    expect(out).toContain("consumer mailer registered on orders");
    // status: the queue has ticked since its first tick; the consumer is there
    expect(out).toMatch(/^orders\s+\S+s\s+\S+\s+\d+\s+([2-9]|\d\d+)\s+02:00:00\s+ok$/m);
    expect(out).toMatch(/^orders\s+mailer\s+\S+s\s+\S+s\s+\d+\s+-$/m);
    await daemonsGone(cwd);
    expect(readFileSync(join(cwd, "mydb.log"), "utf8")).toMatch(/INFO mydb db=mydb: pgq found, ticking/);
  });

  it("pgq-runner(1)", async () => {
    const { out, cwd } = await runQuickStart("pgq-runner.1");
    // the runner made a tick after the queue's first one
    expect(out).toMatch(/^ orders\s+\|\s+([2-9]|\d\d+)\s+\|/m);
    expect(out).toMatch(/INFO pgq-runner db=app: pgq found, ticking/);
    await daemonsGone(cwd);
  });

  it("queue_splitter(1)", async () => {
    const { out, cwd } = await runQuickStart("queue_splitter.1");
    // the three events were moved, in one batch
    expect(out).toMatch(/DEBUG splitter queue=singlequeue consumer=splitter: batch \d+: moved 3 events$/m);
    await daemonsGone(cwd);
    expect(readFileSync(join(cwd, "splitter.log"), "utf8")).not.toMatch(/ERROR|WARNING/);
    // and they are in the target queues, with their fields
    const events = await cluster.query<{ q: string; ev_type: string; ev_data: string }>("batch", `
        select q.queue_name as q, e.ev_type, e.ev_data
          from pgq.queue q join pgq.event_template e on e.ev_queue = q.queue_id
         order by e.ev_data`);
    expect(events).toEqual([
      { q: "orders", ev_type: "order.created", ev_data: "id=1" },
      { q: "orders", ev_type: "order.created", ev_data: "id=2" },
      { q: "refunds", ev_type: "refund.issued", ev_data: "id=7" },
    ]);
  });

  it("pgq(7)", async () => {
    const { out } = await runQuickStart("pgq.7");
    expect(out).toMatch(/^\s+\d+ \| order\.created \| id=1&item=book$/m);
    expect(out).toMatch(/finish_batch\s*\n-+\s*\n\s+1\s*\n/);
  });
});
