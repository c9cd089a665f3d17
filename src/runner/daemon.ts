// Pidfiles and daemon mode, as skytools scripts do them: -d runs in the
// background (pidfile required, output to the logfile); -s, -k and -r send
// SIGINT, SIGTERM and SIGHUP to the running instance through its pidfile.
import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid in a pidfile, if the file exists and names a running process. */
export function runningPid(pidfile: string): number | undefined {
  if (!existsSync(pidfile)) return undefined;
  const pid = Number(readFileSync(pidfile, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/** Writes this process's pid; refuses when another live process owns the file. */
export function writePidfile(pidfile: string): void {
  const other = runningPid(pidfile);
  if (other !== undefined && other !== process.pid) {
    throw new Error(`already running as pid ${other} (pidfile ${pidfile})`);
  }
  writeFileSync(pidfile, `${process.pid}\n`);
}

export function removePidfile(pidfile: string): void {
  try {
    if (Number(readFileSync(pidfile, "utf8").trim()) === process.pid) unlinkSync(pidfile);
  } catch {
    // gone already
  }
}

/** Sends a signal to the instance in the pidfile; false if none runs. */
export function signalPidfile(pidfile: string, signal: NodeJS.Signals): boolean {
  const pid = runningPid(pidfile);
  if (pid === undefined) return false;
  process.kill(pid, signal);
  return true;
}

/**
 * Starts this same program again, detached, without -d, with stdout and
 * stderr going to logfile (or nowhere), and waits until it has written its
 * pidfile.  Returns the new pid.
 */
export async function daemonize(argv: string[], pidfile: string, logfile: string | undefined): Promise<number> {
  // argv: the script and its arguments (process.argv without node)
  const args = [...process.execArgv, ...argv.filter((a) => a !== "-d" && a !== "--daemon")];
  const out = logfile ? openSync(logfile, "a") : "ignore";
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, PGQ_DAEMON: "1" },
  });
  child.unref();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (runningPid(pidfile) === child.pid) return child.pid!;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`daemon did not start (see ${logfile ?? "its output"})`);
}
