// Audit (auditors): an index of the tools, each with a short form, and the
// tools themselves (read-only: the daemon logs every read of a person).
import type { Context, Router } from "../context.js";
import { html, type Html } from "../html.js";
import { t } from "../i18n.js";
import { auditPage, dateField, personField, w } from "./audit_common.js";
import { accessPage } from "./audit_access.js";
import { registerCheckPages } from "./audit_checks.js";
import { compliancePage } from "./audit_compliance.js";
import { asOfPage, historyPage } from "./audit_person.js";
import { statisticsPage } from "./audit_statistics.js";
import { daemonToday } from "./today.js";

export function registerAuditPages(router: Router): void {
  router.get("/audit", indexPage);
  router.get("/audit/history", historyPage);
  router.get("/audit/as-of", asOfPage);
  registerCheckPages(router);
  router.get("/audit/compliance", compliancePage);
  router.get("/audit/access", accessPage);
  router.get("/audit/statistics", statisticsPage);
}

async function indexPage(ctx: Context): Promise<Html> {
  const lang = ctx.lang;
  const today = await daemonToday(ctx);
  const tool = (id: string, heading: string, href: string, body: Html) =>
    html`<section aria-labelledby="${id}-h" class="tool"><h2 id="${id}-h"><a href="${href}">${heading}</a></h2>${body}</section>`;
  return auditPage(ctx, t(lang, "audit"), html`<div class="tools">
${tool("history", t(lang, "history"), "/audit/history", html`<form method="get" action="/audit/history" class="search">
  ${personField(lang, "history-person", "")}<button type="submit">${t(lang, "show")}</button></form>`)}
${tool("as-of", t(lang, "asOf"), "/audit/as-of", html`<form method="get" action="/audit/as-of" class="search">
  ${personField(lang, "as-of-person", "")}${dateField("as-of-date", "date", t(lang, "date"), today)}
  <button type="submit">${t(lang, "show")}</button></form>`)}
${tool("verify", t(lang, "verify"), "/audit/verify", html`<p class="muted">${w(lang, "verifyHelp")}</p>`)}
${tool("replay", t(lang, "replayCheck"), "/audit/replay", html`<p class="muted">${w(lang, "replayHelp")}</p>`)}
${tool("compliance", t(lang, "compliance"), "/audit/compliance", html`<form method="get" action="/audit/compliance" class="search">
  ${personField(lang, "compliance-person", "", false)}${dateField("compliance-from", "from", t(lang, "from"), "")}
  ${dateField("compliance-to", "to", t(lang, "to"), "")}<button type="submit">${t(lang, "run")}</button></form>
  <p class="muted">${w(lang, "everyoneHelp")}</p>`)}
${tool("access", t(lang, "accessLog"), "/audit/access", html`<form method="get" action="/audit/access" class="search">
  ${personField(lang, "access-person", "")}<button type="submit">${t(lang, "show")}</button></form>`)}
${tool("statistics", t(lang, "statistics"), "/audit/statistics", html`<form method="get" action="/audit/statistics" class="search">
  ${dateField("statistics-from", "from", t(lang, "from"), "")}${dateField("statistics-to", "to", t(lang, "to"), "")}
  <button type="submit">${t(lang, "show")}</button></form>`)}
</div>`);
}
