// A strict parser of the Prometheus text exposition format (version
// 0.0.4), for tests: anything a Prometheus server would refuse, or that
// breaks the format's rules, is an error naming the line.  Checked: the
// line grammar (# HELP, # TYPE, comments, samples with escaped label
// values, Go float values, optional integer timestamps), one HELP and one
// TYPE per family, TYPE before the family's samples, each family's
// samples together, no series twice, the suffixes each type allows
// (histogram _bucket/_sum/_count with le; summary quantile/_sum/_count),
// cumulative buckets ending in +Inf equal to _count, counters not negative.

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

export class PromParseError extends Error {}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(s: string, where: string): number {
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (s === "NaN") return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new PromParseError(`${where}: bad value "${s}"`);
  return Number(s);
}

/** The family a sample name belongs to, given the declared types. */
function familyOf(name: string, types: Map<string, MetricType>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const t = types.get(base);
      if (t === "histogram" || (t === "summary" && suffix !== "_bucket")) return base;
    }
  }
  return name;
}

export function parsePromText(text: string): Map<string, Family> {
  if (text !== "" && !text.endsWith("\n")) throw new PromParseError("output does not end with a newline");
  const families = new Map<string, Family>();
  const types = new Map<string, MetricType>();
  const helps = new Set<string>();
  const closed = new Set<string>(); // families whose samples ended
  const seen = new Set<string>();
  let current: string | undefined;
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: types.get(name) ?? "untyped", samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split("\n");
  lines.pop();
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // a comment
      const [, kind, name, rest = ""] = m;
      if (!NAME.test(name!)) throw new PromParseError(`${where}: bad metric name "${name}"`);
      if (kind === "HELP") {
        if (helps.has(name!)) throw new PromParseError(`${where}: second HELP for ${name}`);
        helps.add(name!);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) throw new PromParseError(`${where}: bad escape in HELP of ${name}`);
        family(name!).help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      } else {
        if (types.has(name!)) throw new PromParseError(`${where}: second TYPE for ${name}`);
        if (!TYPES.has(rest.trim())) throw new PromParseError(`${where}: unknown type "${rest}" for ${name}`);
        if (families.get(name!)?.samples.length) throw new PromParseError(`${where}: TYPE of ${name} after its samples`);
        types.set(name!, rest.trim() as MetricType);
        family(name!).type = rest.trim() as MetricType;
      }
      return;
    }
    // a sample: name, optional {labels}, value, optional timestamp
    const nm = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!nm) throw new PromParseError(`${where}: bad sample line "${line}"`);
    const name = nm[1]!;
    let pos = name.length;
    const labels: Record<string, string> = {};
    if (line[pos] === "{") {
      pos++;
      for (;;) {
        while (line[pos] === " ") pos++;
        if (line[pos] === "}") {
          pos++;
          break;
        }
        const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(pos));
        if (!lm) throw new PromParseError(`${where}: bad label at column ${pos + 1}`);
        const lname = lm[1]!;
        if (!LABEL.test(lname) || lname.startsWith("__")) throw new PromParseError(`${where}: bad label name ${lname}`);
        if (lname in labels) throw new PromParseError(`${where}: label ${lname} twice`);
        pos += lm[0].length;
        let v = "";
        for (;;) {
          const ch = line[pos];
          if (ch === undefined) throw new PromParseError(`${where}: unterminated label value`);
          pos++;
          if (ch === '"') break;
          if (ch === "\\") {
            const e = line[pos++];
            if (e === "\\") v += "\\";
            else if (e === '"') v += '"';
            else if (e === "n") v += "\n";
            else throw new PromParseError(`${where}: bad escape \\${e ?? ""} in label value`);
          } else {
            v += ch;
          }
        }
        labels[lname] = v;
        while (line[pos] === " ") pos++;
        if (line[pos] === ",") pos++;
        else if (line[pos] !== "}") throw new PromParseError(`${where}: expected , or } at column ${pos + 1}`);
      }
    }
    const rest = line.slice(pos);
    const vm = /^[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/.exec(rest);
    if (!vm) throw new PromParseError(`${where}: bad value part "${rest}"`);
    const value = parseValue(vm[1]!, where);
    const fam = familyOf(name, types);
    const f = family(fam);
    if (current !== fam) {
      if (closed.has(fam)) throw new PromParseError(`${where}: samples of ${fam} are not together`);
      if (current !== undefined) closed.add(current);
      current = fam;
    }
    const id = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
    if (seen.has(id)) throw new PromParseError(`${where}: series ${id} twice`);
    seen.add(id);
    if (f.type === "histogram" && name === fam) throw new PromParseError(`${where}: histogram ${fam} sample without suffix`);
    if (name.endsWith("_bucket") && f.type === "histogram" && !("le" in labels)) {
      throw new PromParseError(`${where}: bucket without le`);
    }
    if (f.type === "counter" && (value < 0 || Number.isNaN(value))) throw new PromParseError(`${where}: counter ${name} is ${value}`);
    f.samples.push({ name, labels, value, ...(vm[2] !== undefined ? { timestamp: Number(vm[2]) } : {}) });
  });
  // histograms: cumulative buckets per series, +Inf = _count
  for (const f of families.values()) {
    if (f.type !== "histogram") continue;
    const series = new Map<string, { le: number; v: number }[]>();
    const counts = new Map<string, number>();
    for (const s of f.samples) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      if (s.name === `${f.name}_bucket`) {
        const b = series.get(key) ?? [];
        b.push({ le: parseValue(le!, `${f.name} le`), v: s.value });
        series.set(key, b);
      } else if (s.name === `${f.name}_count`) {
        counts.set(key, s.value);
      }
    }
    for (const [key, b] of series) {
      for (let i = 1; i < b.length; i++) {
        if (!(b[i]!.le > b[i - 1]!.le)) throw new PromParseError(`${f.name}${key}: buckets not in le order`);
        if (b[i]!.v < b[i - 1]!.v) throw new PromParseError(`${f.name}${key}: buckets not cumulative`);
      }
      const last = b[b.length - 1]!;
      if (last.le !== Infinity) throw new PromParseError(`${f.name}${key}: no +Inf bucket`);
      if (counts.get(key) !== last.v) throw new PromParseError(`${f.name}${key}: +Inf bucket ${last.v} is not _count ${counts.get(key)}`);
    }
  }
  return families;
}

/** The value of the first sample named so (a family's, or a histogram's _bucket/_sum/_count) with these labels (others may exist); undefined when none. */
export function sampleValue(fams: Map<string, Family>, name: string, labels: Record<string, string>): number | undefined {
  const f = fams.get(name) ?? [...fams.values()].find((x) => x.samples.some((y) => y.name === name));
  const s = f?.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}
