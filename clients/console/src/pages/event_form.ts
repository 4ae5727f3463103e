// The form for recording an event, built from the event's message type: the
// fields the daemon takes, typed as it types them (dates, numbers, choices),
// so the browser checks the shape and the daemon checks the rules.

import type { Daemon, Message } from "../daemon.js";
import { html, type Html } from "../html.js";
import type { Lang } from "../i18n.js";
import { eventText, enumText } from "../domain_text.js";
import { isoToCivilDate } from "../format.js";

// What reception staff, advisers and police record from the console (the
// rest, corrections and retractions among them, through returnctl).
export const RECORDABLE = [
  "FirstRejection", "AppealLodged", "AppealWaived", "AppealDecided", "FinalRejection",
  "DepartureDeadlineSet", "DepartureDeadlineSuspended", "RelocationOrdered", "RelocationCompleted",
  "IomApplicationSubmitted", "IomApplicationApproved", "IomApplicationWithdrawn", "IomApplicationRefused",
  "TravelDocumentObtained", "Departed", "ResidencePermitGranted", "Disappeared", "Reappeared",
  "CaseReopened", "QualificationCourseEnrolled", "QualificationCourseCompleted", "ReturnConversationHeld",
  "FlagsChanged", "PersonMovedCentre",
] as const;

const LABELS: Record<string, { nb: string; en: string }> = {
  person_id: { nb: "Saksnummer", en: "Case number" },
  household_id: { nb: "Husstand-ID", en: "Household id" },
  date_of_birth: { nb: "Fødselsdato", en: "Date of birth" },
  nationality: { nb: "Nasjonalitet (landkode, f.eks. AF)", en: "Nationality (country code, e.g. AF)" },
  reception_centre: { nb: "Mottak", en: "Reception centre" },
  region: { nb: "Region", en: "Region" },
  household_role: { nb: "Rolle i husstanden", en: "Household role" },
  guardian_ids: { nb: "Foresattes saksnumre (kommaseparert)", en: "Guardians' case numbers (comma-separated)" },
  own_case: { nb: "Egen sak (følger ikke foresatte)", en: "Own case (follows no guardian)" },
  notified_on: { nb: "Meddelt (dato)", en: "Notified on" },
  decision_reference: { nb: "Vedtaksreferanse", en: "Decision reference" },
  lodged_on: { nb: "Levert (dato)", en: "Lodged on" },
  deferred_implementation: { nb: "Utsatt iverksettelse", en: "Deferred implementation" },
  waived_on: { nb: "Frafalt (dato)", en: "Waived on" },
  outcome: { nb: "Utfall", en: "Outcome" },
  departure_deadline_days: { nb: "Utreisefrist i dager (0: standard)", en: "Departure deadline in days (0: the default)" },
  basis: { nb: "Grunnlag", en: "Basis" },
  days: { nb: "Dager (0: standard)", en: "Days (0: the default)" },
  reason: { nb: "Begrunnelse", en: "Reason" },
  return_centre: { nb: "Retursenter", en: "Return centre" },
  programme: { nb: "Program", en: "Programme" },
  iom_reference: { nb: "IOM-referanse", en: "IOM reference" },
  document_kind: { nb: "Dokumenttype", en: "Document kind" },
  issuing_country: { nb: "Utstedt av (landkode)", en: "Issuing country (code)" },
  kind: { nb: "Type", en: "Kind" },
  destination_country: { nb: "Reisemål (landkode)", en: "Destination (country code)" },
  permit_kind: { nb: "Type tillatelse", en: "Permit kind" },
  note: { nb: "Notat", en: "Note" },
  course_id: { nb: "Kurs-ID", en: "Course id" },
  title: { nb: "Tittel", en: "Title" },
  unaccompanied_minor: { nb: "Enslig mindreårig", en: "Unaccompanied minor" },
  dublin_case: { nb: "Dublin-sak", en: "Dublin case" },
  serious_illness: { nb: "Alvorlig sykdom", en: "Serious illness" },
  trafficking_victim: { nb: "Offer for menneskehandel", en: "Victim of trafficking" },
  identity_unclarified: { nb: "Uavklart identitet", en: "Identity not clarified" },
  cash_nok: { nb: "Kontantstøtte (kr)", en: "Cash support (NOK)" },
  in_kind_nok: { nb: "Støtte i naturalia (kr)", en: "In-kind support (NOK)" },
};

function label(name: string, lang: Lang): string {
  return LABELS[name]?.[lang] ?? name.replace(/_/g, " ");
}

const NUMBER_TYPES = new Set(["TYPE_INT32", "TYPE_INT64", "TYPE_UINT32", "TYPE_UINT64"]);
// Fields the form leaves out: filled by the engine, or lists of records.
const LEFT_OUT = new Set(["household_members"]);

// The inputs of one message type, named "<prefix><field>".
export function fieldInputs(daemon: Daemon, typeName: string, lang: Lang, prefix = "",
                            values: Record<string, string> = {}): Html[] {
  const out: Html[] = [];
  for (const f of daemon.fields(typeName)) {
    if (LEFT_OUT.has(f.name)) continue;
    const name = prefix + f.name;
    const id = `f-${name.replace(/\./g, "-")}`;
    const value = values[name] ?? "";
    if (f.type === "TYPE_MESSAGE" && f.typeName === "returnpath.v1.Date") {
      out.push(html`<div class="field"><label for="${id}">${label(f.name, lang)}</label>
        <input id="${id}" name="${name}" type="date" value="${value}"></div>`);
    } else if (f.type === "TYPE_MESSAGE" && f.label !== "LABEL_REPEATED") {
      out.push(html`<fieldset><legend>${label(f.name, lang)}</legend>${fieldInputs(daemon, f.typeName, lang, `${name}.`, values)}</fieldset>`);
    } else if (f.type === "TYPE_ENUM") {
      const options = daemon.enumValues(f.typeName);
      out.push(html`<div class="field"><label for="${id}">${label(f.name, lang)}</label>
        <select id="${id}" name="${name}">${options.map((o) => html`<option value="${o}"${o === value ? html` selected` : ""}>${o.endsWith("_UNSPECIFIED") ? "—" : enumText(o)}</option>`)}</select></div>`);
    } else if (f.type === "TYPE_BOOL") {
      out.push(html`<div class="field check"><input id="${id}" name="${name}" type="checkbox" value="true"${value === "true" ? html` checked` : ""}>
        <label for="${id}">${label(f.name, lang)}</label></div>`);
    } else if (NUMBER_TYPES.has(f.type)) {
      out.push(html`<div class="field"><label for="${id}">${label(f.name, lang)}</label>
        <input id="${id}" name="${name}" type="number" inputmode="numeric" min="0" step="1" value="${value}"></div>`);
    } else if (f.type === "TYPE_STRING") {
      const long = f.name === "note" || f.name === "reason";
      out.push(long
        ? html`<div class="field"><label for="${id}">${label(f.name, lang)}</label><textarea id="${id}" name="${name}" rows="2" maxlength="2000">${value}</textarea></div>`
        : html`<div class="field"><label for="${id}">${label(f.name, lang)}</label><input id="${id}" name="${name}" maxlength="200" value="${value}"></div>`);
    }
  }
  return out;
}

// The message the form's fields describe (empty fields left unset).
export function messageFromForm(daemon: Daemon, typeName: string, form: Record<string, string>,
                                prefix = ""): Message {
  const out: Message = {};
  for (const f of daemon.fields(typeName)) {
    if (LEFT_OUT.has(f.name)) continue;
    const name = prefix + f.name;
    const raw = String(form[name] ?? "").trim();
    if (f.type === "TYPE_MESSAGE" && f.typeName === "returnpath.v1.Date") {
      const date = isoToCivilDate(raw);
      if (date) out[f.name] = date;
    } else if (f.type === "TYPE_MESSAGE" && f.label !== "LABEL_REPEATED") {
      const nested = messageFromForm(daemon, f.typeName, form, `${name}.`);
      if (Object.keys(nested).length > 0) out[f.name] = nested;
    } else if (f.type === "TYPE_ENUM") {
      if (raw) out[f.name] = raw;
    } else if (f.type === "TYPE_BOOL") {
      if (raw === "true") out[f.name] = true;
    } else if (NUMBER_TYPES.has(f.type)) {
      if (raw !== "") out[f.name] = Number(raw);
    } else if (f.type === "TYPE_STRING") {
      if (f.label === "LABEL_REPEATED") {
        const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
        if (items.length > 0) out[f.name] = items;
      } else if (raw) {
        out[f.name] = raw;
      }
    }
  }
  return out;
}

export function kindOptions(lang: Lang, selected: string): Html[] {
  return RECORDABLE.map((kind) =>
    html`<option value="${kind}"${kind === selected ? html` selected` : ""}>${eventText(kind, lang)}</option>`);
}

export function isRecordable(kind: string): boolean {
  return (RECORDABLE as readonly string[]).includes(kind);
}
