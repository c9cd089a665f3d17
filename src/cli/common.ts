// The switches every skytools-style tool shares (-q -v -d -s -k -r --ini -h
// -V, as listed in spec.ts), and the start-up they have in common.
import { readFileSync } from "node:fs";
import { ConfigError, readOneSetting, type ConfigLayout } from "../config.js";
import { createLogger, errorText, type Logger } from "../log.js";
import { daemonize, removePidfile, signalPidfile, writePidfile, type PidOwner } from "./daemon.js";
import { SWITCHES, type SwitchSpec } from "./spec.js";

export interface CommonArgs {
  help: boolean;
  quiet: boolean;
  verbose: number;
  daemon: boolean;
  control: NodeJS.Signals | undefined;
  printIni: boolean;
  version: boolean;
  positional: string[];
}

export class UsageError extends Error {}

/**
 * Parses the switches of SWITCHES (src/cli/spec.ts): long ones as --name,
 * short ones alone or bundled (-vd); everything else is positional.
 */
export function parseArgs(argv: string[], commandSwitches: readonly string[] = []): CommonArgs {
  const a: CommonArgs = {
    help: false, quiet: false, verbose: 0, daemon: false, control: undefined, printIni: false, version: false,
    positional: [],
  };
  const apply = (s: SwitchSpec) => {
    switch (s.action) {
      case "help": a.help = true; break;
      case "version": a.version = true; break;
      case "quiet": a.quiet = true; break;
      case "verbose": a.verbose++; break;
      case "daemon": a.daemon = true; break;
      case "ini": a.printIni = true; break;
      default:
        if (a.control && a.control !== s.action) throw new UsageError("use only one of -s, -k, -r");
        a.control = s.action;
    }
  };
  for (const arg of argv) {
    if (arg === "--") continue;
    if (commandSwitches.includes(arg)) {
      a.positional.push(arg); // a command's own (pgqadm status --json)
    } else if (arg.startsWith("--")) {
      const s = SWITCHES.find((w) => `--${w.long}` === arg);
      if (!s) throw new UsageError(`unknown option ${arg}`);
      apply(s);
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (const ch of arg.slice(1)) {
        const s = SWITCHES.find((w) => w.short === ch);
        if (!s) throw new UsageError(`unknown option -${ch}`);
        apply(s);
      }
    } else {
      a.positional.push(arg);
    }
  }
  return a;
}

/**
 * The -s/-k/-r and -d switches, shared by every tool: signals the running
 * instance through the pidfile, or starts this program again in the
 * background.  Returns the exit code, or undefined when neither switch was
 * given and the tool should run in the foreground.
 */
export async function controlOrDaemonize(tool: string, configPath: string, args: CommonArgs,
                                         pidfile: string | undefined, logfile: string | undefined): Promise<number | undefined> {
  if (!args.control && !args.daemon) return undefined;
  if (!pidfile) {
    process.stderr.write(`${tool}: ${configPath}: pidfile is needed for ${args.daemon ? "-d" : "-s, -k and -r"}\n`);
    return 2;
  }
  const owner: PidOwner = { tool, config: configPath };
  if (args.control) {
    const why = signalPidfile(pidfile, args.control, owner);
    if (why !== undefined) {
      process.stderr.write(`${tool}: ${why}\n`);
      return 1;
    }
    return 0;
  }
  try {
    await daemonize(process.argv.slice(1), pidfile, logfile, owner);
    return 0;
  } catch (err) {
    process.stderr.write(`${tool}: ${(err as Error).message}\n`);
    return 1;
  }
}

/**
 * -s/-k/-r with a config that does not load: they need only the pidfile,
 * so it is read leniently from the file (bad lines and other settings
 * ignored), and the config's problems are reported as a warning.  Returns
 * the exit code; 2 when even the pidfile cannot be found.
 */
export async function controlDespiteBadConfig(tool: string, configPath: string, args: CommonArgs,
                                              layout: ConfigLayout, problem: ConfigError): Promise<number> {
  let pidfile: string | undefined;
  try {
    pidfile = readOneSetting(configPath, layout, "pidfile");
  } catch (err) {
    process.stderr.write(`${tool}: ${problem.message}\n`);
    process.stderr.write(`${tool}: cannot find the pidfile for ${args.control === "SIGHUP" ? "-r" : args.control === "SIGTERM" ? "-k" : "-s"}: ${(err as Error).message.replace(/\n\s*/g, " ")}\n`);
    return 2;
  }
  if (!pidfile) {
    process.stderr.write(`${tool}: ${problem.message}\n${tool}: ${configPath}: no pidfile set, nothing to signal\n`);
    return 2;
  }
  process.stderr.write(`${tool}: warning: ${problem.message.replace(/\n/g, " ")}\n`);
  process.stderr.write(`${tool}: using pidfile ${pidfile} from it anyway${args.control === "SIGHUP"
    ? " (the running instance will refuse this config and keep its old one)" : ""}\n`);
  return (await controlOrDaemonize(tool, configPath, { ...args, daemon: false }, pidfile, undefined))!;
}

/** This package's version (package.json is two levels up from src/cli and from dist/cli). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/**
 * Parses the switches and answers -h, -V and --ini.  Returns the exit code
 * when the program is done (help, version, sample config, usage error),
 * else the parsed arguments.
 */
export function parseCli(tool: string, argv: string[], usage: string, sampleIni: string,
                         commandSwitches: readonly string[] = []): CommonArgs | number {
  let args: CommonArgs;
  try {
    args = parseArgs(argv.slice(2), commandSwitches);
  } catch (err) {
    process.stderr.write(`${tool}: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${tool} ${packageVersion()}\n`);
    return 0;
  }
  if (args.printIni) {
    process.stdout.write(sampleIni);
    return 0;
  }
  return args;
}

/**
 * Starts a tool in the foreground: its logger (-q/-v; the logfile) and its
 * pidfile.  SIGTERM removes the pidfile and exits at once.  An uncaught
 * exception or unhandled rejection is logged and ends the process with
 * status 1; the pidfile goes with every exit.  Returns the logger, or exit
 * code 1 when another instance holds the pidfile.
 */
export function startForeground(tool: string, logName: string, args: CommonArgs, configPath: string,
                                pidfile: string | undefined, logfile: string | undefined): Logger | number {
  const level = args.quiet ? "warning" : args.verbose > 0 ? "debug" : "info";
  // the daemon child too appends each line to the logfile by its name (its
  // stderr, the file as opened at start, keeps only what bypasses the
  // logger): a logfile renamed by logrotate is created anew at the next line,
  // no copytruncate needed
  const log = createLogger(logName, { level, file: logfile });
  // a closed stderr (EPIPE) must not become an uncaught exception
  process.stderr.on("error", () => undefined);
  if (pidfile) {
    try {
      writePidfile(pidfile, { tool, config: configPath });
    } catch (err) {
      process.stderr.write(`${tool}: ${errorText(err)}\n`);
      return 1;
    }
    process.on("exit", () => removePidfile(pidfile));
  }
  const fatal = (what: string) => (err: unknown) => {
    try {
      log.error(`${what}: ${errorText(err)}; exiting`);
      if (err instanceof Error && err.stack) log.debug(err.stack.replace(/\s*\n\s*/g, " | "));
    } finally {
      if (pidfile) removePidfile(pidfile);
      process.exit(1);
    }
  };
  process.on("uncaughtException", fatal("uncaught exception"));
  process.on("unhandledRejection", fatal("unhandled promise rejection"));
  process.once("SIGTERM", () => {
    log.info("SIGTERM: exiting now");
    if (pidfile) removePidfile(pidfile);
    process.exit(0);
  });
  return log;
}
