// The one combined table: every figure the scenarios recorded (BENCH_ROWS:
// "key<TAB>system<TAB>value" lines), one row per scenario, one column per
// system, the ratio to PgQ 3.5 C and the goal, met or missed.
//   npx tsx bench/summary.ts ROWS_FILE
import { readFileSync } from "node:fs";
import { fail, type SystemId } from "./lib.js";

type Goal =
  | { vs: "c"; op: ">=" | "<="; value: number }
  | { vs: "peers"; value: number }
  /** ours alone against a number (a ratio it measures itself) */
  | { vs: "self"; op: ">="; value: number }
  /** ours at most a number (milliseconds) */
  | { vs: "max"; value: number }
  /** ours over the plain floor at least a number */
  | { vs: "plain"; value: number };

interface Row {
  key: string;
  label: string;
  unit: string;
  goal?: Goal;
  /** left out of the table when not measured (the quick run stops short) */
  optional?: boolean;
}

const SYSTEMS: [SystemId, string][] = [
  ["ours", "pgq (ours)"], ["c", "PgQ 3.5 C"], ["pl", "PgQ 3.5 PL/pgSQL"],
  ["pgboss", "pg-boss 10.4.2"], ["graphile", "graphile-worker 0.17.3"], ["plain", "plain INSERT / copy"],
];

const ROWS: Row[] = [
  { key: "insert_bulk", label: "producer: events in one transaction", unit: "events/s", goal: { vs: "c", op: ">=", value: 1.0 } },
  { key: "insert_array", label: "producer: our pgq.insert_events, one call (C: insert_event per event)", unit: "events/s" },
  { key: "insert_single", label: "producer: one event per transaction, 2 clients", unit: "tx/s" },
  { key: "trigger_row", label: "trigger producer: logutriga row trigger, one big INSERT", unit: "rows/s", goal: { vs: "c", op: ">=", value: 0.8 } },
  { key: "trigger_skip", label: "trigger producer: logutriga BEFORE SKIP row trigger, one big INSERT", unit: "rows/s", goal: { vs: "c", op: ">=", value: 0.8 } },
  ...["sql", "json", "after"].flatMap((kind) => ["ins", "upd", "del"].filter((op) => kind !== "after" || op !== "ins").map((op): Row => ({
    key: `trigger_${kind}_${op}`,
    label: `trigger producer: ${kind === "after" ? "logu" : kind}triga row trigger, one big ${{ ins: "INSERT", upd: "UPDATE", del: "DELETE" }[op]}`,
    unit: "rows/s",
  }))),
  { key: "trigger_bulk", label: "trigger producer: our logutriga_bulk (statement level) vs C row trigger", unit: "rows/s", goal: { vs: "c", op: ">=", value: 1.0 } },
  { key: "trigger_single", label: "trigger producer: one-row transactions, 2 clients", unit: "tx/s", goal: { vs: "c", op: ">=", value: 0.9 } },
  { key: "trigger_single_async", label: "trigger producer: one-row transactions, 2 clients, synchronous_commit off", unit: "tx/s", goal: { vs: "c", op: ">=", value: 0.8 } },
  { key: "urlencode_mb", label: "logutriga: one row with 1 MiB of mixed non-ASCII text (goal: well under 1 s)", unit: "ms" },
  ...[100, 500, 5000].map((b): Row => ({ key: `drain_${b}`, label: `consumer drain, batches of ${b}`, unit: "events/s", goal: { vs: "c", op: ">=", value: 1.0 } })),
  ...[1, 4, 16].map((k): Row => ({
    key: `fanout_${k}`, label: `fan-out to ${k} consumer${k > 1 ? "s" : ""} (peers: one job copy per consumer)`, unit: "delivered events/s",
    goal: k === 4 ? { vs: "peers", value: 10 } : undefined,
  })),
  { key: "latency_p50", label: "end-to-end latency p50, 200 events/s", unit: "ms" },
  { key: "latency_p99", label: "end-to-end latency p99, 200 events/s", unit: "ms" },
  { key: "latency_od_p50", label: "end-to-end latency p50, 200 events/s, ours on demand", unit: "ms", goal: { vs: "max", value: 5 } },
  { key: "latency_od_p99", label: "end-to-end latency p99, 200 events/s, ours on demand", unit: "ms", goal: { vs: "max", value: 20 } },
  { key: "latency_2000_p50", label: "end-to-end latency p50, 2000 events/s", unit: "ms" },
  { key: "latency_2000_p99", label: "end-to-end latency p99, 2000 events/s", unit: "ms" },
  { key: "latency_od_2000_p50", label: "end-to-end latency p50, 2000 events/s, ours on demand", unit: "ms" },
  { key: "latency_od_2000_p99", label: "end-to-end latency p99, 2000 events/s, ours on demand", unit: "ms" },
  { key: "latency_od_ticks_busy", label: "on demand: ticks per minute, queue at 200 events/s", unit: "ticks/min" },
  { key: "latency_od_ticks_idle", label: "on demand: ticks per minute, idle queue", unit: "ticks/min" },
  { key: "od_producer_on", label: "on demand: producer one-event tx/s, on / off, synchronous_commit on", unit: "ratio", goal: { vs: "self", op: ">=", value: 0.95 } },
  { key: "od_producer_off", label: "on demand: producer one-event tx/s, on / off, synchronous_commit off", unit: "ratio" },
  { key: "held_polls", label: "held transaction: consumer polls/s, held / before", unit: "ratio" },
  { key: "held_dead", label: "held transaction: dead rows in pgq.subscription + pgq.tick at its end", unit: "rows" },
  { key: "held_after_events_kb", label: "held transaction: event tables after it ended", unit: "KiB" },
  ...[1, 10, 100, 1000].map((n): Row => ({ key: `ticker_${n}`, label: `ticker cost, ${n} idle queue${n > 1 ? "s" : ""}`, unit: "ms/call", goal: { vs: "c", op: "<=", value: 1.0 } })),
  { key: "storage_full", label: "storage per 1M events of 100 bytes", unit: "MiB" },
  { key: "storage_after", label: "storage per 1M events after consumption (pgq: rotation)", unit: "MiB" },
  ...[1, 2, 4, 8].map((n): Row => ({
    key: `coop_${n}`, label: `cooperative consumers: drain with 1 ms work per event, ${n} worker${n > 1 ? "s" : ""}`,
    unit: "events/s", goal: { vs: "peers", value: 1 },
  })),
  ...[2, 4, 8].map((n): Row => ({
    key: `coop_scaling_${n}`, label: `cooperative consumers: ${n} workers' events/s over ${n}× one's`, unit: "ratio",
    goal: n <= 4 ? { vs: "self", op: ">=", value: 0.8 } : undefined,
  })),
  ...manyQueues(),
  ...[1, 10, 100].map((k): Row => ({
    key: `splitter_${k}`, label: `queue_splitter into ${k} queue${k > 1 ? "s" : ""}, two databases (plain: SELECT + INSERT copy)`,
    unit: "events/s", goal: k <= 10 ? { vs: "plain", value: 0.6 } : undefined,
  })),
  ...[1, 10, 100].map((k): Row => ({
    key: `splitter_local_${k}`, label: `queue_splitter into ${k} queue${k > 1 ? "s" : ""}, one database (plain: the same copy)`,
    unit: "events/s", goal: k <= 10 ? { vs: "plain", value: 0.6 } : undefined,
  })),
];

/** bench/many_queues.ts: 1 to 10 000 queues (the quick run stops at 1000) */
function manyQueues(): Row[] {
  const sizes = [1, 10, 100, 1000, 10000];
  const q = (n: number) => `${n} queue${n > 1 ? "s" : ""}`;
  const le = (value: number): Goal => ({ vs: "c", op: "<=", value });
  const rows: Row[] = [];
  for (const n of sizes) {
    const optional = n === 10000;
    rows.push(
      { key: `mq_first_insert_${n}`, label: `many queues, ${q(n)}: a new session's first insert_event`, unit: "ms", goal: le(1.2), optional },
      { key: `mq_first_next_batch_${n}`, label: `many queues, ${q(n)}: a new session's first next_batch`, unit: "ms", goal: le(1.2), optional },
      { key: `mq_first_batch_events_${n}`, label: `many queues, ${q(n)}: ... and its first get_batch_events`, unit: "ms", goal: le(1.2), optional },
      { key: `mq_connect_tx_${n}`, label: `many queues, ${q(n)}: one-event transactions, a connection each, 2 clients`, unit: "tx/s",
        goal: n === 1000 ? { vs: "c", op: ">=", value: 0.9 } : undefined, optional },
      { key: `mq_ticker_idle_${n}`, label: `many queues, ${q(n)}: ticker(), idle`, unit: "ms/call",
        goal: n >= 10 && n <= 1000 ? le(1.0) : undefined, optional },
      { key: `mq_ticker_busy_${n}`, label: `many queues, ${q(n)}: ticker(), every queue ticks`, unit: "ms/call",
        goal: n >= 10 && n <= 1000 ? le(1.0) : undefined, optional },
      { key: `mq_queue_info_${n}`, label: `many queues, ${q(n)}: get_queue_info()`, unit: "ms/call", optional },
      { key: `mq_maint_ops_${n}`, label: `many queues, ${q(n)}: maint_operations()`, unit: "ms/call", optional },
      { key: `mq_status_${n}`, label: `many queues, ${q(n)}: pgqadm status's query (sql.observe)`, unit: "ms/call", optional },
    );
  }
  return rows;
}

function num(x: number | undefined): string {
  if (x === undefined) return "";
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US").replace(/,/g, " ");
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(Math.abs(x) >= 1 ? 2 : 3);
}

function goalText(g: Goal | undefined, v: Map<string, number>): string {
  if (!g) return "";
  const ours = v.get("ours");
  if (ours === undefined) return "not measured";
  if (g.vs === "max") {
    return `≤ ${g.value}: ${ours <= g.value ? "met" : `missed (${ours.toFixed(1)})`}`;
  }
  if (g.vs === "plain") {
    const plain = v.get("plain");
    if (plain === undefined) return "not measured";
    return `ours/plain ≥ ${g.value}: ${ours / plain >= g.value ? "met" : `missed (${(ours / plain).toFixed(2)})`}`;
  }
  if (g.vs === "self") {
    return `≥ ${g.value}: ${ours >= g.value ? "met" : `missed (${ours.toFixed(2)})`}`;
  }
  if (g.vs === "c") {
    const c = v.get("c");
    if (c === undefined) return "not measured";
    const r = ours / c;
    const met = g.op === ">=" ? r >= g.value : r <= g.value;
    return `ours/C ${g.op === ">=" ? "≥" : "≤"} ${g.value.toFixed(1)}: ${met ? "met" : `missed (${r.toFixed(3)})`}`;
  }
  const peers = (["pgboss", "graphile"] as const).filter((p) => v.has(p));
  if (peers.length === 0) return "not measured";
  const times = peers.map((p) => ours / v.get(p)!);
  const met = times.every((t) => t >= g.value);
  return `≥ ${g.value}× pg-boss and graphile-worker: ${times.map((t) => `${t.toFixed(1)}×`).join(", ")}, ${met ? "met" : "missed"}`;
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error("usage: summary.ts ROWS_FILE");
  const data = new Map<string, Map<string, number>>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [key, system, value] = line.split("\t");
    if (!key || !system || value === undefined) continue;
    if (!data.has(key)) data.set(key, new Map());
    data.get(key)!.set(system, Number(value));
  }
  console.log(`| scenario | unit | ${SYSTEMS.map(([, l]) => l).join(" | ")} | ours/C | goal |`);
  console.log(`|---|---|${SYSTEMS.map(() => "---:").join("|")}|---:|---|`);
  const missing: string[] = [];
  for (const row of ROWS) {
    const v = data.get(row.key) ?? new Map<string, number>();
    if (row.optional && v.size === 0) continue;
    if (!v.has("ours")) missing.push(row.key);
    const ratio = v.has("ours") && v.has("c") ? (v.get("ours")! / v.get("c")!).toFixed(2) : "";
    console.log(`| ${row.label} | ${row.unit} | ${SYSTEMS.map(([id]) => num(v.get(id))).join(" | ")} | ${ratio} | `
      + `${goalText(row.goal, v)} |`);
  }
  if (missing.length > 0) {
    console.log(`\nNot measured in this run: ${missing.join(", ")}.`);
    process.exitCode = 1;
  }
}

try {
  main();
} catch (err) {
  fail("summary")(err);
}
