// A tool that starts like the real ones (startForeground: logger, pidfile)
// and then dies of an error nobody catches, for the last-resort handler test.
//   node --import tsx fatal-tool.ts CONFIG PIDFILE LOGFILE throw|reject
import { parseCli, startForeground } from "../../src/cli/common.js";

const [config, pidfile, logfile, how] = process.argv.slice(2);
const args = parseCli("fatal-tool", ["node", "fatal-tool"], "", "");
if (typeof args === "number") process.exit(args);
const log = startForeground("fatal-tool", "fatal-tool", args, config!, pidfile, logfile);
if (typeof log === "number") process.exit(log);
log.info("started");
setInterval(() => undefined, 1000);
setTimeout(() => {
  if (how === "throw") throw new Error("boom");
  void Promise.reject(new Error("boom"));
}, 200);
