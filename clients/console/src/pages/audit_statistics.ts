// Statistics: counts by month, by kind and by nationality, each as a bar
// chart drawn on the server (SVG) beside the table it is drawn from; the
// table is the accessible version, the chart's title sums it up.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import type { Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { t, type Lang, type Word } from "../i18n.js";
import { attempt, auditPage, count, dateField, dayRange, fieldsOf, w } from "./audit_common.js";

const CATEGORIES: Record<string, { nb: string; en: string }> = {
  final_rejection: { nb: "Endelig avslag", en: "Final rejection" },
  assisted_return: { nb: "Assistert retur", en: "Assisted return" },
  forced_return: { nb: "Uttransportering", en: "Forced return" },
  dublin_transfer: { nb: "Dublin-overføring", en: "Dublin transfer" },
  disappeared: { nb: "Forsvunnet", en: "Disappeared" },
  reappeared: { nb: "Kommet tilbake", en: "Reappeared" },
  iom_application: { nb: "IOM-søknad", en: "IOM application" },
  permit_granted: { nb: "Oppholdstillatelse", en: "Residence permit" },
};

interface Bar { label: string; count: number }

export async function statisticsPage(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<Html> {
  const lang = ctx.lang;
  const q = fieldsOf(request.query);
  const form = html`<form method="get" action="/audit/statistics" class="search">
  ${dateField("from", "from", t(lang, "from"), q.from)}
  ${dateField("to", "to", t(lang, "to"), q.to)}
  <button type="submit">${t(lang, "show")}</button>
</form>`;
  const title = t(lang, "statistics");
  const response = await attempt(ctx, reply, () => ctx.call("AuditService", "Statistics", dayRange(q.from, q.to)));
  if (!response.ok) return auditPage(ctx, title, html`${form}${response.refusal}`);
  const rows = (response.value.rows as Message[]) ?? [];
  if (rows.length === 0) return auditPage(ctx, title, html`${form}<p>${w(lang, "noCounts")}</p>`);
  const months = sum(rows, (r) => r.month).sort((a, b) => a[0].localeCompare(b[0]));
  const kinds = largestFirst(sum(rows, (r) => r.category).map(([k, n]) => ({ label: CATEGORIES[k]?.[lang] ?? k.replace(/_/g, " "), count: n })));
  const groups = largestFirst(sum(rows, (r) => r.group).map(([k, n]) => ({ label: k || "—", count: n })));
  return auditPage(ctx, title, html`${form}
<p>${t(lang, "total")}: <strong id="statistics-total">${count(rows.reduce((n, r) => n + Number(r.count), 0), lang)}</strong></p>
${chartSection("months", "byMonth", "month", months.map(([k, n]) => ({ label: monthText(k, lang), count: n })), lang)}
${chartSection("kinds", "byKind", "category", kinds, lang)}
${chartSection("groups", "byNationality", "group", groups, lang)}`);
}

function sum(rows: Message[], key: (row: Message) => string): [string, number][] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(key(row), (totals.get(key(row)) ?? 0) + Number(row.count));
  return [...totals];
}

function largestFirst(bars: Bar[]): Bar[] {
  return bars.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

// "2026-03" -> "mars 2026" / "March 2026".
function monthText(month: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  return new Intl.DateTimeFormat(lang === "nb" ? "nb-NO" : "en-GB", { month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)));
}

function chartSection(id: string, heading: Word, column: Word, bars: Bar[], lang: Lang): Html {
  const total = bars.reduce((n, b) => n + b.count, 0);
  return html`<section aria-labelledby="${id}-h" class="statistics"><h2 id="${id}-h">${t(lang, heading)}</h2>
<div class="chart-row">
<figure class="chart">${barChart(id, t(lang, heading), bars, lang)}</figure>
<table id="${id}-table" class="narrow">
<thead><tr><th scope="col">${t(lang, column)}</th><th scope="col" class="num">${t(lang, "count")}</th></tr></thead>
<tbody>${bars.map((b) => html`<tr><th scope="row">${b.label}</th><td class="num">${count(b.count, lang)}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row">${t(lang, "total")}</th><td class="num">${count(total, lang)}</td></tr></tfoot>
</table></div></section>`;
}

// Horizontal bars, one per row of the table, longest = the largest count.
function barChart(id: string, title: string, bars: Bar[], lang: Lang): Html {
  const width = 600, labelWidth = 170, rowHeight = 28, room = width - labelWidth - 60;
  const height = bars.length * rowHeight + 8;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const largest = bars.reduce((a, b) => (b.count > a.count ? b : a), bars[0]);
  const summary = w(lang, "chartSummary", {
    title, n: bars.length, total: count(bars.reduce((n, b) => n + b.count, 0), lang),
    label: largest.label, count: count(largest.count, lang),
  });
  return html`<svg id="${id}-chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title" focusable="false">
<title id="${id}-title">${summary}</title>
<line class="axis" x1="${labelWidth}" y1="0" x2="${labelWidth}" y2="${height}"></line>
${bars.map((b, i) => {
    const y = 4 + i * rowHeight;
    const length = Math.max(2, (b.count / max) * room);
    return html`<text x="${labelWidth - 8}" y="${y + rowHeight / 2}" text-anchor="end" dominant-baseline="middle">${b.label}</text>
<rect class="bar" x="${labelWidth}" y="${y + 5}" width="${length.toFixed(1)}" height="${rowHeight - 10}"></rect>
<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + rowHeight / 2}" dominant-baseline="middle">${count(b.count, lang)}</text>`;
  })}
</svg>`;
}
