// Residents (reception): search, a resident's page, recording an event, and
// registering a resident.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context, Router } from "../context.js";
import { DaemonError, type Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { t } from "../i18n.js";
import { alertBox, notice, page } from "../layout.js";
import { STAGES, stageText } from "../domain_text.js";
import { formatCivilDate, isoToCivilDate } from "../format.js";
import { fieldInputs, isRecordable, kindOptions, messageFromForm } from "./event_form.js";
import { residentBody } from "./resident_view.js";
import { daemonToday, effectiveTimeOf } from "./today.js";

type Query = Record<string, string | undefined>;

const PAGE_SIZE = 50;

export function registerResidentPages(router: Router): void {
  router.get("/residents", searchPage);
  router.get("/residents/:id", residentPage);
  router.post("/residents/:id/events", recordEvent);
  router.get("/register", registerPage);
  router.post("/register", register);
}

function indexValue(view: Message, prefix: string): string {
  const key = (view.index_keys as string[]).find((k) => k.startsWith(prefix));
  return key ? key.slice(prefix.length) : "";
}

// The daemon's listing takes one index prefix or one range of keys: the
// narrowest of the filters goes to it, the others are applied to its page.
function listingRequest(q: Query): Message {
  if (q.due_from || q.due_to) {
    return { from_key: `due/${q.due_from || "0000-00-00"}`, to_key: `due/${q.due_to || "9999-99-99"}` };
  }
  if (q.centre) return { index_prefix: `centre/${q.centre}` };
  if (q.stage) return { index_prefix: `stage/${q.stage}` };
  return { index_prefix: "stage/" };
}

function matches(view: Message, q: Query): boolean {
  if (q.centre && indexValue(view, "centre/") !== q.centre) return false;
  if (q.stage && indexValue(view, "stage/") !== q.stage) return false;
  return true;
}

async function searchPage(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Html | void> {
  const q = request.query as Query;
  const lang = ctx.lang;
  let results: Html = html``;
  let refusal: Html = html``;
  if (q.case) {
    try {
      await ctx.call("PathwayService", "GetPathway", { person_id: q.case.trim() });
      return reply.redirect(`/residents/${encodeURIComponent(q.case.trim())}`, 303);
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      refusal = alertBox(lang, e.codeName === "NOT_FOUND" ? "notFound" : "refused", e.details);
    }
  } else {
    const response = await ctx.call("PathwayService", "ListPathways",
      { ...listingRequest(q), page_size: PAGE_SIZE, page_token: q.page_token ?? "" });
    const views = (response.pathways as Message[]).filter((v) => matches(v, q));
    const next = response.next_page_token as string;
    const nextQuery = new URLSearchParams({ ...stripEmpty(q), page_token: next }).toString();
    results = html`<table>
  <caption>${t(lang, "residents")} (${views.length})</caption>
  <thead><tr><th scope="col">${t(lang, "caseNumber")}</th><th scope="col">${t(lang, "stage")}</th>
    <th scope="col">${t(lang, "centre")}</th><th scope="col">${t(lang, "region")}</th>
    <th scope="col">${t(lang, "nextDue")}</th><th scope="col">${t(lang, "openTasks")}</th></tr></thead>
  <tbody>${views.map((v) => html`<tr>
    <td><a href="/residents/${encodeURIComponent(v.person_id)}">${v.person_id}</a></td>
    <td>${stageText(`STAGE_${indexValue(v, "stage/")}`, lang)}</td>
    <td>${indexValue(v, "centre/")}</td><td>${indexValue(v, "region/")}</td>
    <td>${dueText(indexValue(v, "due/"))}</td><td>${(v.open_tasks as Message[]).length}</td></tr>`)}</tbody>
</table>
${views.length === 0 ? html`<p>${t(lang, "noResidents")}</p>` : ""}
${next ? html`<p><a href="/residents?${nextQuery}">${t(lang, "nextPage")}</a></p>` : ""}`;
  }
  const stages = Object.keys(STAGES).map((s) => s.replace(/^STAGE_/, ""));
  return page({
    lang, title: t(lang, "residents"), section: "residents", session: ctx.session,
    body: html`<form method="get" action="/residents" class="search" role="search">
  <div class="field"><label for="case">${t(lang, "caseNumber")}</label><input id="case" name="case" value="${q.case ?? ""}"></div>
  <div class="field"><label for="centre">${t(lang, "centre")}</label><input id="centre" name="centre" value="${q.centre ?? ""}"></div>
  <div class="field"><label for="stage">${t(lang, "stage")}</label><select id="stage" name="stage">
    <option value="">${t(lang, "anyStage")}</option>
    ${stages.map((s) => html`<option value="${s}"${q.stage === s ? html` selected` : ""}>${stageText(`STAGE_${s}`, lang)}</option>`)}
  </select></div>
  <div class="field"><label for="due_from">${t(lang, "dueFrom")}</label><input id="due_from" name="due_from" type="date" value="${q.due_from ?? ""}"></div>
  <div class="field"><label for="due_to">${t(lang, "dueTo")}</label><input id="due_to" name="due_to" type="date" value="${q.due_to ?? ""}"></div>
  <button type="submit">${t(lang, "search")}</button>
</form>
<p class="muted">${t(lang, "noNames")} <a href="/register">${t(lang, "registerResident")}</a></p>
${refusal}${results}`,
  });
}

function dueText(iso: string): string {
  return formatCivilDate(isoToCivilDate(iso));
}

function stripEmpty(q: Query): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (v && k !== "page_token") out[k] = v;
  return out;
}

async function residentPage(ctx: Context, request: FastifyRequest): Promise<Html> {
  const id = (request.params as { id: string }).id;
  const q = request.query as Query;
  return renderResident(ctx, id, q.record ?? "", {}, q.recorded ? notice(t(ctx.lang, "recordedOk")) : html``);
}

async function renderResident(ctx: Context, id: string, kind: string, values: Record<string, string>,
                              message: Html): Promise<Html> {
  const lang = ctx.lang;
  const today = await daemonToday(ctx);
  const body = await residentBody(ctx, id);
  const chosen = isRecordable(kind) ? kind : "";
  const form = html`<section aria-labelledby="record-h">
  <h2 id="record-h">${t(lang, "recordEvent")}</h2>
  ${message}
  <form method="get" action="/residents/${encodeURIComponent(id)}#record-h" class="search">
    <div class="field"><label for="record-kind">${t(lang, "eventKind")}</label>
      <select id="record-kind" name="record">${kindOptions(lang, chosen)}</select></div>
    <button type="submit" class="secondary">${t(lang, "show")}</button>
  </form>
  ${chosen ? html`<form method="post" action="/residents/${encodeURIComponent(id)}/events" class="record" id="record-form">
    <input type="hidden" name="kind" value="${chosen}">
    <div class="field"><label for="effective_date">${t(lang, "effectiveDate")}</label>
      <input id="effective_date" name="effective_date" type="date" required max="${today}" value="${values.effective_date ?? today}"></div>
    ${fieldInputs(ctx.daemon, `returnpath.v1.${chosen}`, lang, "", values)}
    <input type="hidden" name="expected_version" value="${values.expected_version ?? ""}">
    <button type="submit">${t(lang, "record")}</button>
  </form>` : ""}
</section>`;
  return page({ lang, title: `${t(lang, "pathway")} ${id}`, section: "residents", session: ctx.session,
    body: html`${body}${form}` });
}

async function recordEvent(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Html | void> {
  const id = (request.params as { id: string }).id;
  const form = (request.body ?? {}) as Record<string, string>;
  const kind = String(form.kind ?? "");
  if (!isRecordable(kind)) {
    return renderResident(ctx, id, "", form, alertBox(ctx.lang, "refused", `kind: "${kind}" is not an event the console records`));
  }
  try {
    await ctx.call("PathwayService", "RecordEvent", {
      person_id: id,
      event: { "@type": `type.googleapis.com/returnpath.v1.${kind}`, ...messageFromForm(ctx.daemon, `returnpath.v1.${kind}`, form) },
      effective_time: await effectiveTimeOf(ctx, String(form.effective_date ?? "")),
      idempotency_key: String(form.idempotency_key ?? ""),
    });
  } catch (e) {
    if (!(e instanceof DaemonError)) throw e;
    reply.code(400);
    return renderResident(ctx, id, kind, form, alertBox(ctx.lang, "refused", e.details));
  }
  reply.redirect(`/residents/${encodeURIComponent(id)}?recorded=1`, 303);
}

async function registerPage(ctx: Context): Promise<Html> {
  return renderRegister(ctx, {}, html``);
}

async function renderRegister(ctx: Context, values: Record<string, string>, message: Html): Promise<Html> {
  const lang = ctx.lang;
  const today = await daemonToday(ctx);
  return page({ lang, title: t(lang, "registerResident"), section: "residents", session: ctx.session,
    body: html`${message}<form method="post" action="/register" class="record" id="register-form">
  ${fieldInputs(ctx.daemon, "returnpath.v1.PersonRegistered", lang, "", values)}
  <div class="field"><label for="effective_date">${t(lang, "effectiveDate")}</label>
    <input id="effective_date" name="effective_date" type="date" required max="${today}" value="${values.effective_date ?? today}"></div>
  <button type="submit">${t(lang, "record")}</button>
</form>` });
}

async function register(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Html | void> {
  const form = (request.body ?? {}) as Record<string, string>;
  const event = messageFromForm(ctx.daemon, "returnpath.v1.PersonRegistered", form);
  const id = String(event.person_id ?? "");
  try {
    await ctx.call("PathwayService", "RecordEvent", {
      person_id: id,
      event: { "@type": "type.googleapis.com/returnpath.v1.PersonRegistered", ...event },
      effective_time: await effectiveTimeOf(ctx, String(form.effective_date ?? "")),
      expected_version: "0",
    });
  } catch (e) {
    if (!(e instanceof DaemonError)) throw e;
    reply.code(400);
    return renderRegister(ctx, form, alertBox(ctx.lang, "refused", e.details));
  }
  reply.redirect(`/residents/${encodeURIComponent(id)}?recorded=1`, 303);
}
