// A resident's page: stage and facts, each deadline with its rule, policy and
// the events behind it, the open tasks, the household, and the history as a
// timeline in words.

import type { Context } from "../context.js";
import { DaemonError, type Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import { t, type Lang } from "../i18n.js";
import { alertBox } from "../layout.js";
import { enumText, eventText, payloadDetails, payloadKind, ruleText, stageText } from "../domain_text.js";
import { formatCivilDate, formatDue, formatTimestamp } from "../format.js";

export async function residentBody(ctx: Context, id: string): Promise<Html> {
  const lang = ctx.lang;
  const view = await ctx.call("PathwayService", "GetPathway", { person_id: id });
  const state = (view.state ?? {}) as Message;
  let history: Message[] = [];
  let historyRefusal: Html = html``;
  try {
    history = await ctx.collect("AuditService", "History", { person_id: id });
  } catch (e) {
    if (!(e instanceof DaemonError)) throw e;
    historyRefusal = alertBox(lang, "refused", e.details);
  }
  return html`${pathwaySections(view, lang, (v) => `#v${v}`)}
<section aria-labelledby="timeline-h"><h2 id="timeline-h">${t(lang, "timeline")}</h2>
${historyRefusal}${timeline(history, state, lang)}</section>`;
}

// Stage and facts, deadlines, open tasks and household of a pathway view (now,
// or as of a date); `versionHref` links a deadline's events to the history.
export function pathwaySections(view: Message, lang: Lang, versionHref: (version: string) => string): Html {
  const state = (view.state ?? {}) as Message;
  return html`${facts(state, lang)}
${deadlines(state, lang, versionHref)}
${openTasks(view.open_tasks as Message[], lang)}
${household(state, lang)}`;
}

function facts(state: Message, lang: Lang): Html {
  const person = (state.person ?? {}) as Message;
  const residence = (state.residence ?? {}) as Message;
  return html`<dl class="facts">
  <dt>${t(lang, "stage")}</dt><dd id="stage">${stageText(state.stage, lang)}${state.whereabouts_unknown ? html` — <strong>${t(lang, "whereaboutsUnknown")}</strong>` : ""}</dd>
  <dt>${t(lang, "centre")}</dt><dd>${residence.reception_centre}</dd>
  <dt>${t(lang, "region")}</dt><dd>${enumText(String(residence.region ?? ""))}</dd>
  <dt>${t(lang, "nationality")}</dt><dd>${person.nationality}</dd>
  <dt>${t(lang, "born")}</dt><dd>${formatCivilDate(person.date_of_birth)}</dd>
  <dt>${t(lang, "householdId")}</dt><dd>${person.household_id}</dd>
</dl>`;
}

function deadlineRow(d: Message | undefined, lang: Lang, versionHref: (version: string) => string): Html {
  if (!d || !d.rule) return html``;
  const status = d.met ? t(lang, "met") : d.expired ? t(lang, "expired") : d.suspended ? t(lang, "suspended") : t(lang, "running");
  const versions = (d.caused_by_versions as string[]) ?? [];
  return html`<tr>
  <th scope="row">${ruleText(d.rule, lang)}</th>
  <td class="${d.expired && !d.met ? "overdue" : ""}">${formatCivilDate(d.date)}</td>
  <td>${status}</td>
  <td>${formatCivilDate(d.counted_from)}${d.days ? ` (${d.days} ${t(lang, "days").toLowerCase()})` : ""}</td>
  <td><code>${d.rule}</code></td><td>${d.policy_version}</td>
  <td>${versions.map((v, i) => html`${i ? ", " : ""}<a href="${versionHref(v)}">${v}</a>`)}</td>
</tr>`;
}

function deadlines(state: Message, lang: Lang, versionHref: (version: string) => string): Html {
  const rows = [state.appeal_window, state.departure_deadline].map((d) => deadlineRow(d, lang, versionHref));
  return html`<section aria-labelledby="deadlines-h"><h2 id="deadlines-h">${t(lang, "deadlines")}</h2>
<table id="deadlines"><thead><tr><th scope="col">${t(lang, "deadline")}</th><th scope="col">${t(lang, "date")}</th>
<th scope="col">${t(lang, "status")}</th><th scope="col">${t(lang, "countedFrom")}</th><th scope="col">${t(lang, "rule")}</th>
<th scope="col">${t(lang, "policy")}</th><th scope="col">${t(lang, "events")} (${t(lang, "version").toLowerCase()})</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

function openTasks(tasks: Message[], lang: Lang): Html {
  return html`<section aria-labelledby="tasks-h"><h2 id="tasks-h">${t(lang, "openTasks")}</h2>
${tasks.length === 0 ? html`<p>${t(lang, "noOpenTasks")}</p>` : html`<table id="open-tasks"><thead><tr>
<th scope="col">${t(lang, "task")}</th><th scope="col">${t(lang, "queue")}</th><th scope="col">${t(lang, "due")}</th>
<th scope="col">${t(lang, "rule")}</th><th scope="col">${t(lang, "policy")}</th><th scope="col">${t(lang, "state")}</th></tr></thead>
<tbody>${tasks.map((task) => html`<tr><td>${task.title || ruleText(task.kind, lang)}</td><td>${task.queue}</td>
<td>${formatDue(task.due_time)}</td><td>${ruleText(task.rule, lang)}</td><td>${task.policy_version}</td>
<td>${enumText(String(task.state))}</td></tr>`)}</tbody></table>`}</section>`;
}

function personLink(id: string): Html {
  return html`<a href="/residents/${encodeURIComponent(id)}">${id}</a>`;
}

function household(state: Message, lang: Lang): Html {
  const person = (state.person ?? {}) as Message;
  const guardians = (person.guardian_ids as string[]) ?? [];
  const children = ((state.household as Message[]) ?? []).map((m) => m.person_id as string);
  const items: Html[] = [];
  if (guardians.length) items.push(html`<li>${t(lang, "guardians")}: ${guardians.map((g, i) => html`${i ? ", " : ""}${personLink(g)}`)}</li>`);
  if (children.length) items.push(html`<li>${t(lang, "children")}: ${children.map((c, i) => html`${i ? ", " : ""}${personLink(c)}`)}</li>`);
  return html`<section aria-labelledby="household-h"><h2 id="household-h">${t(lang, "household")}</h2>
${items.length ? html`<ul id="household">${items}</ul>` : html`<p>${t(lang, "alone")}</p>`}</section>`;
}

// Later notes on an entry (corrected, retracted), by stream version.
function notesByVersion(state: Message): Map<string, Message> {
  const out = new Map<string, Message>();
  for (const entry of (state.history as Message[]) ?? []) out.set(String(entry.version), entry);
  return out;
}

function timeline(events: Message[], state: Message, lang: Lang): Html {
  if (events.length === 0) return html``;
  const notes = notesByVersion(state);
  const versionOfPosition = new Map(events.map((e) => [String(e.position), String(e.stream_version)]));
  return html`<ol class="timeline" id="timeline">${events.map((e) => {
    const kind = payloadKind(e.payload);
    const note = notes.get(String(e.stream_version));
    const isCorrection = kind === "EventCorrected" || kind === "EventRetracted";
    const struck = note?.retracted || (note?.correction_versions ?? []).length > 0;
    let what: Html;
    if (kind === "EventCorrected") {
      const target = versionOfPosition.get(String(e.payload.corrected_position)) ?? "?";
      const replacement = e.payload.replacement as Message | undefined;
      what = html`${t(lang, "correction")} <a href="#v${target}">${target}</a>: ${eventText(payloadKind(replacement), lang)}${replacement ? html` (${payloadDetails(replacement, lang)})` : ""}${e.payload.reason ? html` — ${e.payload.reason}` : ""}`;
    } else if (kind === "EventRetracted") {
      const target = versionOfPosition.get(String(e.payload.retracted_position)) ?? "?";
      what = html`${t(lang, "retraction")} <a href="#v${target}">${target}</a>${e.payload.reason ? html` — ${e.payload.reason}` : ""}`;
    } else {
      const details = payloadDetails(e.payload, lang);
      what = html`${eventText(kind, lang)}${details ? html` <span class="muted">(${details})</span>` : ""}`;
    }
    return html`<li id="v${e.stream_version}" class="${isCorrection ? "correction" : ""}${struck ? " struck" : ""}">
  <span class="what">${what}</span>${note?.retracted ? html` <em>(${t(lang, "retracted")})</em>` : ""}${(note?.correction_versions ?? []).length ? html` <em>(${t(lang, "correctedBy")})</em>` : ""}${e.erased ? html` <em>(${t(lang, "erased")})</em>` : ""}
  <br><span class="muted">${t(lang, "effective")} ${formatTimestamp(e.effective_time)} · ${t(lang, "recorded")} ${formatTimestamp(e.recorded_time)} · ${t(lang, "by")} ${e.principal} · ${t(lang, "version")} ${e.stream_version}</span>
</li>`;
  })}</ol>`;
}
