// Tasks (advisers, reception, police): a queue's list with the overdue first,
// claiming, my tasks, completing with an outcome and a note, handing back,
// and live updates when a task arrives.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context, Router } from "../context.js";
import { DaemonError, type Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { t, type Lang } from "../i18n.js";
import { alertBox, notice, page } from "../layout.js";
import { ruleText } from "../domain_text.js";
import { formatDue, timestampToDate } from "../format.js";
import { daemonNow } from "./today.js";

type Query = Record<string, string | undefined>;

// How often a live page asks for the queue's counts. Counts name no person,
// so asking writes nothing to the access log; the list itself is read (and
// logged) only when the counts change.
const LIVE_EVERY_MS = 1000;
const PAGE_SIZE = 50;

export function registerTaskPages(router: Router): void {
  router.get("/tasks", tasksPage);
  router.get("/tasks/list", listFragment);
  router.get("/tasks/live", liveCounts);
  router.post("/tasks/claim", (ctx, req, reply) => act(ctx, req, reply, "claim"));
  router.post("/tasks/complete", (ctx, req, reply) => act(ctx, req, reply, "complete"));
  router.post("/tasks/release", (ctx, req, reply) => act(ctx, req, reply, "release"));
}

async function queuesOf(ctx: Context): Promise<Message[]> {
  const summary = await ctx.call("TaskService", "QueueSummary", { queue: "" });
  return summary.queues as Message[];
}

function queueLink(queue: string, current: string, counts: Message | undefined, lang: Lang): Html {
  const label = counts ? ` (${t(lang, "counts", { open: counts.open, leased: counts.leased, overdue: counts.overdue })})` : "";
  return html`<li><a href="/tasks?queue=${encodeURIComponent(queue)}"${queue === current ? html` aria-current="true"` : ""}>${queue}</a>${label}</li>`;
}

async function tasksPage(ctx: Context, request: FastifyRequest): Promise<Html> {
  const q = request.query as Query;
  return renderTasks(ctx, q.queue ?? "", q.done ? notice(q.done) : html``, q.page_token ?? "");
}

async function renderTasks(ctx: Context, wanted: string, message: Html, pageToken = ""): Promise<Html> {
  const lang = ctx.lang;
  // The summary counts every task of the caller's queues (the slowest call
  // with a long queue): the others go alongside it.
  const [queues, now, mine] = await Promise.all([
    queuesOf(ctx), daemonNow(ctx), ctx.call("TaskService", "ListMine", {})]);
  const queue = wanted || (queues[0]?.queue as string) || "";
  const list = queue ? await queueTable(ctx, queue, now, pageToken) : html`<p>${t(lang, "noTasks")}</p>`;
  return page({
    lang, title: t(lang, "tasks"), section: "tasks", session: ctx.session, scripts: ["tasks.js"],
    body: html`${message}
<section aria-labelledby="mine-h"><h2 id="mine-h">${t(lang, "myTasks")}</h2>
${myTasks(mine.tasks as Message[], now, lang)}</section>
<section aria-labelledby="queue-h"><h2 id="queue-h">${t(lang, "queue")}: <span id="queue-name">${queue}</span></h2>
<nav aria-label="${t(lang, "queue")}"><ul class="queues">${queues.map((c) => queueLink(c.queue, queue, c, lang))}</ul></nav>
<p id="live-status" role="status" aria-live="polite" class="muted"></p>
<div id="queue-list" data-queue="${queue}">${list}</div>
</section>`,
  });
}

function isOverdue(task: Message, now: Date): boolean {
  const due = timestampToDate(task.due_time);
  return task.state !== "TASK_STATE_PAUSED" && due !== undefined && due < now;
}

// One page of the queue in the daemon's order (priority, overdue, earliest
// due), with the page's overdue ones first.
async function queueTable(ctx: Context, queue: string, now: Date, pageToken = ""): Promise<Html> {
  const lang = ctx.lang;
  const response = await ctx.call("TaskService", "ListTasks", { queue, page_size: PAGE_SIZE, page_token: pageToken });
  const tasks = response.tasks as Message[];
  const next = response.next_page_token as string;
  const sorted = [...tasks.filter((x) => isOverdue(x, now)), ...tasks.filter((x) => !isOverdue(x, now))];
  if (sorted.length === 0) return html`<p>${t(lang, "noTasks")}</p>`;
  return html`<table id="queue-tasks"><caption>${queue}</caption><thead><tr>
<th scope="col">${t(lang, "task")}</th><th scope="col">${t(lang, "person")}</th><th scope="col">${t(lang, "due")}</th>
<th scope="col">${t(lang, "priority")}</th><th scope="col">${t(lang, "rule")}</th><th scope="col">${t(lang, "state")}</th>
<th scope="col"><span class="visually-hidden">${t(lang, "claim")}</span></th></tr></thead>
<tbody>${sorted.map((task) => html`<tr>
<td>${task.title || ruleText(task.kind, lang)}</td>
<td><a href="/residents/${encodeURIComponent(task.stream_id)}">${task.stream_id}</a></td>
<td>${dueCell(task, now, lang)}</td><td>${task.priority}</td><td>${ruleText(task.rule, lang)} <span class="muted">(${task.policy_version})</span></td>
<td>${task.state === "TASK_STATE_LEASED" ? `${t(lang, "leasedBy")} ${task.lease_owner}` : stateWord(task.state, lang)}</td>
<td>${task.state === "TASK_STATE_OPEN" ? html`<form method="post" action="/tasks/claim" class="inline">
  <input type="hidden" name="person" value="${task.stream_id}"><input type="hidden" name="task" value="${task.id}">
  <input type="hidden" name="queue" value="${queue}">
  <button type="submit" aria-label="${t(lang, "claim")}: ${task.title} (${task.stream_id})">${t(lang, "claim")}</button></form>` : ""}</td>
</tr>`)}</tbody></table>
${next ? html`<p><a href="/tasks?${new URLSearchParams({ queue, page_token: next }).toString()}">${t(lang, "nextPage")}</a></p>` : ""}`;
}

function stateWord(state: string, lang: Lang): string {
  const words: Record<string, [string, string]> = {
    TASK_STATE_OPEN: ["åpen", "open"], TASK_STATE_LEASED: ["tatt", "held"],
    TASK_STATE_PAUSED: ["på vent", "paused"], TASK_STATE_DEAD_LETTER: ["feilet", "failed"],
  };
  const pair = words[state];
  return pair ? pair[lang === "nb" ? 0 : 1] : state;
}

function dueCell(task: Message, now: Date, lang: Lang): Html {
  const text = formatDue(task.due_time);
  return isOverdue(task, now) ? html`<span class="overdue">${text} (${t(lang, "overdue")})</span>` : html`${text}`;
}

function myTasks(tasks: Message[], now: Date, lang: Lang): Html {
  if (tasks.length === 0) return html`<p>${t(lang, "noTasks")}</p>`;
  return html`<ul class="my-tasks" id="my-tasks">${tasks.map((task) => {
    const id = `${task.stream_id}-${task.id}`.replace(/[^A-Za-z0-9_-]/g, "_");
    return html`<li><h3 id="h-${id}">${task.title || ruleText(task.kind, lang)} — <a href="/residents/${encodeURIComponent(task.stream_id)}">${task.stream_id}</a></h3>
<p>${t(lang, "due")}: ${dueCell(task, now, lang)} · ${t(lang, "rule")}: ${ruleText(task.rule, lang)} (${task.policy_version}) · ${t(lang, "queue")}: ${task.queue}</p>
<form method="post" action="/tasks/complete" class="record" aria-labelledby="h-${id}">
  <input type="hidden" name="person" value="${task.stream_id}"><input type="hidden" name="task" value="${task.id}">
  <input type="hidden" name="queue" value="${task.queue}">
  <div class="field"><label for="outcome-${id}">${t(lang, "outcome")}</label>
    <input id="outcome-${id}" name="outcome" list="outcomes" required maxlength="100"></div>
  <div class="field"><label for="note-${id}">${t(lang, "note")}</label>
    <textarea id="note-${id}" name="note" rows="2" maxlength="2000"></textarea></div>
  <button type="submit">${t(lang, "complete")}</button>
  <button type="submit" class="secondary" formaction="/tasks/release" formnovalidate>${t(lang, "handBack")}</button>
</form></li>`;
  })}</ul>
<datalist id="outcomes"><option value="held"><option value="relocated"><option value="referred"><option value="not reached"></datalist>`;
}

// Claim, complete or hand back; a refusal is shown in place, with the daemon's sentence.
async function act(ctx: Context, request: FastifyRequest, reply: FastifyReply,
                   action: "claim" | "complete" | "release"): Promise<Html | void> {
  const form = (request.body ?? {}) as Record<string, string>;
  const ref = { person_id: String(form.person ?? ""), task_id: String(form.task ?? ""), worker: "" };
  const queue = String(form.queue ?? "");
  try {
    if (action === "claim") await ctx.call("TaskService", "Claim", { task: ref });
    if (action === "release") await ctx.call("TaskService", "Release", { task: ref });
    if (action === "complete") {
      await ctx.call("TaskService", "Complete", {
        task: ref, outcome: String(form.outcome ?? "").trim(), note: String(form.note ?? "").trim(),
        idempotency_key: `console/${ref.person_id}/${ref.task_id}`,
      });
    }
  } catch (e) {
    if (!(e instanceof DaemonError)) throw e;
    reply.code(400);
    return renderTasks(ctx, queue, alertBox(ctx.lang, "refused", e.details));
  }
  const done = { claim: ["Oppgaven er din.", "The task is yours."], release: ["Oppgaven er lagt tilbake.", "The task is back in its queue."],
    complete: ["Oppgaven er fullført.", "The task is completed."] }[action][ctx.lang === "nb" ? 0 : 1];
  reply.redirect(`/tasks?${new URLSearchParams({ queue, done })}`, 303);
}

// The queue's table alone, for a live page to swap in.
async function listFragment(ctx: Context, request: FastifyRequest): Promise<Html> {
  const queue = (request.query as Query).queue ?? "";
  return queueTable(ctx, queue, await daemonNow(ctx));
}

// Server-sent events: the queue's counts, sent when they change.
async function liveCounts(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const queue = (request.query as Query).queue ?? "";
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" });
  let last = "";
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (ctx.session.ended) { // signed out: the token is no longer used
      out.end();
      return;
    }
    try {
      const summary = await ctx.call("TaskService", "QueueSummary", { queue });
      const counts = (summary.queues as Message[])[0] ?? { open: 0, leased: 0, overdue: 0 };
      const text = JSON.stringify({ open: counts.open, leased: counts.leased, overdue: counts.overdue, dead: counts.dead_lettered });
      if (text !== last) {
        out.write(`event: ${last ? "changed" : "ready"}\ndata: ${text}\n\n`);
        last = text;
      }
    } catch (e) {
      out.write(`event: refused\ndata: ${JSON.stringify(e instanceof DaemonError ? e.details : String(e))}\n\n`);
      stopped = true;
      out.end();
      return;
    }
    timer = setTimeout(tick, LIVE_EVERY_MS);
  };
  let timer = setTimeout(tick, 0);
  request.raw.on("close", () => { stopped = true; clearTimeout(timer); });
}
