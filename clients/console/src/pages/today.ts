// The daemon's clock is the console's clock: a test daemon's manual clock
// decides what "today" is on every page.

import type { Context } from "../context.js";
import type { Message } from "../daemon.js";
import { dateToTimestamp, isoDateInOslo, osloDayStart, timestampToDate } from "../format.js";

export async function daemonNow(ctx: Context): Promise<Date> {
  const response = await ctx.call("AdminService", "Now", {});
  return timestampToDate(response.now as Message) ?? new Date();
}

// yyyy-mm-dd in Oslo.
export async function daemonToday(ctx: Context): Promise<string> {
  return isoDateInOslo(await daemonNow(ctx));
}

// The effective time of an event that happened on `iso` (yyyy-mm-dd): now,
// if that is today; otherwise the start of that day in Oslo. Unset (the
// daemon names the field) when the date does not parse.
export async function effectiveTimeOf(ctx: Context, iso: string): Promise<Message | undefined> {
  const now = await daemonNow(ctx);
  if (iso === isoDateInOslo(now)) return dateToTimestamp(now);
  return osloDayStart(iso);
}
