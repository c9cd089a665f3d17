// What each tool accepts, in one place: its switches, its config keys (with
// their defaults) and pgqadm's commands.  The switch parser, the config
// loaders, `--help` and `--ini` are made from these tables; the manual pages
// in man/ are written by hand and test/manpages.test.ts compares them with
// these tables (and with what `--help` and `--ini` print), so a switch, key
// or command added to one place and not the others fails the tests.

/** What a switch does to the parsed arguments. */
export type SwitchAction = "help" | "version" | "quiet" | "verbose" | "daemon" | "ini" | "SIGINT" | "SIGTERM" | "SIGHUP";

export interface SwitchSpec {
  /** The one-letter form, without the dash; none for --ini. */
  readonly short?: string;
  /** The long form, without the dashes. */
  readonly long: string;
  readonly action: SwitchAction;
  /** One line for --help. */
  readonly help: string;
}

/** The switches every tool takes, in --help's order. */
export const SWITCHES: readonly SwitchSpec[] = [
  { short: "q", long: "quiet", action: "quiet", help: "log only warnings and errors" },
  { short: "v", long: "verbose", action: "verbose", help: "log debug messages too" },
  { short: "d", long: "daemon", action: "daemon", help: "run in the background (needs pidfile; output goes to logfile)" },
  { short: "s", long: "stop", action: "SIGINT", help: "stop the running instance after its current step (SIGINT)" },
  { short: "k", long: "kill", action: "SIGTERM", help: "stop the running instance at once (SIGTERM)" },
  { short: "r", long: "reload", action: "SIGHUP", help: "make the running instance reload its config (SIGHUP)" },
  { long: "ini", action: "ini", help: "print a sample config file and exit" },
  { short: "h", long: "help", action: "help", help: "print this help and exit" },
  { short: "V", long: "version", action: "version", help: "print the version and exit" },
];

export interface KeySpec {
  readonly key: string;
  /** Other names for the same setting. */
  readonly aliases?: readonly string[];
  /** The value used when the key is not set, written as in the file; the loader parses it like a set value. */
  readonly default?: string;
  /** How the default reads when it is not one fixed value ("stderr", "the config file's name"). */
  readonly defaultText?: string;
  readonly required?: boolean;
  /** The value --ini shows when there is no default to show. */
  readonly example?: string;
  /** One line, --ini's comment above the key. */
  readonly help: string;
  /** Accepted (from the tool this one replaces) and ignored. */
  readonly ignored?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  /** Its arguments as --help shows them ("QNAME CONS"); "" for none. */
  readonly args: string;
  readonly help: string;
}

export interface ToolSpec {
  readonly tool: "pgq-runner" | "pgqadm" | "queue_splitter";
  /** --help's usage lines, without the leading "usage: ". */
  readonly synopsis: readonly string[];
  /** A paragraph for --help. */
  readonly summary: string;
  /** Where the settings are: the sections looked for, in order. */
  readonly sections: string;
  /** The section --ini writes. */
  readonly iniSection: string;
  /** --help lines that differ for this tool, by long switch name. */
  readonly switchHelp?: Readonly<Record<string, string>>;
  readonly keys: readonly KeySpec[];
  readonly commands?: readonly CommandSpec[];
}

const logfile = (name: string): KeySpec => ({
  key: "logfile", defaultText: "stderr", example: `~/log/${name}.log`,
  help: "where to log; lines go to stderr while it cannot be written",
});
const pidfile = (name: string): KeySpec => ({
  key: "pidfile", defaultText: "none", example: `~/pid/${name}.pid`,
  help: "the pidfile, needed for -d, -s, -k and -r",
});

const pooler = (): KeySpec => ({
  key: "pooler", default: "none",
  help: "none, session or transaction: the pool mode of a pooler (PgBouncer) between the tool and the servers",
});

export const RUNNER_SPEC: ToolSpec = {
  tool: "pgq-runner",
  synopsis: ["pgq-runner [-qvd] CONFIG.ini", "pgq-runner -s | -k | -r CONFIG.ini", "pgq-runner --ini | -h | -V"],
  summary: "Ticks pgq queues and runs their maintenance (rotation, retries) on every\n"
    + "database with pgq, like pgqd.",
  sections: "[pgq-runner], else pgqd's [pgqd]",
  iniSection: "pgq-runner",
  keys: [
    { key: "base_connstr", defaultText: "the PG* environment", example: "host=localhost port=5432 user=postgres",
      help: "libpq keyword=value string or URI without the database; PG* environment fills the gaps" },
    { key: "database_list", defaultText: "every non-template database that allows connections", example: "app, billing",
      help: "databases to serve, comma or space separated (unset: found through initial_database)" },
    { key: "initial_database", default: "template1", help: "where databases are listed from" },
    { key: "ticker_period", default: "1", help: "seconds between pgq.ticker() calls" },
    { key: "maint_period", default: "120", help: "seconds between maintenance rounds (pgq.maint_operations())" },
    { key: "retry_period", default: "30", help: "seconds between pgq.maint_retry_events() rounds" },
    { key: "check_period", default: "60", help: "seconds between looks for new databases and for pgq in them" },
    { key: "stats_period", default: "30", help: "seconds between log lines counting ticks and maintenance calls" },
    { key: "connection_lifetime", default: "3600", help: "seconds after which a connection is opened anew" },
    { key: "http_listen", defaultText: "none (no HTTP)", example: "127.0.0.1:9187",
      help: "host:port to serve /metrics (Prometheus), /healthz and the status page / on" },
    { key: "lag_threshold", default: "300",
      help: "seconds a consumer may be behind its queue's newest tick before it is reported as lagging" },
    pooler(),
    logfile("pgq-runner"),
    pidfile("pgq-runner"),
    { key: "job_name", defaultText: "the section's name", example: "pgq-runner",
      help: "only for %(job_name)s references in other values" },
    { key: "syslog", ignored: true, help: "pgqd's" },
    { key: "syslog_ident", ignored: true, help: "pgqd's" },
    { key: "syslog_facility", ignored: true, help: "pgqd's" },
  ],
};

export const PGQADM_SPEC: ToolSpec = {
  tool: "pgqadm",
  synopsis: ["pgqadm [-qv] CONFIG.ini COMMAND [ARGS]", "pgqadm [-qv] CONNSTR COMMAND [ARGS]", "pgqadm -d [-qv] CONFIG.ini ticker",
    "pgqadm -s | -k | -r CONFIG.ini", "pgqadm --ini | -h | -V"],
  summary: "Administers pgq in one database: installs it, creates and drops queues,\n"
    + "registers consumers, shows their state, and runs a ticker for the database.",
  sections: "[pgqadm], else the first section",
  iniSection: "pgqadm",
  switchHelp: { daemon: "run the ticker command in the background (needs pidfile)" },
  keys: [
    { key: "job_name", defaultText: "the config file's name without .ini", example: "pgqadm_mydb",
      help: "the name in log lines and for %(job_name)s references" },
    { key: "db", required: true, example: "dbname=mydb host=localhost",
      help: "the database: libpq keyword=value string or URI; PG* environment fills the gaps" },
    { key: "loop_delay", default: "1", help: "ticker: seconds between pgq.ticker() calls" },
    { key: "maint_delay", defaultText: "maint_delay_min minutes, so 300", example: "300",
      help: "ticker: seconds between maintenance rounds" },
    { key: "maint_delay_min", default: "5", help: "ticker: the same in minutes (SkyTools' older key), when maint_delay is not set" },
    { key: "connection_lifetime", default: "3600", help: "ticker: seconds after which a connection is opened anew" },
    pooler(),
    logfile("%(job_name)s"),
    pidfile("%(job_name)s"),
    { key: "use_skylog", ignored: true, help: "SkyTools' logging setup" },
    { key: "queue_refresh_period", ignored: true, help: "SkyTools' ticker: pgq.ticker() finds new queues itself" },
    { key: "ticker_log_delay", ignored: true, help: "SkyTools' ticker: see pgq-runner's stats log lines instead" },
  ],
  commands: [
    { name: "install", args: "[pgq_ext] [pgq_coop]",
      help: "install pgq (and pgq_ext, pgq_coop if named) into the database: CREATE EXTENSION, else the plain script" },
    { name: "ticker", args: "", help: "tick and maintain the queues of the database (usually with -d)" },
    { name: "status", args: "[--json]",
      help: "queues and consumers, with lag and pending events, and the problems (ticker stalled, consumer lagging, rotation blocked); --json: as JSON" },
    { name: "create", args: "QNAME [QNAME ...]", help: "create queues (100 to a transaction)" },
    { name: "drop", args: "QNAME", help: "drop a queue (it must have no consumers)" },
    { name: "register", args: "QNAME CONS", help: "register a consumer on a queue" },
    { name: "unregister", args: "QNAME CONS", help: "unregister a consumer" },
    { name: "config", args: "[QNAME [VAR=VAL ...]]",
      help: "show queue settings, or set ticker_max_count, ticker_max_lag, ticker_idle_period, rotation_period, max_retries, ticker_on_demand" },
    { name: "dead", args: "QNAME [CONS]", help: "list the queue's dead letters (of one consumer)" },
    { name: "replay", args: "QNAME CONS [ID]",
      help: "put the consumer's dead letters (or the one with that id) back into the queue for it" },
    { name: "purge", args: "QNAME [CONS [ID]]", help: "delete the queue's dead letters (of one consumer, or one)" },
  ],
};

export const SPLITTER_SPEC: ToolSpec = {
  tool: "queue_splitter",
  synopsis: ["queue_splitter [-qvd] CONFIG.ini", "queue_splitter -s | -k | -r CONFIG.ini", "queue_splitter --ini | -h | -V"],
  summary: "Moves events from a queue on src_db into the queues named by their routing\n"
    + "field on dst_db, exactly once.",
  sections: "[queue_splitter3], else [queue_splitter], else the first section",
  iniSection: "queue_splitter3",
  switchHelp: { reload: "send SIGHUP to the running instance (it logs that a restart is needed)" },
  keys: [
    { key: "job_name", defaultText: "the config file's name without .ini", example: "splitter",
      help: "the name in log lines and for %(job_name)s references" },
    { key: "src_db", required: true, example: "dbname=oltp", help: "the source database: libpq keyword=value string or URI" },
    { key: "dst_db", required: true, example: "dbname=batch", help: "the target database, with pgq and pgq_ext" },
    { key: "pgq_queue_name", aliases: ["queue_name"], required: true, example: "singlequeue",
      help: "the source queue" },
    { key: "consumer_name", aliases: ["pgq_consumer_id"], defaultText: "the value of job_name", example: "splitter",
      help: "the consumer name on the source queue" },
    { key: "queue_field", default: "extra1", help: "the event field naming the target queue: type, data, extra1 .. extra4" },
    { key: "skip_bad_routing", default: "0",
      help: "1: skip, with a warning, events whose target queue is missing or NULL, instead of stopping" },
    { key: "loop_delay", default: "1", help: "seconds to wait when there is no batch" },
    { key: "connection_lifetime", default: "1200",
      help: "checked like the other periods; connections are kept until an error" },
    pooler(),
    logfile("%(job_name)s"),
    pidfile("%(job_name)s"),
    { key: "use_skylog", ignored: true, help: "SkyTools' logging setup" },
  ],
};

export const TOOL_SPECS: readonly ToolSpec[] = [RUNNER_SPEC, PGQADM_SPEC, SPLITTER_SPEC];

/** Every name a key may be written as. */
export function keyNames(k: KeySpec): string[] {
  return [k.key, ...(k.aliases ?? [])];
}

/** The key a name belongs to (its own or an alias). */
export function findKey(spec: ToolSpec, name: string): KeySpec | undefined {
  return spec.keys.find((k) => keyNames(k).includes(name));
}

/** What the manual says about a key's default: "Required.", "Accepted and ignored." or "Default: X.". */
export function defaultSentence(k: KeySpec): string {
  if (k.required) return "Required.";
  if (k.ignored) return "Accepted and ignored.";
  return `Default: ${k.defaultText ?? k.default}.`;
}

/** Words of text in lines of at most `width`, the first after `first`, the others indented by `indent`. */
function wrap(text: string, first: string, indent: string, width = 79): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line.trim() !== "" && line !== first) {
      lines.push(line);
      line = indent + word;
    } else {
      line += (line === first ? "" : " ") + word;
    }
  }
  lines.push(line);
  return lines;
}

function switchLabel(s: SwitchSpec): string {
  return s.short ? `-${s.short}, --${s.long}` : `--${s.long}`;
}

/** The text of --help. */
export function usage(spec: ToolSpec): string {
  const lines = spec.synopsis.map((s, i) => `${i === 0 ? "usage: " : "       "}${s}`);
  lines.push("", spec.summary, "");
  if (spec.commands) {
    lines.push("commands:");
    const w = Math.max(...spec.commands.map((c) => `${c.name} ${c.args}`.trim().length)) + 2;
    for (const c of spec.commands) lines.push(...wrap(c.help, `  ${`${c.name} ${c.args}`.trim().padEnd(w)}`, " ".repeat(w + 2)));
    lines.push("");
  }
  lines.push("switches:");
  const w = Math.max(...SWITCHES.map((s) => switchLabel(s).length)) + 2;
  for (const s of SWITCHES) lines.push(...wrap(spec.switchHelp?.[s.long] ?? s.help, `  ${switchLabel(s).padEnd(w)}`, " ".repeat(w + 2)));
  lines.push("", ...wrap(`Settings come from CONFIG.ini, section ${spec.sections}; --ini prints every key with its default.`, "", ""),
    ...wrap(`Exit status: 0 done, 1 runtime error, 2 usage or config error.  See ${spec.tool}(1).`, "", ""));
  return `${lines.join("\n")}\n`;
}

/** The text of --ini: every key with its default, commented out unless required. */
export function sampleIni(spec: ToolSpec): string {
  const lines = [`[${spec.iniSection}]`];
  for (const k of spec.keys) {
    if (k.ignored) continue;
    const also = k.aliases?.length ? ` (or ${k.aliases.join(", ")})` : "";
    const dflt = k.required ? "required" : `default: ${k.defaultText ?? k.default}`;
    lines.push(...wrap(`${k.help}${also}; ${dflt}`, "# ", "#   "));
    lines.push(`${k.required ? "" : "#"}${k.key} = ${k.default ?? k.example ?? ""}`.trimEnd());
  }
  const ignored = spec.keys.filter((k) => k.ignored);
  if (ignored.length) {
    lines.push(...wrap(`accepted and ignored: ${ignored.map((k) => `${k.key} (${k.help})`).join(", ")}`, "# ", "#   "));
  }
  return `${lines.join("\n")}\n`;
}
