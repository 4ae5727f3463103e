// One person for an auditor: every event with its hashes (History), and the
// pathway as it stood at the end of a day or at a position (PathwayAsOf).

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import type { Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { t, type Lang } from "../i18n.js";
import { eventText, payloadDetails, payloadKind } from "../domain_text.js";
import { formatCivilDate, formatTimestamp, isoToCivilDate } from "../format.js";
import {
  attempt, auditPage, dateField, dayEnd, hashCell, historyHref, href, numberField, personField, fieldsOf, w,
} from "./audit_common.js";
import { pathwaySections } from "./resident_view.js";
import { daemonToday } from "./today.js";

export async function historyPage(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Html> {
  const lang = ctx.lang;
  const q = fieldsOf(request.query);
  const person = q.person ?? "";
  const full = q.hashes === "full";
  const form = html`<form method="get" action="/audit/history" class="search">
  ${personField(lang, "person", person)}
  <button type="submit">${t(lang, "show")}</button>
</form>`;
  const title = person ? `${t(lang, "history")}: ${person}` : t(lang, "history");
  if (!person) return auditPage(ctx, title, form);
  const events = await attempt(ctx, reply,
    () => ctx.collect("AuditService", "History", { person_id: person }));
  if (!events.ok) return auditPage(ctx, title, html`${form}${events.refusal}`);
  const toggle = href("/audit/history", full ? { person } : { person, hashes: "full" });
  return auditPage(ctx, title, html`${form}
<section aria-labelledby="events-h"><h2 id="events-h">${t(lang, "events")} (${events.value.length})</h2>
<p><a href="${toggle}">${w(lang, full ? "showShortHashes" : "showFullHashes")}</a>
 · <a href="${href("/audit/as-of", { person })}">${t(lang, "asOf")}</a>
 · <a href="${href("/audit/access", { person })}">${t(lang, "accessLog")}</a></p>
${events.value.length ? eventTable(person, events.value, full, lang) : html`<p>${w(lang, "noEvents")}</p>`}
</section>`);
}

function eventTable(person: string, events: Message[], full: boolean, lang: Lang): Html {
  return html`<div class="wide"><table id="history" class="history">
<thead><tr><th scope="col">${t(lang, "position")}</th><th scope="col">${t(lang, "version")}</th>
<th scope="col">${t(lang, "effective")}</th><th scope="col">${t(lang, "recorded")}</th><th scope="col">${t(lang, "by")}</th>
<th scope="col">${t(lang, "policyVersion")}</th><th scope="col">${t(lang, "eventKind")}</th>
<th scope="col">${t(lang, "hash")}</th><th scope="col">${w(lang, "previousHash")}</th></tr></thead>
<tbody>${events.map((e) => {
    const kind = payloadKind(e.payload);
    const details = payloadDetails(e.payload, lang);
    const asOf = href("/audit/as-of", { person, position: String(e.position) });
    return html`<tr>
<th scope="row" id="p${e.position}"><a href="${asOf}" title="${w(lang, "asOfThis")}">${e.position}</a></th>
<td id="v${e.stream_version}">${e.stream_version}</td>
<td>${formatTimestamp(e.effective_time)}</td><td>${formatTimestamp(e.recorded_time)}</td>
<td>${e.principal}</td><td>${e.policy_version}</td>
<td><strong>${eventText(kind, lang)}</strong>${e.erased ? html` <em class="erased">(${t(lang, "erased")})</em>` : ""}${details ? html`<br><span class="muted">${details}</span>` : ""}</td>
<td>${hashCell(e.hash, full)}</td><td>${hashCell(e.previous_hash, full)}</td>
</tr>`;
  })}</tbody></table></div>`;
}

export async function asOfPage(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Html> {
  const lang = ctx.lang;
  const q = fieldsOf(request.query);
  const person = q.person ?? "";
  const position = /^\d+$/.test(q.position ?? "") ? q.position! : "";
  const date = q.date || (position ? "" : await daemonToday(ctx));
  const form = html`<form method="get" action="/audit/as-of" class="search">
  ${personField(lang, "person", person)}
  ${dateField("date", "date", t(lang, "date"), date)}
  ${numberField("position", "position", w(lang, "positionInstead"), position)}
  <button type="submit">${t(lang, "show")}</button>
</form>`;
  const title = person ? `${t(lang, "asOf")}: ${person}` : t(lang, "asOf");
  if (!person) return auditPage(ctx, title, form);
  const at = position ? { position } : { effective_time: dayEnd(date) };
  const view = await attempt(ctx, reply,
    () => ctx.call("AuditService", "PathwayAsOf", { person_id: person, ...at }));
  if (!view.ok) return auditPage(ctx, title, html`${form}${view.refusal}`);
  const v = view.value;
  const when = position
    ? w(lang, "asOfPosition", { at: position, version: v.version })
    : w(lang, "asOfDay", { date: formatCivilDate(isoToCivilDate(date)), version: v.version, position: v.last_position });
  return auditPage(ctx, title, html`${form}
<p id="as-of-when"><strong>${when}</strong> <a href="${historyHref(person)}">${t(lang, "history")}</a></p>
${pathwaySections(v, lang, (version) => historyHref(person, `v${version}`))}`);
}
