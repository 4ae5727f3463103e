// The access log of a person: who read their data, when, how and why,
// newest first, a page at a time.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import type { Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { t, type Lang } from "../i18n.js";
import { formatTimestamp } from "../format.js";
import { attempt, auditPage, fieldsOf, historyHref, href, personField, roleText, w } from "./audit_common.js";

const PAGE_SIZE = 50;

export async function accessPage(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Html> {
  const lang = ctx.lang;
  const q = fieldsOf(request.query);
  const person = q.person ?? "";
  const form = html`<form method="get" action="/audit/access" class="search">
  ${personField(lang, "person", person)}
  <button type="submit">${t(lang, "show")}</button>
</form>`;
  const title = person ? `${t(lang, "accessLog")}: ${person}` : t(lang, "accessLog");
  if (!person) return auditPage(ctx, title, form);
  const response = await attempt(ctx, reply, () => ctx.call("AuditService", "AccessLog",
    { person_id: person, limit: PAGE_SIZE, page_token: q.page_token ?? "" }));
  if (!response.ok) return auditPage(ctx, title, html`${form}${response.refusal}`);
  const records = response.value.records as Message[];
  const next = response.value.next_page_token as string;
  return auditPage(ctx, title, html`${form}
<section aria-labelledby="records-h"><h2 id="records-h">${w(lang, "records")} (${records.length})</h2>
<p class="muted">${w(lang, "newestFirst")} <a href="${historyHref(person)}">${t(lang, "history")}</a></p>
${records.length ? recordTable(records, lang) : html`<p>${w(lang, "noRecords")}</p>`}
<p>${q.page_token ? html`<a href="${href("/audit/access", { person })}">${w(lang, "firstPage")}</a> ` : ""}
${next ? html`<a href="${href("/audit/access", { person, page_token: next })}" rel="next">${t(lang, "nextPage")}</a>` : ""}</p>
</section>`);
}

function recordTable(records: Message[], lang: Lang): Html {
  return html`<table id="access-records">
<thead><tr><th scope="col">${t(lang, "time")}</th><th scope="col">${t(lang, "who")}</th><th scope="col">${t(lang, "role")}</th>
<th scope="col">${t(lang, "method")}</th><th scope="col">${t(lang, "purpose")}</th><th scope="col" class="num">${w(lang, "sequence")}</th></tr></thead>
<tbody>${records.map((r) => html`<tr><th scope="row">${formatTimestamp(r.time)}</th><td>${r.principal}</td>
<td>${roleText(r.role, lang)}</td><td><code>${r.method}</code></td><td>${r.purpose}</td><td class="num">${r.sequence}</td></tr>`)}</tbody>
</table>`;
}
