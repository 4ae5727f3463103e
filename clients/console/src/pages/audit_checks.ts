// Verify and replay check: a form that posts and shows the outcome (works
// without JavaScript), and a server-sent event stream of the same run that
// public/audit.js uses to show the daemon's progress as it comes.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context, Router } from "../context.js";
import { DaemonError, type Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { t, type Lang, type Word } from "../i18n.js";
import { alertBox } from "../layout.js";
import { auditPage, count, hashCell, historyHref, numberField, fieldsOf, refusalBox, w, type Query } from "./audit_common.js";

// What one run ends with: the outcome's HTML and one sentence to announce.
interface Result { html: Html; say: string }

interface Check {
  path: string;                           // /audit/<path>
  title: Word;
  method: "Verify" | "ReplayCheck";
  help(lang: Lang): Html;
  fields(lang: Lang, q: Query): Html;
  request(q: Query): Message;
  result(messages: Message[], lang: Lang): Result;
}

const VERIFY: Check = {
  path: "verify", title: "verify", method: "Verify",
  help: (lang) => html`${w(lang, "verifyHelp")} ${w(lang, "wholeLogHelp")}`,
  fields: (lang, q) => html`${numberField("from", "from", w(lang, "fromPosition"), q.from)}
  ${numberField("to", "to", w(lang, "toPosition"), q.to)}`,
  request: (q) => ({ from_position: positionOf(q.from), to_position: positionOf(q.to) }),
  result: (messages, lang) => verifyResult(last(messages, "outcome"), lang),
};

const REPLAY: Check = {
  path: "replay", title: "replayCheck", method: "ReplayCheck",
  help: (lang) => html`${w(lang, "replayHelp")}`,
  fields: () => html``,
  request: () => ({}),
  result: (messages, lang) => replayResult(last(messages, "outcome"),
    messages.filter((m) => m.result === "difference").map((m) => m.difference as Message), lang),
};

export function registerCheckPages(router: Router): void {
  for (const check of [VERIFY, REPLAY]) {
    router.get(`/audit/${check.path}`, async (ctx, request) => checkPage(ctx, check, fieldsOf(request.query), html``));
    router.post(`/audit/${check.path}`, (ctx, request, reply) => runAndShow(ctx, check, request, reply));
    router.get(`/audit/${check.path}/stream`, (ctx, request, reply) => runAndStream(ctx, check, request, reply));
  }
}

function positionOf(text: string | undefined): string {
  return /^\d+$/.test(text ?? "") ? text! : "0";
}

function last(messages: Message[], kind: string): Message | undefined {
  return messages.filter((m) => m.result === kind).map((m) => m[kind] as Message).pop();
}

function checkPage(ctx: Context, check: Check, q: Query, result: Html): Html {
  const lang = ctx.lang;
  return auditPage(ctx, t(lang, check.title), html`<p class="muted" id="check-help">${check.help(lang)}</p>
<form method="post" action="/audit/${check.path}" class="search" id="check-form" aria-describedby="check-help"
  data-stream="/audit/${check.path}/stream" data-running="${w(lang, "running")}" data-progress="${w(lang, "progressOf")}">
  ${check.fields(lang, q)}
  <button type="submit">${t(lang, "run")}</button>
</form>
<div id="progress-box" class="progress-box" hidden>
  <label for="progress">${t(lang, "progress")}</label>
  <progress id="progress"></progress>
  <span id="progress-text" aria-live="polite"></span>
</div>
<p id="run-status" role="status" class="muted"></p>
<div id="result">${result}</div>`, ["audit.js"]);
}

// Runs a check on the daemon, message by message; `cancel` stops it.
function start(ctx: Context, check: Check, q: Query, onProgress: (p: Message) => void) {
  const messages: Message[] = [];
  const call = ctx.daemon.stream(ctx.session.token, "AuditService", check.method, check.request(q), (m) => {
    if (m.result === "progress") onProgress(m.progress as Message);
    else messages.push(m);
  });
  const result = call.done.then(() => check.result(messages, ctx.lang));
  return { result, cancel: call.cancel };
}

async function runAndShow(ctx: Context, check: Check, request: FastifyRequest, reply: FastifyReply): Promise<Html> {
  const q = fieldsOf(request.body);
  try {
    return checkPage(ctx, check, q, (await start(ctx, check, q, () => {}).result).html);
  } catch (e) {
    if (!(e instanceof DaemonError) || e.codeName === "UNAUTHENTICATED") throw e;
    reply.code(400);
    return checkPage(ctx, check, q, refusalBox(ctx.lang, e));
  }
}

async function runAndStream(ctx: Context, check: Check, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  const send = (event: string, data: object) => out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const run = start(ctx, check, fieldsOf(request.query), (p) => send("progress", { done: Number(p.done), total: Number(p.total) }));
  // The browser went away: stop the daemon's work too (a no-op once finished).
  out.on("close", run.cancel);
  let result: Result;
  try {
    result = await run.result;
  } catch (e) {
    const sentence = e instanceof DaemonError ? e.details : String(e);
    result = { html: e instanceof DaemonError ? refusalBox(ctx.lang, e) : alertBox(ctx.lang, "error", sentence), say: sentence };
  }
  if (!out.destroyed) send("result", { html: result.html.text, say: result.say });
  out.end();
}

function outcomeSection(lang: Lang, ok: boolean, headline: string, facts: Html, more: Html = html``): Html {
  return html`<section aria-labelledby="outcome-h" id="outcome"><h2 id="outcome-h">${t(lang, "outcome")}</h2>
<p class="${ok ? "notice" : "alert"}" id="outcome-text"><strong>${t(lang, ok ? "ok" : "broken")}:</strong> ${headline}</p>
<dl class="facts">${facts}</dl>${more}</section>`;
}

function verifyResult(o: Message | undefined, lang: Lang): Result {
  if (!o) return { html: alertBox(lang, "error", "no outcome"), say: "no outcome" };
  const bad = Number(o.first_bad_position ?? 0);
  const facts = html`<dt>${t(lang, "checked")}</dt><dd id="checked">${count(o.checked, lang)}</dd>
${bad ? html`<dt>${w(lang, "firstBadPosition")}</dt><dd id="first-bad">${bad}</dd>` : ""}
<dt>${t(lang, "chainHead")}</dt><dd id="chain-head">${hashCell(o.chain_head, true)}</dd>
<dt>${t(lang, "accessRecords")}</dt><dd id="access-records">${o.access_log_checked ? count(o.access_records, lang) : t(lang, "no")}</dd>`;
  return { html: outcomeSection(lang, Boolean(o.ok), o.message, facts), say: `${t(lang, o.ok ? "ok" : "broken")}: ${o.message}` };
}

function replayResult(o: Message | undefined, differences: Message[], lang: Lang): Result {
  if (!o) return { html: alertBox(lang, "error", "no outcome"), say: "no outcome" };
  const found = Number(o.differences ?? 0);
  const headline = `${t(lang, "streams")} ${count(o.streams, lang)}, ${t(lang, "events").toLowerCase()} ${count(o.events, lang)}, ${t(lang, "differences").toLowerCase()} ${count(found, lang)}`;
  const facts = html`<dt>${t(lang, "streams")}</dt><dd id="streams">${count(o.streams, lang)}</dd>
<dt>${t(lang, "events")}</dt><dd id="events">${count(o.events, lang)}</dd>
<dt>${t(lang, "differences")}</dt><dd id="differences-count">${count(found, lang)}</dd>`;
  const table = html`<h3>${t(lang, "differences")}</h3>${differences.length === 0 ? html`<p>${w(lang, "noDifferences")}</p>` : html`<table id="differences">
<thead><tr><th scope="col">${t(lang, "person")}</th><th scope="col">${w(lang, "what")}</th><th scope="col">${w(lang, "detail")}</th></tr></thead>
<tbody>${differences.map((d) => html`<tr><th scope="row"><a href="${historyHref(d.person_id)}">${d.person_id}</a></th>
<td>${d.what}</td><td>${d.detail}</td></tr>`)}</tbody></table>`}`;
  return { html: outcomeSection(lang, found === 0, headline, facts, table), say: `${t(lang, found === 0 ? "ok" : "broken")}: ${headline}` };
}
