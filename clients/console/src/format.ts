// Dates as dd.mm.yyyy in Europe/Oslo, money as "kr 20 000".

import type { Message } from "./daemon.js";

const OSLO = "Europe/Oslo";

const dateFormat = new Intl.DateTimeFormat("nb-NO", {
  timeZone: OSLO, day: "2-digit", month: "2-digit", year: "numeric",
});
const timeFormat = new Intl.DateTimeFormat("nb-NO", {
  timeZone: OSLO, hour: "2-digit", minute: "2-digit",
});

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

// A google.protobuf.Timestamp as a JavaScript Date (undefined when unset).
export function timestampToDate(ts: Message | null | undefined): Date | undefined {
  if (!ts || (Number(ts.seconds ?? 0) === 0 && Number(ts.nanos ?? 0) === 0)) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor(Number(ts.nanos ?? 0) / 1e6));
}

export function dateToTimestamp(date: Date): Message {
  const ms = date.getTime();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

// dd.mm.yyyy of an instant, in Oslo.
export function formatDate(date: Date | undefined): string {
  return date ? dateFormat.format(date) : "";
}

export function formatDateTime(date: Date | undefined): string {
  return date ? `${dateFormat.format(date)} ${timeFormat.format(date)}` : "";
}

export function formatTimestamp(ts: Message | null | undefined): string {
  return formatDateTime(timestampToDate(ts));
}

// A due time: a deadline at the end of a day in Oslo (00:00 of the next)
// reads as that day; any other time with its hour.
export function formatDue(ts: Message | null | undefined): string {
  const date = timestampToDate(ts);
  if (!date) return "";
  if (timeFormat.format(date) === "00:00") return dateFormat.format(new Date(date.getTime() - 1));
  return formatDateTime(date);
}

// A returnpath.v1.Date (a calendar date in Norway).
export function formatCivilDate(d: Message | null | undefined): string {
  if (!d || !d.year) return "";
  return `${pad(d.day)}.${pad(d.month)}.${d.year}`;
}

// yyyy-mm-dd (an <input type=date> value) of a returnpath.v1.Date.
export function civilDateToIso(d: Message | null | undefined): string {
  if (!d || !d.year) return "";
  return `${d.year}-${pad(d.month)}-${pad(d.day)}`;
}

export function isoToCivilDate(iso: string): Message | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
}

// The instant that starts a calendar day in Oslo, plus `hour` hours.
export function osloInstant(iso: string, hour = 12): Date | undefined {
  const d = isoToCivilDate(iso);
  if (!d) return undefined;
  // The offset of Oslo at about that time (+01:00 or +02:00).
  const guess = new Date(Date.UTC(d.year, d.month - 1, d.day, hour));
  const offset = osloOffsetMinutes(guess);
  return new Date(guess.getTime() - offset * 60_000);
}

function osloOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: OSLO, timeZoneName: "longOffset",
  }).formatToParts(at);
  const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === "-" ? -minutes : minutes;
}

// The instant a day (yyyy-mm-dd) starts in Oslo, as a Timestamp (undefined
// when empty or malformed).
export function osloDayStart(iso: string | undefined): Message | undefined {
  const at = iso ? osloInstant(iso, 0) : undefined;
  return at ? dateToTimestamp(at) : undefined;
}

// yyyy-mm-dd of an instant, in Oslo.
export function isoDateInOslo(date: Date): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: OSLO, year: "numeric", month: "2-digit", day: "2-digit",
  }).format(date);
  return parts;
}

// "kr 20 000": integer NOK, spaces between thousands (no-break).
export function formatMoney(nok: number | string): string {
  const digits = String(Math.trunc(Number(nok)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  return `kr\u00a0${grouped}`;
}
