#!/usr/bin/env node
// pgq-runner: ticks and maintains pgq queues on one or many databases.
// Drop-in for pgqd: reads a [pgq-runner] section, or pgqd.ini's [pgqd].
import { ConfigError } from "../config.js";
import { createLogger, errorText } from "../log.js";
import { loadRunnerConfig, SAMPLE_INI, type RunnerConfig } from "../runner/config.js";
import { removePidfile, writePidfile } from "../runner/daemon.js";
import { Runner } from "../runner/runner.js";
import { controlOrDaemonize, parseArgs } from "./common.js";

const USAGE = `usage: pgq-runner [-qvd] CONFIG.ini
       pgq-runner [-skr] CONFIG.ini
       pgq-runner --ini | -h | -V

Ticks pgq queues and runs their maintenance (rotation, retries) on every
database with pgq, like pgqd.

  -q         log only warnings and errors
  -v         log debug messages too
  -d         run in the background (needs pidfile; output goes to logfile)
  -s         stop the running instance gracefully (SIGINT)
  -k         kill the running instance at once (SIGTERM)
  -r         make the running instance reload its config (SIGHUP)
  --ini      print a sample configuration
  -h         this help
  -V         version
`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv.slice(2));
  } catch (err) {
    process.stderr.write(`pgq-runner: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.version) {
    process.stdout.write("pgq-runner 4.0\n");
    return 0;
  }
  if (args.printIni) {
    process.stdout.write(SAMPLE_INI);
    return 0;
  }
  if (args.positional.length !== 1) {
    process.stderr.write(`pgq-runner: need exactly one config file\n${USAGE}`);
    return 2;
  }
  const path = args.positional[0]!;
  let cfg: RunnerConfig;
  try {
    cfg = loadRunnerConfig(path);
  } catch (err) {
    process.stderr.write(`pgq-runner: ${(err as Error).message}\n`);
    return 2;
  }

  const early = await controlOrDaemonize("pgq-runner", path, args, cfg.pidfile, cfg.logfile);
  if (early !== undefined) return early;

  const level = args.quiet ? "warning" : args.verbose > 0 ? "debug" : "info";
  const logFile = process.env.PGQ_DAEMON ? undefined : cfg.logfile; // a daemon's stderr is the logfile
  const log = createLogger("pgq-runner", { level, file: logFile });
  if (cfg.pidfile) {
    try {
      writePidfile(cfg.pidfile);
    } catch (err) {
      process.stderr.write(`pgq-runner: ${errorText(err)}\n`);
      return 1;
    }
  }
  const runner = new Runner(cfg, log);
  runner.start();
  return await new Promise<number>((resolve) => {
    let stopping = false;
    process.on("SIGINT", () => {
      if (stopping) return;
      stopping = true;
      log.info("SIGINT: finishing current work");
      void runner.stop().then(() => {
        if (cfg.pidfile) removePidfile(cfg.pidfile);
        resolve(0);
      });
    });
    process.on("SIGTERM", () => {
      log.info("SIGTERM: exiting now");
      if (cfg.pidfile) removePidfile(cfg.pidfile);
      process.exit(0);
    });
    process.on("SIGHUP", () => {
      try {
        void runner.reload(loadRunnerConfig(path));
      } catch (err) {
        log.error(`reload: ${err instanceof ConfigError ? err.message.replace(/\n/g, " ") : errorText(err)}; keeping the old config`);
      }
    });
  });
}

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`pgq-runner: ${errorText(err)}\n`);
    process.exit(1);
  },
);
