#include "workflows/return_pathway/moves.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/dispatch.h"
#include "workflows/return_pathway/event_kinds.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/refold.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

bool IsTimer(const v1::HistoryEntry& e) {
  return CurrentPayload(e).Is<v1::TimerFired>();
}

// The day an entry counts on: a timer's is the last day before it came due.
std::string EntryDay(const v1::HistoryEntry& e) {
  const absl::Time at = CurrentEffective(e);
  return FormatDay(OsloDate(IsTimer(e) ? at - absl::Nanoseconds(1) : at));
}

std::string At(const v1::HistoryEntry& e) {
  return absl::StrCat(EventWords(e), " at version ", e.version());
}

const v1::HistoryEntry* EntryAt(const v1::PathwayState& s, uint64_t version) {
  for (const v1::HistoryEntry& e : s.history()) {
    if (e.version() == version) return &e;
  }
  return nullptr;
}

std::string Target(const v1::PathwayState& s, uint64_t version) {
  const v1::HistoryEntry* target = EntryAt(s, version);
  return target == nullptr ? absl::StrCat("version ", version) : At(*target);
}

std::string TaskName(const v1::PathwayTask& t) {
  return absl::StrCat("task ", absl::StrReplaceAll(t.kind(), {{"_", " "}}), " ",
                      t.key());
}

std::string DueDay(const v1::PathwayTask& t) {
  return FormatDay(OsloLastDay(FromTimestamp(t.due())));
}

std::string DeadlineText(const v1::Deadline& d) {
  if (!IsSet(d.date())) return "none";
  return absl::StrCat(FormatDay(StoredDay(d.date())),
                      d.suspended() ? " (suspended)"
                      : d.met()     ? " (met)"
                      : d.expired() ? " (expired)"
                                    : "");
}

std::string TierText(const v1::IomApplicationRecord& iom) {
  return absl::StrCat(iom.tier_rank(), " (NOK ", iom.support_nok(), ")");
}

}  // namespace

std::string EventWords(const v1::HistoryEntry& entry) {
  const google::protobuf::Any& payload = CurrentPayload(entry);
  v1::TimerFired fired;
  if (payload.UnpackTo(&fired)) {
    if (fired.kind() == "appeal_window") return "the appeal window's expiry";
    if (fired.kind() == "departure_deadline") {
      return "the departure deadline's expiry";
    }
    return absl::StrCat("the ", absl::StrReplaceAll(fired.kind(), {{"_", " "}}),
                        " timer");
  }
  const std::string type = TypeName(payload);
  const EventKindInfo* kind = FindPathwayEventKind(type);
  return absl::StrCat("the ", kind != nullptr
                                  ? absl::string_view(kind->noun)
                                  : absl::string_view(type).substr(
                                        type.rfind('.') + 1));
}

std::string CauseOf(const v1::PathwayState& before,
                    const v1::HistoryEntry& entry, uint64_t target_version) {
  const google::protobuf::Any& payload = entry.payload();
  if (payload.Is<v1::EventCorrected>()) {
    return absl::StrCat("the correction at version ", entry.version(), " of ",
                        Target(before, target_version));
  }
  if (payload.Is<v1::EventRetracted>()) {
    return absl::StrCat("the retraction at version ", entry.version(), " of ",
                        Target(before, target_version));
  }
  std::string cause =
      absl::StrCat(At(entry), " (effective ", EntryDay(entry), ")");
  if (!entry.refolded()) return cause;
  // The earliest event it now comes before, though recorded after it.
  const absl::Time effective = CurrentEffective(entry);
  const v1::HistoryEntry* overtaken = nullptr;
  for (const v1::HistoryEntry& e : before.history()) {
    if (e.retracted() || e.superseded_by_version() != 0 ||
        IsCorrection(TypeName(e.payload())) ||
        CurrentEffective(e) <= effective) {
      continue;
    }
    if (overtaken == nullptr ||
        CurrentEffective(e) < CurrentEffective(*overtaken)) {
      overtaken = &e;
    }
  }
  if (overtaken == nullptr) return cause;
  return absl::StrCat(cause, " comes before ", At(*overtaken), " (",
                      EntryDay(*overtaken), ")");
}

std::vector<std::string> DescribeMoves(
    const v1::PathwayState& before, const v1::PathwayState& after,
    absl::FunctionRef<std::string()> cause, bool refold,
    absl::string_view completed_key,
    const std::vector<std::pair<std::string, std::string>>& outcomes) {
  std::vector<std::string> out;
  std::string why;
  auto add = [&](std::string what) {
    if (why.empty()) why = cause();
    out.push_back(absl::StrCat(what, ": ", why));
  };
  absl::flat_hash_map<std::string, const v1::PathwayTask*> now;
  for (const v1::PathwayTask& t : after.open_tasks()) now[t.key()] = &t;
  absl::flat_hash_map<std::string, const v1::PathwayTask*> was;
  for (const v1::PathwayTask& t : before.open_tasks()) {
    was[t.key()] = &t;
    if (now.contains(t.key()) || t.key() == completed_key) continue;
    const auto done =
        std::find_if(outcomes.begin(), outcomes.end(),
                     [&](const auto& o) { return o.first == t.key(); });
    if (done != outcomes.end()) {
      add(absl::StrCat(TaskName(t), " completed (", done->second, ")"));
      continue;
    }
    add(absl::StrCat(TaskName(t), refold ? " cancelled" : " closed"));
  }
  for (const v1::PathwayTask& t : after.open_tasks()) {
    const auto it = was.find(t.key());
    if (it == was.end()) {
      if (refold) add(absl::StrCat(TaskName(t), " opened, due by ", DueDay(t)));
      continue;
    }
    const v1::PathwayTask& old = *it->second;
    if (old.priority() != t.priority()) {
      add(absl::StrCat(TaskName(t), " re-ranked from priority ", old.priority(),
                       " to ", t.priority()));
    } else if (old.due().seconds() != t.due().seconds()) {
      add(absl::StrCat(TaskName(t), " now due by ", DueDay(t), " (was by ",
                       DueDay(old), ")"));
    }
    if (old.queue() != t.queue()) {
      add(absl::StrCat(TaskName(t), " moved from queue ", old.queue(), " to ",
                       t.queue()));
    }
  }
  if (!refold) return out;
  auto deadline = [&](const char* name, const v1::Deadline& a,
                      const v1::Deadline& b) {
    const std::string from = DeadlineText(a);
    const std::string to = DeadlineText(b);
    if (from != to) add(absl::StrCat(name, " now ", to, " (was ", from, ")"));
  };
  deadline("appeal window", before.appeal_window(), after.appeal_window());
  deadline("departure deadline", before.departure_deadline(),
           after.departure_deadline());
  if (before.stage() != after.stage()) {
    add(absl::StrCat("stage now ", StageName(after.stage()), " (was ",
                     StageName(before.stage()), ")"));
  }
  if (before.iom().tier_rank() != after.iom().tier_rank() &&
      after.iom().tier_rank() != 0) {
    add(absl::StrCat(
        "IOM support tier now ", TierText(after.iom()),
        before.iom().tier_rank() == 0
            ? ""
            : absl::StrCat(" (was ", TierText(before.iom()), ")")));
  }
  const std::string& exempt = after.final_rejection().relocation_exemption();
  if (exempt != before.final_rejection().relocation_exemption()) {
    add(exempt.empty() ? "no longer exempt from relocation"
                       : absl::StrCat("exempt from relocation (", exempt, ")"));
  }
  return out;
}

}  // namespace returnpath::return_pathway
