// Runs this checkout's command-line tools as child processes (node with
// tsx's loader: one process, so signals reach the program itself).
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

export interface Run {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

export function runCli(tool: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(root, `src/cli/${tool}.ts`), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, output: () => out, exit };
}

/** Whether the process has ended (a zombie not yet reaped counts as ended). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** Waits until cond() holds, polling; throws after timeoutMs. */
export async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Kills every process named by a *.pid file in dir (daemons a failed test left running). */
export function killDaemons(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".pid")) continue;
    const pid = Number(readFileSync(join(dir, f), "utf8").trim());
    try {
      if (pid > 0) process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
