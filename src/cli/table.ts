// Plain-text tables for people: left-aligned text, right-aligned numbers.
// Cells come from the database (queue and consumer names): control
// characters are shown escaped (printable), never sent to the terminal.
import { printable } from "../log.js";

export function formatTable(header: string[], rows: (string | number)[][], empty = "(none)"): string {
  if (rows.length === 0) return `${header[0]}: ${empty}`;
  const cells = rows.map((r) => r.map((c) => printable(String(c))));
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => cells.every((r) => /^-?[\d.]+s?$|^-$/.test(r[i]!)));
  const line = (r: string[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join("  ").trimEnd();
  return [line(header), width.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
