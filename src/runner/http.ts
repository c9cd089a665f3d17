// pgq-runner's HTTP side (http_listen = host:port): /metrics for
// Prometheus, /healthz for orchestrators, / the status page and
// /status.json its facts.  Every database is observed at most once per
// request (and the observation is shared for a moment between requests and
// the problem watch), so a scrape costs one catalog query per database.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { errorText, type Logger } from "../log.js";
import type { DbState } from "../observe.js";
import type { Runner } from "./runner.js";
import { renderStatusPage } from "./status-page.js";

export interface HttpServer {
  readonly listen: { host: string; port: number };
  /** The port bound (the configured one; differs only when 0 was asked for). */
  readonly port: number;
  close(): Promise<void>;
}

/** A served database counts as unhealthy when its last tick is older than this. */
export function staleTickSeconds(tickerPeriod: number): number {
  return Math.max(30, 10 * tickerPeriod);
}

async function handle(runner: Runner, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }).end("method not allowed\n");
    return;
  }
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  switch (path) {
    case "/metrics": {
      const all = await runner.observeAll();
      const states = new Map<string, DbState>();
      for (const o of all) if (o.obs.state) states.set(o.db, o.obs.state);
      runner.metrics.setFacts(states, runner.thresholds());
      send(200, runner.metrics.registry.contentType, await runner.metrics.registry.metrics());
      return;
    }
    case "/healthz": {
      const stale = staleTickSeconds(runner.config().tickerPeriod) * 1000;
      const now = Date.now();
      const bad: string[] = [];
      for (const db of runner.databases()) {
        const st = runner.worker(db)?.status;
        if (!st) continue;
        // a database without pgq is checked now and then, and is no failure
        if (st.lastError?.loop === "ticker") bad.push(`${db}: ticker failing: ${st.lastError.text}`);
        else if (st.ready && st.lastTickAt !== undefined && now - st.lastTickAt > stale) {
          bad.push(`${db}: no tick for ${Math.round((now - st.lastTickAt) / 1000)}s`);
        }
      }
      send(bad.length ? 503 : 200, "text/plain; charset=utf-8", bad.length ? `${bad.join("\n")}\n` : "ok\n");
      return;
    }
    case "/status.json": {
      const all = await runner.observeAll();
      send(200, "application/json; charset=utf-8", `${JSON.stringify({
        now: new Date().toISOString(),
        databases: all.map((o) => ({ database: o.db, ...o.status, ...o.obs })),
      })}\n`);
      return;
    }
    case "/": {
      const all = await runner.observeAll();
      send(200, "text/html; charset=utf-8", renderStatusPage(all, runner.thresholds(), {
        startedAt: runner.started, tickerPeriod: runner.config().tickerPeriod,
      }));
      return;
    }
    default:
      send(404, "text/plain; charset=utf-8", "not found: /metrics, /healthz, /status.json and / are\n");
  }
}

/** Starts the server; rejects when the address cannot be bound. */
export function startHttp(listen: { host: string; port: number }, runner: Runner, log: Logger): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    handle(runner, req, res).catch((err: unknown) => {
      log.error(`http ${req.method} ${req.url}: ${errorText(err)}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("internal error\n");
    });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      server.on("error", (err) => log.error(`http: ${errorText(err)}`));
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : listen.port;
      log.info(`serving /metrics, /healthz and the status page on http://${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${port}/`);
      resolve({
        listen,
        port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
