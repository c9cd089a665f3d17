// Runs a Runner until a signal: SIGINT lets every loop finish its current
// step, then removes the pidfile and resolves 0; SIGHUP replaces the
// configuration with what reload() returns (a bad config is logged and the
// old one kept).  SIGTERM is handled by the CLI's startForeground.
import { ConfigError } from "../config.js";
import { errorText, type Logger } from "../log.js";
import type { RunnerConfig } from "../runner/config.js";
import { removePidfile } from "./daemon.js";
import { Runner } from "../runner/runner.js";

export function runUntilSignalled(cfg: RunnerConfig, log: Logger, reload: () => RunnerConfig): Promise<number> {
  const runner = new Runner(cfg, log);
  runner.start();
  return new Promise<number>((resolve) => {
    process.once("SIGINT", () => {
      log.info("SIGINT: finishing current work");
      void runner.stop().then(() => {
        if (cfg.pidfile) removePidfile(cfg.pidfile);
        resolve(0);
      });
    });
    process.on("SIGHUP", () => {
      try {
        void runner.reload(reload());
      } catch (err) {
        log.error(`reload: ${err instanceof ConfigError ? err.message.replace(/\n/g, " ") : errorText(err)}; keeping the old config`);
      }
    });
  });
}
