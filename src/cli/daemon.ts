// Pidfiles and daemon mode, as skytools scripts do them: -d runs in the
// background (pidfile required, output to the logfile); -s, -k and -r send
// SIGINT, SIGTERM and SIGHUP to the running instance through its pidfile.
//
// A pidfile only names a process; pids are reused.  A pid counts as the
// running instance only when /proc/<pid>/cmdline shows this tool started
// with this config file, so a stale pidfile never gets an unrelated process
// signalled, nor keeps the tool from starting.  The pidfile is written to a
// new file next to it and renamed into place: a symlink planted where the
// pidfile goes is replaced, never followed.
import { spawn } from "node:child_process";
import {
  existsSync, linkSync, lstatSync, openSync, readFileSync, readlinkSync, realpathSync, renameSync, unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { sleep } from "../loop/sleep.js";

/** Who may own a pidfile: this tool, started with this config file. */
export interface PidOwner {
  /** The program's name: pgq-runner, pgqadm, queue_splitter. */
  tool: string;
  /** The config file as given on the command line (relative to our cwd). */
  config: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function canonical(path: string, base: string): string {
  const p = resolve(base, path);
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Why pid is not owner's instance, or undefined when it is. */
export function notOurs(pid: number, owner: PidOwner): string | undefined {
  if (pid === process.pid) return undefined;
  if (!alive(pid)) return "not running";
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
  } catch {
    // no /proc here: the pid is all there is to go by
    return existsSync("/proc/self/cmdline") ? "not running" : undefined;
  }
  if (argv.length === 0) return "not running"; // a zombie
  const script = argv.findIndex((a) => basename(a).replace(/\.[cm]?[jt]s$/, "") === owner.tool);
  if (script < 0) return `not ${owner.tool}`;
  let cwd: string | undefined;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    // another user's process: only absolute paths can be compared
  }
  const want = canonical(owner.config, process.cwd());
  const same = argv.slice(script + 1).some((a) =>
    !a.startsWith("-") && (isAbsolute(a) || cwd !== undefined) && canonical(a, cwd ?? "/") === want);
  return same ? undefined : `${owner.tool} with another config`;
}

/** The pid written in a pidfile (a regular file holding a number), if any. */
export function readPid(pidfile: string): number | undefined {
  try {
    if (!lstatSync(pidfile).isFile()) return undefined;
    const m = /^\s*(\d+)\s*$/.exec(readFileSync(pidfile, "utf8"));
    const pid = m ? Number(m[1]) : NaN;
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid in a pidfile, if it names owner's running instance. */
export function runningPid(pidfile: string, owner: PidOwner): number | undefined {
  const pid = readPid(pidfile);
  return pid !== undefined && notOurs(pid, owner) === undefined ? pid : undefined;
}

/**
 * Writes this process's pid; refuses when owner's instance holds the file
 * already.  A stale pidfile (its pid gone or another program) is replaced.
 */
export function writePidfile(pidfile: string, owner: PidOwner): void {
  const refuseIfRunning = () => {
    const other = runningPid(pidfile, owner);
    if (other !== undefined && other !== process.pid) {
      throw new Error(`already running as pid ${other} (pidfile ${pidfile})`);
    }
  };
  refuseIfRunning();
  const tmp = join(dirname(pidfile), `.${basename(pidfile)}.${process.pid}.tmp`);
  try {
    unlinkSync(tmp);
  } catch {
    // none left over
  }
  // wx: O_CREAT | O_EXCL, which also refuses to follow a symlink
  writeFileSync(tmp, `${process.pid}\n`, { flag: "wx", mode: 0o644 });
  try {
    try {
      linkSync(tmp, pidfile); // atomic, and fails when anything is at pidfile already
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") refuseIfRunning();
    }
    renameSync(tmp, pidfile); // replaces a stale file or a symlink itself, not its target
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // renamed
    }
  }
}

/** Removes the pidfile if it names this process. */
export function removePidfile(pidfile: string): void {
  try {
    if (readPid(pidfile) === process.pid) unlinkSync(pidfile);
  } catch {
    // gone already
  }
}

/**
 * Sends a signal to owner's instance named in the pidfile.  Returns
 * undefined when sent, else why not (nothing is signalled then).
 */
export function signalPidfile(pidfile: string, signal: NodeJS.Signals, owner: PidOwner): string | undefined {
  if (!existsSync(pidfile)) return `not running (no pidfile ${pidfile})`;
  const pid = readPid(pidfile);
  if (pid === undefined) return `not running (pidfile ${pidfile} holds no pid)`;
  const why = notOurs(pid, owner);
  if (why === "not running") return `not running (pidfile ${pidfile} names pid ${pid}, which is gone)`;
  if (why !== undefined) {
    return `not running: pidfile ${pidfile} is stale, its pid ${pid} is ${why} (left alone)`;
  }
  process.kill(pid, signal);
  return undefined;
}

/**
 * Starts this same program again, detached, without -d, with stdout and
 * stderr going to logfile (or nowhere), and waits until it has written its
 * pidfile (startMs; after that it is stopped and this fails).  Returns the
 * new pid.
 */
export async function daemonize(argv: string[], pidfile: string, logfile: string | undefined,
                                owner: PidOwner, startMs = 30_000): Promise<number> {
  // argv: the script and its arguments (process.argv without node)
  const args = [...process.execArgv, ...argv.flatMap((a) => {
    if (a === "--daemon") return [];
    if (!/^-[A-Za-z]+$/.test(a)) return [a];
    const rest = a.replace(/d/g, ""); // -vd: -v
    return rest === "-" ? [] : [rest];
  })];
  const out = logfile ? openSync(logfile, "a") : "ignore";
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, PGQ_DAEMON: "1" },
  });
  child.unref();
  // a busy machine may take seconds to start node; a daemon that has not
  // written its pidfile by then is stopped, so that the failure reported
  // is the whole outcome (no daemon left running unannounced)
  const deadline = Date.now() + startMs;
  while (Date.now() < deadline) {
    if (runningPid(pidfile, owner) === child.pid) return child.pid!;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`daemon did not start (see ${logfile ?? "its output"})`);
    }
    await sleep(50);
  }
  child.kill("SIGTERM");
  throw new Error(`daemon (pid ${child.pid}) did not write its pidfile ${pidfile} within ${startMs / 1000} s: `
                  + `stopped it (see ${logfile ?? "its output"})`);
}
