// Plain-text tables for people: left-aligned text, right-aligned numbers
// and durations.  Cells come from the database (queue and consumer names):
// control characters are shown escaped (printable), never sent to the
// terminal.  Widths are terminal columns: a CJK character takes two, a
// combining mark none, so columns stay aligned whatever the names.
import { printable } from "../log.js";

/** East Asian Wide and Fullwidth ranges (two columns in a terminal). */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f], [0x2693, 0x2693], [0x26a1, 0x26a1],
  [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea],
  [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b],
  [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55],
  [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4], [0x17000, 0x18cff], [0x1b000, 0x1b2ff], [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f251], [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb], [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x3fffd],
];

const ZERO = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

function wide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The columns a string takes in a terminal. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    if (ZERO.test(ch)) continue;
    w += wide(ch.codePointAt(0)!) ? 2 : 1;
  }
  return w;
}

const pad = (s: string, width: number, left: boolean) => {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return left ? fill + s : s + fill;
};

/** Numbers, "-", and durations as observe.human() writes them ("3.2s", "1m 05s", "2h 03m"). */
const NUMERIC = /^-?[\d.]+s?$|^-$|^\d+[dhm] \d+[hms]$/;

export function formatTable(header: string[], rows: (string | number)[][], empty = "(none)"): string {
  if (rows.length === 0) return `${header[0]}: ${empty}`;
  const cells = rows.map((r) => r.map((c) => printable(String(c))));
  const width = header.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i]!))));
  const numeric = header.map((_, i) => cells.every((r) => NUMERIC.test(r[i]!)));
  const line = (r: string[]) => r.map((c, i) => pad(c, width[i]!, numeric[i]!)).join("  ").trimEnd();
  return [line(header), width.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
