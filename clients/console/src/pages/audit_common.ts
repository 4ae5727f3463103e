// What the audit pages share: their own words, form fields, day bounds in
// Oslo, hashes as hex, and a daemon refusal shown in place.

import type { FastifyReply } from "fastify";
import { httpStatus, type Context } from "../context.js";
import { DaemonError, type Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { fill, t, type Lang } from "../i18n.js";
import { alertBox, page } from "../layout.js";
import { dateToTimestamp, isoToCivilDate, osloDayStart, osloInstant } from "../format.js";

export type Query = Record<string, string | undefined>;

// The text fields of a query or a posted form, trimmed.
export function fieldsOf(values: unknown): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
    if (typeof value === "string") out[key] = value.trim();
  }
  return out;
}

const WORDS = {
  previousHash: { nb: "Forrige hash", en: "Previous hash" },
  showFullHashes: { nb: "Vis hele hashene", en: "Show full hashes" },
  showShortHashes: { nb: "Vis korte hasher", en: "Show short hashes" },
  asOfThis: { nb: "Løpet her", en: "Pathway here" },
  noEvents: { nb: "Ingen hendelser.", en: "No events." },
  positionInstead: { nb: "Eller posisjon i loggen", en: "Or position in the log" },
  asOfDay: { nb: "Slik løpet sto ved utgangen av {date} (versjon {version}, posisjon {position}).",
    en: "The pathway as it stood at the end of {date} (version {version}, position {position})." },
  asOfPosition: { nb: "Slik løpet sto ved posisjon {at} i loggen (versjon {version}).",
    en: "The pathway as it stood at position {at} of the log (version {version})." },
  fromPosition: { nb: "Fra posisjon", en: "From position" },
  toPosition: { nb: "Til posisjon", en: "To position" },
  wholeLogHelp: { nb: "Tomme felt: hele loggen, og da også tilgangsloggen.",
    en: "Empty fields: the whole log, and then the access log too." },
  firstBadPosition: { nb: "Første feil posisjon", en: "First bad position" },
  running: { nb: "Kjører …", en: "Running …" },
  progressOf: { nb: "{done} av {total}", en: "{done} of {total}" },
  noDifferences: { nb: "Ingen avvik.", en: "No differences." },
  what: { nb: "Hva", en: "What" },
  detail: { nb: "Detalj", en: "Detail" },
  replayHelp: { nb: "Spiller av hele loggen på nytt og sammenligner med det som er lagret.",
    en: "Replays the whole log and compares it with what is stored." },
  verifyHelp: { nb: "Kontrollerer hashene og kjeden i hendelsesloggen.",
    en: "Checks the hashes and the chain of the event log." },
  everyoneHelp: { nb: "Tomt saksnummer: alle personer.", en: "Empty case number: everyone." },
  statisticsCompared: { nb: "Statistikken ble også talt opp på nytt og sammenlignet.",
    en: "The statistics were also recounted and compared." },
  at: { nb: "Tidspunkt", en: "At" },
  positions: { nb: "Posisjoner", en: "Positions" },
  records: { nb: "Tilgangsposter", en: "Access records" },
  noRecords: { nb: "Ingen tilgangsposter.", en: "No access records." },
  firstPage: { nb: "Første side", en: "First page" },
  sequence: { nb: "Løpenr.", en: "Seq." },
  newestFirst: { nb: "Nyeste først.", en: "Newest first." },
  noCounts: { nb: "Ingen tall i perioden.", en: "No counts in the period." },
  chartSummary: { nb: "{title}: {n} stolper, totalt {total}. Størst: {label} med {count}.",
    en: "{title}: {n} bars, total {total}. Largest: {label} with {count}." },
  summary: { nb: "Sammendrag", en: "Summary" },
  byRule: { nb: "Per regel", en: "By rule" },
} as const;

export type AuditWord = keyof typeof WORDS;

export function w(lang: Lang, word: AuditWord, vars?: Record<string, string | number>): string {
  return fill(WORDS[word][lang], vars);
}

const ROLES: Record<string, { nb: string; en: string }> = {
  ROLE_RECEPTION: { nb: "mottak", en: "reception" },
  ROLE_ADVISER: { nb: "returrådgiver", en: "return adviser" },
  ROLE_POLICE: { nb: "politi", en: "police" },
  ROLE_AUDITOR: { nb: "revisor", en: "auditor" },
  ROLE_ADMIN: { nb: "administrator", en: "administrator" },
};

export function roleText(role: string, lang: Lang): string {
  return ROLES[role]?.[lang] ?? role.replace(/^ROLE_/, "").toLowerCase();
}

// An audit page: the section, the signed-in user, and the audit styles.
export function auditPage(ctx: Context, title: string, body: Html, scripts?: string[]): Html {
  return page({
    lang: ctx.lang, title, section: "audit", session: ctx.session, scripts,
    body: html`<link rel="stylesheet" href="/static/audit.css">${body}`,
  });
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; refusal: Html };

// A daemon call whose refusal (out of scope, not found, a bad range) is shown
// in place with the daemon's sentence; a lost session still signs out.
export async function attempt<T>(ctx: Context, reply: FastifyReply, work: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    if (!(e instanceof DaemonError) || e.codeName === "UNAUTHENTICATED") throw e;
    reply.code(httpStatus(e));
    return { ok: false, refusal: refusalBox(ctx.lang, e) };
  }
}

export function refusalBox(lang: Lang, e: DaemonError): Html {
  return alertBox(lang, e.codeName === "NOT_FOUND" ? "notFound" : "refused", e.details);
}

export function personField(lang: Lang, id: string, value: string | undefined, required = true): Html {
  return html`<div class="field"><label for="${id}">${t(lang, "personId")}</label>
  <input id="${id}" name="person" value="${value ?? ""}" autocomplete="off"${required ? html` required` : ""}></div>`;
}

export function dateField(id: string, name: string, label: string, value: string | undefined): Html {
  return html`<div class="field"><label for="${id}">${label}</label>
  <input id="${id}" name="${name}" type="date" value="${value ?? ""}"></div>`;
}

export function numberField(id: string, name: string, label: string, value: string | undefined): Html {
  return html`<div class="field"><label for="${id}">${label}</label>
  <input id="${id}" name="${name}" type="number" min="1" step="1" inputmode="numeric" value="${value ?? ""}"></div>`;
}

// "/audit/access?person=P-1&page_token=…"
export function href(path: string, params: Record<string, string>, anchor = ""): string {
  return `${path}?${new URLSearchParams(params).toString()}${anchor ? `#${anchor}` : ""}`;
}

export function historyHref(person: string, anchor = ""): string {
  return href("/audit/history", { person }, anchor);
}

// yyyy-mm-dd of the day after.
function nextDay(iso: string): string {
  const d = isoToCivilDate(iso);
  if (!d) return "";
  return new Date(Date.UTC(d.year, d.month - 1, d.day + 1)).toISOString().slice(0, 10);
}

// The end of a day in Oslo: the last millisecond before the next one starts.
export function dayEnd(iso: string | undefined): Message | undefined {
  const next = iso ? osloInstant(nextDay(iso), 0) : undefined;
  return next ? dateToTimestamp(new Date(next.getTime() - 1)) : undefined;
}

// A form's [from, to] with `to` inclusive, as the daemon's [from, to).
export function dayRange(from: string | undefined, to: string | undefined): { from?: Message; to?: Message } {
  return { from: osloDayStart(from), to: to ? osloDayStart(nextDay(to)) : undefined };
}

// Bytes as the loader gives them (Buffer, or base64 text) as lowercase hex.
export function hex(bytes: unknown): string {
  if (bytes instanceof Uint8Array) return Buffer.from(bytes).toString("hex");
  if (typeof bytes === "string") return Buffer.from(bytes, "base64").toString("hex");
  return "";
}

// A hash shortened to its first 12 digits, the whole in its title; `full`
// shows every digit (to copy or compare).
export function hashCell(value: unknown, full: boolean): Html {
  const digits = hex(value);
  if (!digits) return html`<span class="muted">—</span>`;
  if (full) return html`<code class="hash full">${digits}</code>`;
  return html`<code class="hash" title="${digits}">${digits.slice(0, 12)}…</code>`;
}

export function count(value: unknown, lang: Lang): string {
  return Number(value ?? 0).toLocaleString(lang === "nb" ? "nb-NO" : "en-GB");
}
