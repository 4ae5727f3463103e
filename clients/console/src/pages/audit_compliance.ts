// Compliance: the rules a history broke, for one person or everyone, with
// the events behind each finding, and the summary by rule.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import type { Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { t, type Lang } from "../i18n.js";
import { RULES, ruleText } from "../domain_text.js";
import { formatTimestamp } from "../format.js";
import { attempt, auditPage, count, dateField, dayRange, fieldsOf, historyHref, personField, w } from "./audit_common.js";

export async function compliancePage(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Html> {
  const lang = ctx.lang;
  const q = fieldsOf(request.query);
  const form = html`<form method="get" action="/audit/compliance" class="search" aria-describedby="everyone-help">
  ${personField(lang, "person", q.person, false)}
  ${dateField("from", "from", t(lang, "from"), q.from)}
  ${dateField("to", "to", t(lang, "to"), q.to)}
  <button type="submit">${t(lang, "run")}</button>
</form>
<p class="muted" id="everyone-help">${w(lang, "everyoneHelp")}</p>`;
  const title = t(lang, "compliance");
  // A check over everyone is not cheap: it runs when the form is sent.
  if (!("person" in q)) return auditPage(ctx, title, form);
  const run = await attempt(ctx, reply, () =>
    ctx.collect("AuditService", "Compliance", { person_id: q.person, ...dayRange(q.from, q.to) }));
  if (!run.ok) return auditPage(ctx, title, html`${form}${run.refusal}`);
  const findings = run.value.filter((m) => m.result === "finding").map((m) => m.finding as Message);
  const summary = run.value.find((m) => m.result === "summary")?.summary as Message | undefined;
  return auditPage(ctx, title, html`${form}
${summary ? summarySection(summary, lang) : ""}
<section aria-labelledby="findings-h"><h2 id="findings-h">${t(lang, "findings")} (${findings.length})</h2>
${findings.length ? findingTable(findings, lang) : html`<p>${t(lang, "noFindings")}</p>`}</section>`);
}

function summarySection(s: Message, lang: Lang): Html {
  const byRule = (s.by_rule as Message[]) ?? [];
  return html`<section aria-labelledby="summary-h" id="summary"><h2 id="summary-h">${w(lang, "summary")}</h2>
<dl class="facts">
  <dt>${t(lang, "persons")}</dt><dd id="summary-persons">${count(s.persons, lang)}</dd>
  <dt>${t(lang, "events")}</dt><dd id="summary-events">${count(s.events, lang)}</dd>
  <dt>${t(lang, "findings")}</dt><dd id="summary-findings">${count(s.findings, lang)}</dd>
</dl>
${s.statistics_compared ? html`<p>${w(lang, "statisticsCompared")}</p>` : ""}
${byRule.length ? html`<table id="by-rule" class="narrow"><caption>${w(lang, "byRule")}</caption>
<thead><tr><th scope="col">${t(lang, "rule")}</th><th scope="col" class="num">${t(lang, "findings")}</th></tr></thead>
<tbody>${byRule.map((r) => html`<tr><th scope="row">${ruleCell(r.rule, lang)}</th><td class="num">${count(r.findings, lang)}</td></tr>`)}</tbody>
</table>` : ""}</section>`;
}

function findingTable(findings: Message[], lang: Lang): Html {
  return html`<div class="wide"><table id="findings">
<thead><tr><th scope="col">${t(lang, "person")}</th><th scope="col">${t(lang, "rule")}</th><th scope="col">${t(lang, "policyVersion")}</th>
<th scope="col">${w(lang, "positions")}</th><th scope="col">${t(lang, "dates")}</th><th scope="col" class="num">${t(lang, "daysLate")}</th>
<th scope="col">${t(lang, "who")}</th><th scope="col">${t(lang, "message")}</th></tr></thead>
<tbody>${findings.map((f) => html`<tr>
<th scope="row">${f.person_id ? html`<a href="${historyHref(f.person_id)}">${f.person_id}</a>` : "—"}</th>
<td>${ruleCell(f.rule, lang)}</td><td>${f.policy_version}</td>
<td>${((f.positions as string[]) ?? []).map((p, i) => html`${i ? ", " : ""}${f.person_id ? html`<a href="${historyHref(f.person_id, `p${p}`)}">${p}</a>` : p}`)}</td>
<td>${((f.dates as string[]) ?? []).join("; ")}${f.at ? html`<br><span class="muted">${w(lang, "at")} ${formatTimestamp(f.at)}</span>` : ""}</td>
<td class="num">${Number(f.days_late) ? f.days_late : ""}</td>
<td>${t(lang, f.by_system ? "bySystem" : "byPeople")}</td><td>${f.message}</td>
</tr>`)}</tbody></table></div>`;
}

// The checker's rule names are its own; the pathway's rules have words too.
function ruleCell(rule: string, lang: Lang): Html {
  return RULES[rule] ? html`${ruleText(rule, lang)} <code>${rule}</code>` : html`<code>${rule}</code>`;
}
