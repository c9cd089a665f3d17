// One data-access layer: every statement that calls pgq, pgq_ext or
// pgq_coop is written in src/sql/, nowhere else in src/.  Reads the sources
// with the TypeScript parser (no server): string and template literals,
// with literals joined by `+` read as one, outside src/sql/ must not hold
// SQL that calls a function of those schemas.  Prose that names a function
// (a comment, a metric's help text, "seconds between pgq.ticker() calls")
// is not SQL and passes.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { groups, sql } from "../src/sql/index.js";

const root = resolve(import.meta.dirname, "..");
const src = join(root, "src");
const dataLayer = join(src, "sql");

/** SQL that calls a function of pgq, pgq_ext or pgq_coop (select/perform ... f(, from f(, call f(, 'f(args)' as regprocedure text). */
const CALL = String.raw`\b(pgq|pgq_ext|pgq_coop)\s*\.\s*"?[a-z_][a-z0-9_]*"?\s*\(`;
const SQL_CALL = new RegExp(String.raw`\b(select|perform)\b[\s\S]*?${CALL}|\b(from|call|join)\s+(lateral\s+)?${CALL}|'${CALL}`, "i");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return p === dataLayer ? [] : files(p);
    return /\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

const isPlus = (n: ts.Node): n is ts.BinaryExpression =>
  ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken;

/** The text of a literal, or of a `+` chain (other operands as "?"). */
function text(n: ts.Node): string {
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isTemplateExpression(n)) return n.head.text + n.templateSpans.map((s) => `?${s.literal.text}`).join("");
  if (ts.isParenthesizedExpression(n)) return text(n.expression);
  if (isPlus(n)) return text(n.left) + text(n.right);
  return "?";
}

/** Each SQL-calling string of a source text: line and text. */
function offenders(name: string, code: string): { line: number; text: string }[] {
  const source = ts.createSourceFile(name, code, ts.ScriptTarget.Latest, true);
  const found: { line: number; text: string }[] = [];
  const visit = (n: ts.Node) => {
    const literal = ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n);
    // a `+` chain is read whole, at its top
    if ((literal || isPlus(n)) && !isPlus(n.parent) && !(ts.isParenthesizedExpression(n.parent) && isPlus(n.parent.parent))) {
      const t = text(n);
      if (SQL_CALL.test(t)) {
        found.push({ line: source.getLineAndCharacterOfPosition(n.getStart()).line + 1, text: t.replace(/\s+/g, " ").trim() });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return found;
}

describe("data layer", () => {
  it("the check sees SQL and passes prose", () => {
    for (const s of ["select pgq.ticker() as n", "select * from pgq.get_queue_info($1)", "select n, pgq.create_queue(n) from x",
      "perform pgq_ext.set_last_tick($1, $2)", "select pg_catalog.to_regprocedure('pgq.maint_drop_storage(text)')",
      "select 1 from x join lateral pgq_coop.next_batch($1) b on true", "select pgq . ticker ()"]) {
      expect(SQL_CALL.test(s), s).toBe(true);
    }
    for (const s of ["seconds between pgq.ticker() calls", "Events moved back from the retry queue by pgq.maint_retry_events()",
      "last pgq.ticker() call 3s ago", "select datname from pg_catalog.pg_database", "rows of pgq.maint_operations()"]) {
      expect(SQL_CALL.test(s), s).toBe(false);
    }
    // and the data layer's own statements are what it looks for
    expect(SQL_CALL.test(sql.ticker)).toBe(true);
    expect(SQL_CALL.test(sql.queueSplitterApply)).toBe(true);
  });

  it("no statement name is in two groups of src/sql/ (one would hide the other)", () => {
    const names = Object.values(groups).flatMap((g) => Object.keys(g));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(Object.keys(sql)).toHaveLength(names.length);
  });

  it("no pgq, pgq_ext or pgq_coop call is written as a string outside src/sql/", () => {
    const all = files(src).flatMap((f) => offenders(f, readFileSync(f, "utf8")).map((o) => `${relative(root, f)}:${o.line}: ${o.text}`));
    expect(all).toEqual([]);
  });

  it("finds split and interpolated statements", () => {
    const code = 'const q = "select pgq." + ("tick" + "er() as n");\n'
      + "const r = `select * from pgq_ext.get_last_tick(${name})`;\n"
      + "// select pgq.ticker() in a comment\n"
      + 'const s = "seconds between pgq.ticker() calls";\n';
    expect(offenders("x.ts", code).map((o) => o.line)).toEqual([1, 2]);
  });
});
