// The status page pgq-runner serves on /: every database, queue and
// consumer in one view, problems first (stalled ticker, lagging consumer,
// blocked rotation with who blocks it), refreshing itself.  One
// self-contained HTML document: inline style and a few lines of inline
// script (filter box, scroll position kept across refreshes), no external
// asset.  Every name from the database is escaped.
import { describeXact, human, problems, tickerState, type Problem, type Thresholds } from "../observe.js";
import type { Observation, WorkerStatus } from "./runner.js";

/** Seconds between the page's own refreshes. */
export const REFRESH_SECONDS = 10;

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const num = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined ? "-" : digits ? v.toFixed(digits) : String(v);

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#1d1d1f;background:#fafafa}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .3em}
.meta{color:#555}
#problems ul{padding:0;list-style:none}
#problems li{margin:.25em 0;padding:.35em .6em;border-left:4px solid #c62828;background:#fdecea}
#problems li.rotation_blocked{border-color:#ef6c00;background:#fff3e0}
#problems li b{font-family:ui-monospace,monospace}
.ok{padding:.35em .6em;border-left:4px solid #2e7d32;background:#e8f5e9}
table{border-collapse:collapse;margin:.3em 0 1em;background:#fff}
th,td{padding:.15em .6em;border-bottom:1px solid #e0e0e0;text-align:left;white-space:nowrap}
th{background:#f0f0f0;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.bad td{background:#fdecea}tr.warn td{background:#fff3e0}
.tag{font-size:.85em;padding:0 .35em;border-radius:3px;background:#eee}
.tag.stalled,.tag.error{background:#c62828;color:#fff}.tag.ok{background:#2e7d32;color:#fff}
#filter{font:inherit;padding:.2em .4em;width:20em}
`;

const SCRIPT = `
(function(){
  var f=document.getElementById('filter'),k='pgq-filter';
  function apply(){var v=f.value.toLowerCase();
    document.querySelectorAll('tr[data-name]').forEach(function(r){
      r.style.display=!v||r.getAttribute('data-name').toLowerCase().indexOf(v)>=0?'':'none';});}
  try{f.value=sessionStorage.getItem(k)||'';var y=+sessionStorage.getItem(k+'-y');if(y)window.scrollTo(0,y);}catch(e){}
  f.addEventListener('input',function(){try{sessionStorage.setItem(k,f.value);}catch(e){}apply();});
  window.addEventListener('beforeunload',function(){try{sessionStorage.setItem(k+'-y',String(window.scrollY));}catch(e){}});
  apply();
})();
`;

export interface PageInfo {
  startedAt: number;
  tickerPeriod: number;
}

export function renderStatusPage(all: { db: string; status: WorkerStatus; obs: Observation }[], th: Thresholds,
                                 info: PageInfo): string {
  const found: { db: string; p: Problem }[] = [];
  const dbProblems: { db: string; text: string }[] = [];
  let nq = 0;
  let nc = 0;
  for (const { db, status, obs } of all) {
    if (status.lastError) dbProblems.push({ db, text: `${status.lastError.loop} failing: ${status.lastError.text}` });
    if (obs.state) {
      nq += obs.state.queues.length;
      nc += obs.state.consumers.length;
      for (const p of problems(obs.state, th)) found.push({ db, p });
    } else if (status.ready && obs.error) {
      dbProblems.push({ db, text: `cannot read its state: ${obs.error}` });
    }
  }
  const total = found.length + dbProblems.length;
  const out: string[] = [];
  out.push(`<!doctype html><html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width,initial-scale=1">`,
    `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`,
    `<title>${total ? `${total} problem${total === 1 ? "" : "s"}` : "ok"} - pgq-runner</title><style>${STYLE}</style></head><body>`,
    `<h1>pgq-runner status</h1>`,
    `<p class="meta">${esc(new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"))}`
    + ` &middot; ${all.length} database${all.length === 1 ? "" : "s"}, ${nq} queues, ${nc} consumers`
    + ` &middot; running for ${esc(human((Date.now() - info.startedAt) / 1000))}`
    + ` &middot; refreshes every ${REFRESH_SECONDS}s`
    + ` &middot; <a href="metrics">metrics</a> &middot; <a href="status.json">json</a></p>`);

  out.push(`<section id="problems"><h2>Problems (${total})</h2>`);
  if (total === 0) {
    out.push(`<p class="ok">No problems: every ticker ran recently, no consumer is more than ${esc(human(th.lag))} behind, no rotation is blocked.</p>`);
  } else {
    out.push("<ul>");
    for (const d of dbProblems) {
      out.push(`<li class="database" data-kind="database" data-db="${esc(d.db)}"><b>${esc(d.db)}</b>: ${esc(d.text)}</li>`);
    }
    const order = { ticker_stalled: 0, rotation_blocked: 1, consumer_lagging: 2 };
    found.sort((a, b) => order[a.p.kind] - order[b.p.kind]);
    for (const { db, p } of found) {
      const where = [db, p.queue, p.consumer].filter((x) => x !== undefined).join(" / ");
      out.push(`<li class="${p.kind}" data-kind="${p.kind}" data-db="${esc(db)}" data-queue="${esc(p.queue)}"`
        + `${p.consumer !== undefined ? ` data-consumer="${esc(p.consumer)}"` : ""}><b>${esc(where)}</b>: ${esc(p.text)}</li>`);
    }
    out.push("</ul>");
  }
  out.push("</section>");
  out.push(`<p><input id="filter" type="search" placeholder="filter queues and consumers by name" aria-label="filter"></p>`);

  for (const { db, status, obs } of all) {
    out.push(`<section class="db" data-db="${esc(db)}"><h2>database ${esc(db)}</h2>`);
    const facts: string[] = [];
    if (!status.ready) facts.push(`not served: ${esc(status.notServed ?? "connecting")}`);
    if (status.lastTickAt !== undefined) facts.push(`last pgq.ticker() call ${esc(human((Date.now() - status.lastTickAt) / 1000))} ago`);
    const st = obs.state;
    if (st) {
      facts.push(`pgq ${esc(st.pgq_version)} on PostgreSQL ${esc(st.server_version.split(" ")[0])}`);
      facts.push(st.oldest_xact ? `oldest transaction: ${esc(describeXact(st.oldest_xact))}` : "no transaction holds a txid");
      if (st.xmin_horizon_age !== null) facts.push(`xmin horizon ${st.xmin_horizon_age} transactions old`);
    } else if (obs.error && status.ready) {
      facts.push(`state unknown: ${esc(obs.error)}`);
    }
    out.push(`<p class="meta">${facts.join(" &middot; ")}</p>`);
    if (st) {
      const bad = new Set(problems(st, th).map((p) => `${p.queue}\u0000${p.consumer ?? ""}`));
      const qrows = st.queues.map((q) => ({ q, bad: bad.has(`${q.queue}\u0000`) }));
      qrows.sort((a, b) => Number(b.bad) - Number(a.bad));
      out.push(`<table class="queues"><thead><tr><th>queue</th><th>ticker</th><th>ticker lag</th><th>events/s</th>`
        + `<th>new events</th><th>last tick</th><th>last rotation</th><th>rotation period</th><th>rotation</th></tr></thead><tbody>`);
      for (const { q, bad: isBad } of qrows) {
        const t = tickerState(q, th.tickerGrace);
        out.push(`<tr data-name="${esc(q.queue)}"${isBad ? ` class="${q.rotation_blocked && t !== "stalled" ? "warn" : "bad"}"` : ""}>`
          + `<td>${esc(q.queue)}</td><td><span class="tag ${t}">${t}</span></td><td class="n">${esc(human(q.ticker_lag))}</td>`
          + `<td class="n">${num(q.ev_per_sec, 1)}</td><td class="n">${num(q.ev_new)}</td><td class="n">${esc(q.last_tick ?? "-")}</td>`
          + `<td class="n">${esc(human(q.rotation_age))} ago</td><td class="n">${esc(human(q.rotation_period))}</td>`
          + `<td>${q.rotation_blocked ? `<span class="tag error">blocked</span>` : q.rotation_due ? "due" : "ok"}</td></tr>`);
      }
      if (qrows.length === 0) out.push(`<tr><td colspan="9">no queues</td></tr>`);
      out.push("</tbody></table>");
      const crows = st.consumers.map((c) => ({ c, bad: bad.has(`${c.queue}\u0000${c.consumer}`) || c.blocks_rotation }));
      crows.sort((a, b) => Number(b.bad) - Number(a.bad));
      out.push(`<table class="consumers"><thead><tr><th>queue</th><th>consumer</th><th>lag</th><th>behind newest tick</th>`
        + `<th>last seen</th><th>pending events</th><th>batch</th><th>rotation</th></tr></thead><tbody>`);
      for (const { c, bad: isBad } of crows) {
        out.push(`<tr data-name="${esc(`${c.queue} ${c.consumer}`)}"${isBad ? ` class="bad"` : ""}><td>${esc(c.queue)}</td>`
          + `<td>${esc(c.consumer)}</td><td class="n">${esc(human(c.lag))}</td><td class="n">${esc(human(c.behind))}</td>`
          + `<td class="n">${esc(human(c.last_seen))} ago</td><td class="n">${num(c.pending_events)}</td>`
          + `<td class="n">${esc(c.batch ?? "-")}</td><td>${c.blocks_rotation ? `<span class="tag error">blocks</span>` : ""}</td></tr>`);
      }
      if (crows.length === 0) out.push(`<tr><td colspan="8">no consumers</td></tr>`);
      out.push("</tbody></table>");
    }
    out.push("</section>");
  }
  out.push(`<script>${SCRIPT}</script></body></html>\n`);
  return out.join("\n");
}
