// Configuration: skytools-style ini files (the format pgqd, pgqadm and
// queue_splitter use), validated into one frozen object.  Every problem is
// reported at once; callers exit with status 2 on a ConfigError.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";

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
 * lower-cased.  Values are not yet interpolated.
 */
export function parseIni(text: string, source = "config"): Ini {
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
      return;
    }
    if (!section) {
      problems.push(`line ${i + 1}: ${kv[1]} is outside any [section]`);
      return;
    }
    lastKey = kv[1]!.toLowerCase();
    section[lastKey] = kv[2]!;
  });
  if (problems.length) throw new ConfigError(source, problems);
  return ini;
}

/**
 * One section with `%(name)s` references resolved (from the section, then
 * [DEFAULT], then `extra`), `%%` as a literal %, and a leading `~` expanded
 * in values of keys that name files.
 */
export function resolveSection(ini: Ini, name: string, extra: Record<string, string> = {}): IniSection {
  const own = ini[name] ?? {};
  const defaults = ini.DEFAULT ?? {};
  const problems: string[] = [];
  const lookup = (key: string, depth: number): string => {
    const raw = own[key] ?? defaults[key] ?? extra[key];
    if (raw === undefined) {
      problems.push(`%(${key})s is not defined`);
      return "";
    }
    return expand(raw, depth + 1);
  };
  const expand = (value: string, depth: number): string => {
    if (depth > 10) {
      problems.push(`%(...)s references nest too deep (a loop?) in: ${value}`);
      return value;
    }
    return value.replace(/%\(([^)]+)\)s|%%/g, (m, key: string | undefined) =>
      key === undefined ? "%" : lookup(key.toLowerCase(), depth));
  };
  const out: IniSection = {};
  for (const key of new Set([...Object.keys(defaults), ...Object.keys(own)])) {
    let v = expand(own[key] ?? defaults[key]!, 0);
    if (/(^|_)(file|dir)$|file$/.test(key) && (v === "~" || v.startsWith("~/"))) v = homedir() + v.slice(1);
    out[key] = v;
  }
  if (problems.length) throw new ConfigError(`[${name}]`, [...new Set(problems)]);
  return out;
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

/** Reads typed settings from a section, collecting problems. */
export class SectionReader {
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly section: IniSection, private readonly where: string) {}

  str(key: string, def?: string): string | undefined {
    this.seen.add(key);
    const v = this.section[key];
    return v === undefined || v === "" ? def : v;
  }
  required(key: string): string {
    const v = this.str(key);
    if (v === undefined) this.problems.push(`${key} is required`);
    return v ?? "";
  }
  seconds(key: string, def: number, { allowZero = false } = {}): number {
    const raw = this.str(key);
    if (raw === undefined) return def;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      this.problems.push(`${key} must be a ${allowZero ? "non-negative" : "positive"} number of seconds, not "${raw}"`);
      return def;
    }
    return v;
  }
  bool(key: string, def: boolean): boolean {
    const raw = this.str(key);
    if (raw === undefined) return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    this.problems.push(`${key} must be a boolean, not "${raw}"`);
    return def;
  }
  list(key: string): string[] {
    const raw = this.str(key);
    return raw === undefined ? [] : raw.split(/[,\s]+/).filter((s) => s !== "");
  }
  /** Flags keys (of `keys`, default: the whole section) that were neither read nor are in `allowed`. */
  checkUnknown(keys: string[] = Object.keys(this.section), allowed: string[] = []): void {
    for (const key of keys) {
      if (!this.seen.has(key) && !allowed.includes(key)) this.problems.push(`unknown setting ${key}`);
    }
  }
  done(): void {
    if (this.problems.length) throw new ConfigError(this.where, this.problems);
  }
}
