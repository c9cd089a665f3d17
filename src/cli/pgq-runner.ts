#!/usr/bin/env node
// pgq-runner: ticks and maintains pgq queues on one or many databases.
// Drop-in for pgqd: reads a [pgq-runner] section, or pgqd.ini's [pgqd].
import { errorText } from "../log.js";
import { ConfigError } from "../config.js";
import { loadRunnerConfig, RUNNER_LAYOUT, SAMPLE_INI, type RunnerConfig } from "../runner/config.js";
import { runUntilSignalled } from "./foreground.js";
import { RUNNER_SPEC, usage } from "./spec.js";
import { controlDespiteBadConfig, controlOrDaemonize, parseCli, startForeground } from "./common.js";

const USAGE = usage(RUNNER_SPEC);

async function main(argv: string[]): Promise<number> {
  const args = parseCli("pgq-runner", argv, USAGE, SAMPLE_INI);
  if (typeof args === "number") return args;
  if (args.positional.length !== 1) {
    process.stderr.write(`pgq-runner: need exactly one config file\n${USAGE}`);
    return 2;
  }
  const path = args.positional[0]!;
  let cfg: RunnerConfig;
  try {
    cfg = loadRunnerConfig(path);
  } catch (err) {
    if (args.control && err instanceof ConfigError) {
      return await controlDespiteBadConfig("pgq-runner", path, args, RUNNER_LAYOUT, err);
    }
    process.stderr.write(`pgq-runner: ${(err as Error).message}\n`);
    return 2;
  }

  const early = await controlOrDaemonize("pgq-runner", path, args, cfg.pidfile, cfg.logfile);
  if (early !== undefined) return early;

  const log = startForeground("pgq-runner", "pgq-runner", args, path, cfg.pidfile, cfg.logfile);
  if (typeof log === "number") return log;
  return await runUntilSignalled(cfg, log, () => loadRunnerConfig(path));
}

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`pgq-runner: ${errorText(err)}\n`);
    process.exit(1);
  },
);
