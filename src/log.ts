// Logs for people: one line per event worth knowing, with context.
//   2026-01-01 12:00:00 INFO pgq-runner db=app: ticked 3 queues
import { appendFileSync } from "node:fs";

export type Level = "debug" | "info" | "warning" | "error";
const rank: Record<Level, number> = { debug: 10, info: 20, warning: 30, error: 40 };

export interface Logger {
  debug(msg: string, ctx?: Record<string, string | number>): void;
  info(msg: string, ctx?: Record<string, string | number>): void;
  warning(msg: string, ctx?: Record<string, string | number>): void;
  error(msg: string, ctx?: Record<string, string | number>): void;
}

export interface LogOptions {
  /** Lowest level written (default info; -q: warning, -v: debug). */
  level?: Level;
  /** Append here instead of writing to stderr. */
  file?: string;
}

/**
 * The text with control characters (newline, escape, DEL, C1) and the
 * Unicode line separators and bidirectional controls written as \xHH /
 * \u{HHHH}: queue and consumer names, routing values and server messages
 * come from the database, where pgq_reader, pgq_writer and pgq_admin choose
 * them, and must not forge log lines or drive the terminal that shows them.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
  });
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Writes to stderr; a stderr that is gone is not worth dying for. */
function toStderr(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // nowhere left to write
  }
}

/**
 * A logger that never throws: when the logfile cannot be written (its
 * directory removed, disk full), lines go to stderr instead, with one notice
 * when that starts (or its reason changes) and one when the file works again.
 */
export function createLogger(name: string, options: LogOptions = {}): Logger {
  const min = rank[options.level ?? "info"];
  const file = options.file;
  let failing: string | undefined;
  const format = (level: Level, msg: string, ctx?: Record<string, string | number>) => {
    const where = ctx ? Object.entries(ctx).map(([k, v]) => `${k}=${printable(String(v))}`).join(" ") : "";
    return `${stamp(new Date())} ${level.toUpperCase()} ${name}${where ? ` ${where}` : ""}: ${printable(msg)}\n`;
  };
  const write = (level: Level, msg: string, ctx?: Record<string, string | number>) => {
    if (rank[level] < min) return;
    const line = format(level, msg, ctx);
    if (!file) return toStderr(line);
    try {
      if (failing !== undefined) {
        appendFileSync(file, format("warning", `logfile ${file} was not writable (${failing}); writing to it again`));
        toStderr(format("info", `logging to ${file} again`));
        failing = undefined;
      }
      appendFileSync(file, line);
    } catch (err) {
      const why = errorText(err);
      if (why !== failing) {
        failing = why;
        toStderr(format("warning", `cannot write logfile ${file}: ${why}; logging to stderr until it works again`));
      }
      toStderr(line);
    }
  };
  return {
    debug: (m, c) => write("debug", m, c),
    info: (m, c) => write("info", m, c),
    warning: (m, c) => write("warning", m, c),
    error: (m, c) => write("error", m, c),
  };
}

/** The message of an error, on one line. */
export function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const msg = (e?.message ?? String(err)).replace(/\s+/g, " ").trim();
  return e?.code ? `${msg} [${e.code}]` : msg;
}
