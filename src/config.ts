// Configuration: skytools-style ini files (the format pgqd, pgqadm and
// queue_splitter use), validated into one frozen object.  Every problem is
// reported at once; callers exit with status 2 on a ConfigError.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import type { KeySpec } from "./cli/spec.js";

export type IniSection = Record<string, string>;
export type Ini = Record<string, IniSection>;

/** Thrown with every problem found in a configuration. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: bad configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/**
 * Parses ini text: `[section]` headers, `key = value` or `key: value`
 * lines, `#` and `;` comment lines, indented continuation lines.  Keys are
 * lower-cased.  Values are not yet interpolated.  With `lenient`, lines that
 * do not parse are skipped instead of reported.
 */
export function parseIni(text: string, source = "config", { lenient = false } = {}): Ini {
  const ini: Ini = {};
  const problems: string[] = [];
  let section: IniSection | undefined;
  let lastKey: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s+$/, "");
    if (line.trim() === "" || /^\s*[#;]/.test(line)) return;
    if (/^\s/.test(line) && section && lastKey !== undefined) {
      section[lastKey] = `${section[lastKey]}\n${line.trim()}`;
      return;
    }
    const head = /^\[([^\]]+)\]$/.exec(line.trim());
    if (head) {
      section = ini[head[1]!.trim()] ??= {};
      lastKey = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line.trim());
    if (!kv) {
      problems.push(`line ${i + 1}: cannot parse: ${line.trim()}`);
      lastKey = undefined;
      return;
    }
    if (!section) {
      problems.push(`line ${i + 1}: ${kv[1]} is outside any [section]`);
      return;
    }
    lastKey = kv[1]!.toLowerCase();
    section[lastKey] = kv[2]!;
  });
  if (problems.length && !lenient) throw new ConfigError(source, problems);
  return ini;
}

/** The longest value `%(name)s` expansion may build, in characters. */
export const MAX_EXPANDED_LENGTH = 65536;

/**
 * Resolves `%(name)s` references of one section (from the section, then
 * [DEFAULT], then `extra`) on demand, each key once (memoised), with cycles
 * and values longer than MAX_EXPANDED_LENGTH reported as problems.
 */
class Resolver {
  readonly problems: string[] = [];
  private readonly done = new Map<string, string>();
  private readonly active: string[] = [];
  private readonly own: IniSection;
  private readonly defaults: IniSection;

  constructor(ini: Ini, name: string, private readonly extra: Record<string, string>) {
    this.own = ini[name] ?? {};
    this.defaults = ini.DEFAULT ?? {};
  }

  keys(): string[] {
    return [...new Set([...Object.keys(this.defaults), ...Object.keys(this.own)])];
  }

  private raw(key: string): string | undefined {
    return this.own[key] ?? this.defaults[key] ?? this.extra[key];
  }

  /** The expanded value of key, or undefined when it is not set. */
  value(key: string): string | undefined {
    const known = this.done.get(key);
    if (known !== undefined) return known;
    const raw = this.raw(key);
    if (raw === undefined) return undefined;
    if (this.active.includes(key)) {
      this.problems.push(`%(${key})s refers to itself: ${[...this.active.slice(this.active.indexOf(key)), key].join(" -> ")}`);
      return "";
    }
    this.active.push(key);
    const v = this.expand(key, raw);
    this.active.pop();
    this.done.set(key, v);
    return v;
  }

  private expand(key: string, raw: string): string {
    const parts: string[] = [];
    let length = 0;
    let last = 0;
    for (const m of raw.matchAll(/%\(([^)]+)\)s|%%/g)) {
      let piece: string;
      if (m[1] === undefined) {
        piece = "%";
      } else {
        const ref = m[1].toLowerCase();
        const v = this.value(ref);
        if (v === undefined) this.problems.push(`%(${ref})s is not defined`);
        piece = v ?? "";
      }
      parts.push(raw.slice(last, m.index), piece);
      length += m.index - last + piece.length;
      last = m.index + m[0].length;
      if (length > MAX_EXPANDED_LENGTH) break;
    }
    if (last < raw.length) {
      parts.push(raw.slice(last));
      length += raw.length - last;
    }
    if (length > MAX_EXPANDED_LENGTH) {
      this.problems.push(`${key}: %(...)s references expand to more than ${MAX_EXPANDED_LENGTH} characters`);
      return "";
    }
    let v = parts.join("");
    if (/(^|_)(file|dir)$|file$/.test(key) && (v === "~" || v.startsWith("~/"))) v = homedir() + v.slice(1);
    return v;
  }
}

/**
 * One section with `%(name)s` references resolved (from the section, then
 * [DEFAULT], then `extra`), `%%` as a literal %, and a leading `~` expanded
 * in values of keys that name files.  Each key is expanded once; cycles and
 * values longer than MAX_EXPANDED_LENGTH are errors.
 */
export function resolveSection(ini: Ini, name: string, extra: Record<string, string> = {}): IniSection {
  const r = new Resolver(ini, name, extra);
  const out: IniSection = {};
  for (const key of r.keys()) out[key] = r.value(key)!;
  if (r.problems.length) throw new ConfigError(`[${name}]`, [...new Set(r.problems)]);
  return out;
}

/**
 * Where a tool's settings are in its config file: the section it reads,
 * and the values %(name)s finds there without their being set.
 */
export interface ConfigLayout {
  /** The section names looked for, in this order. */
  readonly sections: readonly string[];
  /**
   * Else the file's first section ([DEFAULT] aside): skytools' scripts
   * read whatever section their config file has.
   */
  readonly anySection: boolean;
  /** The implicit values of the section found (job_name). */
  extra(section: string): Record<string, string>;
}

/** The section a layout reads in ini: the first of its names there, else (anySection) the file's first. */
export function pickSection(ini: Ini, layout: ConfigLayout): string | undefined {
  return layout.sections.find((s) => ini[s] !== undefined)
    ?? (layout.anySection ? Object.keys(ini).find((k) => k !== "DEFAULT") : undefined);
}

/** The job_name a config file gives a skytools script by default: its file name without .ini. */
export function jobNameOf(path: string): string {
  return path.replace(/^.*\//, "").replace(/\.ini$/, "");
}

/** A tool's section of its config file, being read. */
export interface ToolSection {
  /** The section's name. */
  readonly name: string;
  /** The implicit values it was resolved with (job_name). */
  readonly extra: Record<string, string>;
  /** Reads its settings; problems are collected. */
  readonly r: SectionReader;
  /** Flags the settings of the section nobody read, then throws every problem found (ConfigError). */
  done(): void;
}

/**
 * Opens a tool's section of the config file at path (or of ini, when the
 * settings come from elsewhere): picked by layout, %(name)s resolved,
 * settings read by the tool's key table.  Throws a ConfigError when there
 * is no such section.
 */
export function readToolSection(path: string, layout: ConfigLayout, keys: readonly KeySpec[],
                                ini: Ini = readIni(path)): ToolSection {
  const name = pickSection(ini, layout);
  if (!name) {
    const [first, ...others] = layout.sections;
    throw new ConfigError(path, [`no [${first}]${others.length ? ` (or ${others.map((o) => `[${o}]`).join(", ")})` : ""} section`]);
  }
  const extra = layout.extra(name);
  const r = new SectionReader(resolveSection(ini, name, extra), `${path} [${name}]`, keys);
  return {
    name,
    extra,
    r,
    done: () => {
      r.checkUnknown(Object.keys(ini[name] ?? {}));
      r.done();
    },
  };
}

/**
 * One setting of a config file that may not load as a whole (for -s, -k
 * and -r, which need only the pidfile): lines that do not parse are
 * skipped, only the references of this key are resolved.  Returns the value
 * (undefined when not set), or throws a ConfigError saying why it cannot be
 * found.
 */
export function readOneSetting(path: string, layout: ConfigLayout, key: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, [`cannot read: ${(err as Error).message}`]);
  }
  const ini = parseIni(text, path, { lenient: true });
  const name = pickSection(ini, layout);
  if (name === undefined) throw new ConfigError(path, ["no section to read from"]);
  const r = new Resolver(ini, name, layout.extra(name));
  const v = r.value(key);
  if (r.problems.length) throw new ConfigError(`${path} [${name}] ${key}`, [...new Set(r.problems)]);
  return v === "" ? undefined : v;
}

export function readIni(path: string): Ini {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, [`cannot read: ${(err as Error).message}`]);
  }
  return parseIni(text, path);
}

/** The longest wait a Node.js timer can do (2^31 - 1 ms), in whole seconds. */
export const MAX_TIMER_SECONDS = 2147483;
/** The same in milliseconds. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Reads typed settings from a section, collecting problems.  With `keys`
 * (the tool's table in src/cli/spec.ts) a setting that is not set takes the
 * table's default, parsed like a set value, and reading a key the table does
 * not declare is a programming error: the table, --ini and the manual pages
 * list every key the loader reads.
 */
export class SectionReader {
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly section: IniSection, private readonly where: string,
              private readonly keys?: readonly KeySpec[]) {}

  private declared(key: string): KeySpec | undefined {
    if (!this.keys) return undefined;
    const k = this.keys.find((s) => s.key === key || s.aliases?.includes(key));
    if (!k) throw new Error(`${this.where}: setting ${key} is read but not declared in the tool's key table (src/cli/spec.ts)`);
    return k;
  }
  /** The value set in the file, or the table's default (for the key itself, not its aliases). */
  private raw(key: string): string | undefined {
    const spec = this.declared(key);
    this.seen.add(key);
    const v = this.section[key];
    return v === undefined || v === "" ? (spec?.key === key ? spec.default : undefined) : v;
  }
  private missing(key: string): never {
    throw new Error(`${this.where}: setting ${key} has no default`);
  }

  str(key: string, def?: string): string | undefined {
    return this.raw(key) ?? def;
  }
  required(key: string): string {
    const v = this.str(key);
    if (v === undefined) this.problems.push(`${key} is required`);
    return v ?? "";
  }
  /**
   * A period in seconds (or `unit`): a number above 0 (or 0 with allowZero)
   * and at most `max` (default MAX_TIMER_SECONDS, the longest a timer can
   * wait; a longer one would fire at once, again and again).  `def` is for
   * defaults computed at run time; others come from the key table.
   */
  seconds(key: string, def?: number, { allowZero = false, max = MAX_TIMER_SECONDS, unit = "seconds" } = {}): number {
    const raw = this.raw(key);
    if (raw === undefined) return def ?? this.missing(key);
    const v = Number(raw);
    const fallback = def ?? Number(this.declared(key)?.default);
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      this.problems.push(`${key} must be a ${allowZero ? "non-negative" : "positive"} number of ${unit}, not "${raw}"`);
      return fallback;
    }
    if (v > max) {
      this.problems.push(`${key} must be at most ${max} ${unit} (a timer waits at most 24.8 days), not "${raw}"`);
      return fallback;
    }
    return v;
  }
  bool(key: string, def?: boolean): boolean {
    const raw = this.raw(key);
    if (raw === undefined) return def ?? this.missing(key);
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    this.problems.push(`${key} must be a boolean, not "${raw}"`);
    return def ?? false;
  }
  /** One of `values` (the table's default when not set). */
  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const raw = this.raw(key);
    if (raw === undefined) return this.missing(key);
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${key} must be one of ${values.join(", ")}, not "${raw}"`);
    return values[0]!;
  }
  list(key: string): string[] {
    const raw = this.str(key);
    return raw === undefined ? [] : raw.split(/[,\s]+/).filter((s) => s !== "");
  }
  /** Flags keys (of `keys`, default: the whole section) that were neither read nor are in `allowed`. */
  checkUnknown(keys: string[] = Object.keys(this.section), allowed: string[] = []): void {
    // what the key table marks as accepted and ignored
    const ignored = (this.keys ?? []).filter((k) => k.ignored).flatMap((k) => [k.key, ...(k.aliases ?? [])]);
    allowed = [...allowed, ...ignored];
    for (const key of keys) {
      if (!this.seen.has(key) && !allowed.includes(key)) this.problems.push(`unknown setting ${key}`);
    }
  }
  done(): void {
    if (this.problems.length) throw new ConfigError(this.where, this.problems);
  }
}
