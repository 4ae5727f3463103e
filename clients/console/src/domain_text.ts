// How the pathway reads in words: stages, event kinds, rules and task kinds,
// in both languages. Wording only: the rules themselves live in the daemon.

import type { Lang } from "./i18n.js";
import type { Message } from "./daemon.js";
import { formatCivilDate, formatMoney, formatTimestamp } from "./format.js";

type Words = Record<string, { nb: string; en: string }>;

export const STAGES: Words = {
  STAGE_ASYLUM_PENDING: { nb: "Asylsøknad til behandling", en: "Asylum application pending" },
  STAGE_FIRST_REJECTION: { nb: "Avslag i første instans (klagefrist løper)", en: "First rejection (appeal window open)" },
  STAGE_APPEAL_PENDING: { nb: "Klage til behandling", en: "Appeal pending" },
  STAGE_FINAL_REJECTION: { nb: "Endelig avslag (utreisefrist)", en: "Final rejection (departure deadline)" },
  STAGE_RETURN_PREPARATION: { nb: "Forberedelse av retur (IOM-søknad)", en: "Return preparation (IOM application)" },
  STAGE_OVERSTAYED: { nb: "Utreisefristen er oversittet", en: "Overstayed the departure deadline" },
  STAGE_CASE_REOPENED: { nb: "Saken er gjenåpnet", en: "Case reopened" },
  STAGE_DEPARTED_VOLUNTARY: { nb: "Reist frivillig", en: "Departed voluntarily" },
  STAGE_DEPARTED_FORCED: { nb: "Uttransportert", en: "Forced return" },
  STAGE_DEPARTED_DUBLIN: { nb: "Overført etter Dublin-forordningen", en: "Dublin transfer" },
  STAGE_PERMIT_GRANTED: { nb: "Oppholdstillatelse gitt", en: "Residence permit granted" },
};

export const EVENTS: Words = {
  PersonRegistered: { nb: "Registrert som beboer", en: "Registered as a resident" },
  HouseholdMemberJoined: { nb: "Et barn ble med i husstanden", en: "A child joined the household" },
  FirstRejection: { nb: "Avslag i første instans", en: "First rejection" },
  AppealLodged: { nb: "Klage levert", en: "Appeal lodged" },
  AppealWaived: { nb: "Frafalt klage", en: "Appeal waived" },
  AppealDecided: { nb: "Klagen avgjort", en: "Appeal decided" },
  FinalRejection: { nb: "Endelig avslag", en: "Final rejection" },
  DepartureDeadlineSet: { nb: "Utreisefrist satt", en: "Departure deadline set" },
  DepartureDeadlineSuspended: { nb: "Utreisefrist suspendert", en: "Departure deadline suspended" },
  RelocationOrdered: { nb: "Flytting til retursenter pålagt", en: "Relocation ordered" },
  RelocationCompleted: { nb: "Flyttet til retursenter", en: "Relocated to a return centre" },
  IomApplicationSubmitted: { nb: "Søknad om assistert retur (IOM) sendt", en: "Assisted return (IOM) applied for" },
  IomApplicationApproved: { nb: "IOM-søknad innvilget", en: "IOM application approved" },
  IomApplicationWithdrawn: { nb: "IOM-søknad trukket", en: "IOM application withdrawn" },
  IomApplicationRefused: { nb: "IOM-søknad avslått", en: "IOM application refused" },
  TravelDocumentObtained: { nb: "Reisedokument skaffet", en: "Travel document obtained" },
  Departed: { nb: "Utreist", en: "Departed" },
  ResidencePermitGranted: { nb: "Oppholdstillatelse gitt", en: "Residence permit granted" },
  Disappeared: { nb: "Forsvunnet fra mottaket", en: "Disappeared" },
  Reappeared: { nb: "Kommet tilbake", en: "Reappeared" },
  CaseReopened: { nb: "Saken gjenåpnet", en: "Case reopened" },
  QualificationCourseEnrolled: { nb: "Påmeldt kvalifiseringskurs", en: "Enrolled in a qualification course" },
  QualificationCourseCompleted: { nb: "Fullført kvalifiseringskurs", en: "Completed a qualification course" },
  ReturnConversationHeld: { nb: "Retursamtale holdt", en: "Return conversation held" },
  FlagsChanged: { nb: "Særlige forhold endret", en: "Circumstances changed" },
  PersonMovedCentre: { nb: "Flyttet til annet mottak", en: "Moved to another centre" },
  EventCorrected: { nb: "Rettelse", en: "Correction" },
  EventRetracted: { nb: "Tilbaketrekking", en: "Retraction" },
  GuardianDecisionFollowed: { nb: "Følger foresattes vedtak", en: "Follows the guardian's decision" },
  GuardianFollowsCorrected: { nb: "Følgingen rettet", en: "Following corrected" },
  HouseholdTasksShared: { nb: "Husstandens oppgaver delt", en: "Household tasks shared" },
  TimerFired: { nb: "Frist utløp", en: "A deadline expired" },
  TaskCompleted: { nb: "Oppgave fullført", en: "Task completed" },
  StreamErased: { nb: "Personopplysningene slettet", en: "Personal data erased" },
};

export const RULES: Words = {
  appeal_window: { nb: "Klagefrist", en: "Appeal window" },
  departure_deadline: { nb: "Utreisefrist", en: "Departure deadline" },
  relocation: { nb: "Flytting til retursenter", en: "Relocation" },
  relocation_phase_in: { nb: "Flytting (innfasing)", en: "Relocation (phase-in)" },
  return_conversation: { nb: "Retursamtale", en: "Return conversation" },
  police_referral: { nb: "Melding til politiet", en: "Referral to the police" },
  escalation: { nb: "Eskalering", en: "Escalation" },
  child_information: { nb: "Returinformasjon til barn", en: "Return information for a child" },
  conversation_after_first_rejection: { nb: "Retursamtale etter første avslag", en: "Return conversation after the first rejection" },
  conversation_after_final_rejection: { nb: "Retursamtale etter endelig avslag", en: "Return conversation after the final rejection" },
  overstay: { nb: "Oppfølging etter oversittet frist", en: "Follow-up after an overstay" },
  iom_follow_up: { nb: "Oppfølging av IOM-søknad", en: "IOM application follow-up" },
  disappearance: { nb: "Forsvinning", en: "Disappearance" },
  place_release: { nb: "Frigi mottaksplass", en: "Release the reception place" },
  long_stayer_review: { nb: "Gjennomgang av lang botid", en: "Long-stayer review" },
  relocation_order: { nb: "Flytteordre", en: "Relocation order" },
};

function word(words: Words, key: string, lang: Lang): string {
  return words[key]?.[lang] ?? key.replace(/^STAGE_/, "").replace(/_/g, " ").toLowerCase();
}

export function stageText(stage: string, lang: Lang): string {
  return word(STAGES, stage, lang);
}

export function ruleText(rule: string, lang: Lang): string {
  return word(RULES, rule, lang);
}

// "returnpath.v1.FirstRejection" (or a type URL) -> "FirstRejection".
export function typeName(typeUrl: string): string {
  return typeUrl.substring(typeUrl.lastIndexOf("/") + 1).replace(/^returnpath\.v1\./, "");
}

// The kind of a decoded Any payload ({"@type": ...} or {type_url, value}).
export function payloadKind(payload: Message | null | undefined): string {
  if (!payload) return "";
  return typeName(String(payload["@type"] ?? payload.type_url ?? ""));
}

export function eventText(kind: string, lang: Lang): string {
  return EVENTS[kind]?.[lang] ?? kind;
}

const FIELD_WORDS: Record<string, { nb: string; en: string }> = {
  notified_on: { nb: "meddelt", en: "notified" },
  lodged_on: { nb: "levert", en: "lodged" },
  waived_on: { nb: "frafalt", en: "waived" },
  decision_reference: { nb: "vedtak", en: "decision" },
  deferred_implementation: { nb: "utsatt iverksettelse", en: "deferred implementation" },
  outcome: { nb: "utfall", en: "outcome" },
  basis: { nb: "grunnlag", en: "basis" },
  departure_deadline_days: { nb: "utreisefrist (dager)", en: "departure deadline (days)" },
  days: { nb: "dager", en: "days" },
  reason: { nb: "begrunnelse", en: "reason" },
  return_centre: { nb: "retursenter", en: "return centre" },
  reception_centre: { nb: "mottak", en: "centre" },
  region: { nb: "region", en: "region" },
  programme: { nb: "program", en: "programme" },
  iom_reference: { nb: "IOM-referanse", en: "IOM reference" },
  document_kind: { nb: "dokument", en: "document" },
  issuing_country: { nb: "utstedt av", en: "issued by" },
  kind: { nb: "type", en: "kind" },
  destination_country: { nb: "til", en: "to" },
  permit_kind: { nb: "tillatelse", en: "permit" },
  note: { nb: "notat", en: "note" },
  nationality: { nb: "nasjonalitet", en: "nationality" },
  date_of_birth: { nb: "født", en: "born" },
  household_id: { nb: "husstand", en: "household" },
  household_role: { nb: "rolle i husstanden", en: "household role" },
  guardian_ids: { nb: "foresatte", en: "guardians" },
  corrected_position: { nb: "retter posisjon", en: "corrects position" },
  retracted_position: { nb: "trekker tilbake posisjon", en: "retracts position" },
  cash_nok: { nb: "kontant", en: "cash" },
  due_time: { nb: "frist", en: "due" },
  task_kind: { nb: "oppgave", en: "task" },
  in_kind_nok: { nb: "i naturalia", en: "in kind" },
  course_id: { nb: "kurs", en: "course" },
  title: { nb: "tittel", en: "title" },
};

// Not facts a person reads: ids the page shows elsewhere, bytes for the engine.
const SKIPPED_FIELDS = new Set(["@type", "person_id", "replacement", "payload", "timer_id", "task_id"]);

// "notified 02.03.2026, decision UDI-1": the payload's facts in words.
export function payloadDetails(payload: Message | null | undefined, lang: Lang): string {
  if (!payload) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(payload)) {
    if (SKIPPED_FIELDS.has(key)) continue;
    const text = valueText(key, value, lang);
    if (text === "") continue;
    const label = FIELD_WORDS[key]?.[lang] ?? key.replace(/_/g, " ");
    parts.push(`${label} ${text}`);
  }
  return parts.join(", ");
}

const ENUM_PREFIXES = [
  "APPEAL_OUTCOME_", "FINAL_REJECTION_BASIS_", "IOM_PROGRAMME_", "DEPARTURE_KIND_",
  "REGION_", "REOPENING_REASON_", "HOUSEHOLD_ROLE_", "FOLLOWED_DECISION_", "TASK_STATE_",
];

// "APPEAL_OUTCOME_REJECTED" -> "rejected".
export function enumText(value: string): string {
  const prefix = ENUM_PREFIXES.find((p) => value.startsWith(p)) ?? "";
  return value.slice(prefix.length).replace(/_/g, " ").toLowerCase();
}

function valueText(key: string, value: unknown, lang: Lang): string {
  if (value === null || value === undefined || value === "" || value === false) return "";
  if (value instanceof Uint8Array) return ""; // bytes are for the engine, not for reading
  if (value === true) return lang === "nb" ? "ja" : "yes";
  // 64-bit integers come as decimal strings.
  if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) {
    if (Number(value) === 0) return "";
    return key.endsWith("_nok") ? formatMoney(value) : String(value);
  }
  if (typeof value === "string") {
    if (/_UNSPECIFIED$/.test(value)) return "";
    if (ENUM_PREFIXES.some((p) => value.startsWith(p))) return enumText(value);
    if (key === "kind" && /^[a-z_]+$/.test(value)) return ruleText(value, lang);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => valueText(key, v, lang)).filter(Boolean).join("; ");
  if (typeof value === "object") {
    const v = value as Message;
    if ("year" in v) return formatCivilDate(v);
    if ("seconds" in v) return formatTimestamp(v);
    return payloadDetails(v, lang);
  }
  return String(value);
}
