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

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function createLogger(name: string, options: LogOptions = {}): Logger {
  const min = rank[options.level ?? "info"];
  const write = (level: Level, msg: string, ctx?: Record<string, string | number>) => {
    if (rank[level] < min) return;
    const where = ctx ? Object.entries(ctx).map(([k, v]) => `${k}=${v}`).join(" ") : "";
    const line = `${stamp(new Date())} ${level.toUpperCase()} ${name}${where ? ` ${where}` : ""}: ${msg}\n`;
    if (options.file) appendFileSync(options.file, line);
    else process.stderr.write(line);
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
