#include "workflows/return_pathway/policy_set.h"

#include <algorithm>
#include <filesystem>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "engine/read_file.h"
#include "engine/status_macros.h"
#include "engine/text_proto.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/names.h"
#include "workflows/return_pathway/recording_rights.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

using returnpath::v1::Policy;

class Problems {
 public:
  explicit Problems(absl::string_view source) : source_(source) {}

  // Records the first problem only; that is the one the operator fixes next.
  void Add(absl::string_view field, absl::string_view problem) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat(source_, ": ", field, ": ", problem));
    }
  }
  // A check that names its own field ("<field>: <problem>").
  void Add(const absl::Status& checked) {
    if (!checked.ok() && status_.ok()) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat(source_, ": ", checked.message()));
    }
  }
  void Require(bool ok, absl::string_view field, absl::string_view problem) {
    if (!ok) Add(field, problem);
  }
  void Present(bool has, absl::string_view field) {
    Require(has, field, "is missing");
  }
  void AtLeast(int64_t value, int64_t min, absl::string_view field) {
    Require(value >= min, field,
            absl::StrCat(value, " must be at least ", min));
  }
  absl::Status status() const { return status_; }

 private:
  std::string source_;
  absl::Status status_;
};

void CheckDayRule(bool has, const v1::DayRule& rule, absl::string_view name,
                  Problems& problems) {
  problems.Present(has, name);
  problems.AtLeast(rule.days(), 1, absl::StrCat(name, ".days"));
  problems.AtLeast(rule.priority(), 0, absl::StrCat(name, ".priority"));
}

void CheckQueueTemplate(absl::string_view value, absl::string_view field,
                        Problems& problems) {
  problems.Require(!value.empty(), field, "is missing");
  const std::string rest =
      absl::StrReplaceAll(value, {{"{centre}", ""}, {"{region}", ""}});
  problems.Require(
      !absl::StrContains(rest, "{") && !absl::StrContains(rest, "}"), field,
      absl::StrCat("\"", value,
                   "\" has a placeholder other than {centre} and {region}"));
}

void CheckCountries(const google::protobuf::RepeatedPtrField<std::string>& list,
                    absl::string_view field, Problems& problems) {
  for (const std::string& code : list) {
    problems.Require(
        IsCountryCode(code), field,
        absl::StrCat("\"", code, "\" is not an ISO 3166 alpha-2 code"));
  }
}

void CheckTiers(const v1::IomRule& iom, Problems& problems) {
  problems.Require(iom.tiers_size() > 0, "iom.tiers", "is missing");
  for (int i = 0; i < iom.tiers_size(); ++i) {
    const v1::SupportTier& tier = iom.tiers(i);
    const std::string field = absl::StrCat("iom.tiers[", i, "]");
    problems.Require(tier.rank() == i + 1, absl::StrCat(field, ".rank"),
                     absl::StrCat(tier.rank(), " should be ", i + 1,
                                  " (tiers are listed in rank order)"));
    problems.AtLeast(tier.amount_nok(), 0, absl::StrCat(field, ".amount_nok"));
    const bool last = i + 1 == iom.tiers_size();
    problems.Require(tier.open_ended() == last,
                     absl::StrCat(field, ".open_ended"),
                     last ? "the last tier must be open_ended"
                          : "only the last tier may be open_ended");
    if (i > 0) {
      const v1::SupportTier& before = iom.tiers(i - 1);
      problems.Require(tier.amount_nok() <= before.amount_nok(),
                       absl::StrCat(field, ".amount_nok"),
                       "a later window cannot pay more than an earlier one");
      problems.Require(
          tier.open_ended() || tier.max_days_after_departure_deadline() >
                                   before.max_days_after_departure_deadline(),
          absl::StrCat(field, ".max_days_after_departure_deadline"),
          "windows must grow from tier to tier");
    }
  }
}

}  // namespace

absl::Status ValidatePolicy(const Policy& p, absl::string_view source) {
  Problems problems(source);
  problems.Require(!p.version().empty(), "version", "is missing");
  problems.Present(p.has_effective_from(), "effective_from");
  if (p.has_effective_from()) {
    absl::StatusOr<absl::CivilDay> day =
        DayOf(p.effective_from(), "effective_from");
    if (!day.ok()) problems.Add("effective_from", "is not a calendar date");
  }
  CheckDayRule(p.has_appeal_window(), p.appeal_window(), "appeal_window",
               problems);
  CheckDayRule(p.has_conversation_after_first_rejection(),
               p.conversation_after_first_rejection(),
               "conversation_after_first_rejection", problems);
  CheckDayRule(p.has_conversation_after_final_rejection(),
               p.conversation_after_final_rejection(),
               "conversation_after_final_rejection", problems);

  const v1::DepartureDeadlineRule& dd = p.departure_deadline();
  problems.Present(p.has_departure_deadline(), "departure_deadline");
  problems.AtLeast(dd.min_days(), 1, "departure_deadline.min_days");
  problems.Require(
      dd.max_days() >= dd.min_days(), "departure_deadline.max_days",
      absl::StrCat(dd.max_days(), " is less than min_days ", dd.min_days()));
  problems.Require(
      dd.default_days() >= dd.min_days() && dd.default_days() <= dd.max_days(),
      "departure_deadline.default_days",
      absl::StrCat(dd.default_days(), " is outside the allowed ", dd.min_days(),
                   "-", dd.max_days(), " days"));

  const v1::RelocationRule& rel = p.relocation();
  problems.Present(p.has_relocation(), "relocation");
  problems.AtLeast(rel.due_days(), 1, "relocation.due_days");
  problems.AtLeast(rel.min_days_before_departure_deadline(), 0,
                   "relocation.min_days_before_departure_deadline");
  problems.Require(rel.min_days_before_departure_deadline() < dd.min_days(),
                   "relocation.min_days_before_departure_deadline",
                   absl::StrCat(rel.min_days_before_departure_deadline(),
                                " leaves no time to relocate before a ",
                                dd.min_days(), "-day departure deadline"));
  problems.AtLeast(rel.priority(), 0, "relocation.priority");
  problems.AtLeast(rel.exempt_unaccompanied_minor_min_age(), 0,
                   "relocation.exempt_unaccompanied_minor_min_age");
  problems.Require(rel.exempt_unaccompanied_minor_below_age() >
                       rel.exempt_unaccompanied_minor_min_age(),
                   "relocation.exempt_unaccompanied_minor_below_age",
                   "must be greater than exempt_unaccompanied_minor_min_age");
  problems.AtLeast(rel.phase_in_after_days(), 1,
                   "relocation.phase_in_after_days");
  problems.AtLeast(rel.phase_in_due_days(), 1, "relocation.phase_in_due_days");
  problems.AtLeast(rel.phase_in_priority(), 0, "relocation.phase_in_priority");

  const v1::ChildInformationRule& child = p.child_information();
  problems.Present(p.has_child_information(), "child_information");
  problems.AtLeast(child.min_age(), 0, "child_information.min_age");
  problems.Require(child.adult_age() > child.min_age(),
                   "child_information.adult_age",
                   "must be greater than min_age");
  problems.AtLeast(child.due_days(), 1, "child_information.due_days");
  problems.AtLeast(child.priority(), 0, "child_information.priority");

  problems.Present(p.has_overstay(), "overstay");
  problems.AtLeast(p.overstay().adviser_follow_up_priority(), 0,
                   "overstay.adviser_follow_up_priority");

  problems.Present(p.has_iom(), "iom");
  problems.AtLeast(p.iom().no_departure_follow_up_days(), 1,
                   "iom.no_departure_follow_up_days");
  problems.AtLeast(p.iom().follow_up_priority(), 0, "iom.follow_up_priority");
  CheckTiers(p.iom(), problems);

  problems.Present(p.has_escalation(), "escalation");
  for (const std::string& kind : p.escalation().task_kinds()) {
    problems.Require(IsEscalatableTaskKind(kind), "escalation.task_kinds",
                     absl::StrCat("\"", kind,
                                  "\" is not a task kind with a due date "
                                  "staff must meet"));
  }
  problems.AtLeast(p.escalation().priority(), 0, "escalation.priority");

  problems.Present(p.has_disappearance(), "disappearance");
  problems.AtLeast(p.disappearance().place_release_days(), 1,
                   "disappearance.place_release_days");
  problems.AtLeast(p.disappearance().police_task_priority(), 0,
                   "disappearance.police_task_priority");
  problems.AtLeast(p.disappearance().place_release_priority(), 0,
                   "disappearance.place_release_priority");

  problems.Present(p.has_long_stayer_review(), "long_stayer_review");
  problems.AtLeast(p.long_stayer_review().interval_days(), 1,
                   "long_stayer_review.interval_days");
  problems.AtLeast(p.long_stayer_review().priority(), 0,
                   "long_stayer_review.priority");

  problems.Add(CheckRecordingGrants(p));
  problems.Present(p.has_effective_time(), "effective_time");
  problems.AtLeast(p.effective_time().max_clock_skew_seconds(), 0,
                   "effective_time.max_clock_skew_seconds");

  problems.Present(p.has_queues(), "queues");
  CheckQueueTemplate(p.queues().reception(), "queues.reception", problems);
  CheckQueueTemplate(p.queues().advisers(), "queues.advisers", problems);
  CheckQueueTemplate(p.queues().region(), "queues.region", problems);
  CheckQueueTemplate(p.queues().police(), "queues.police", problems);

  const v1::FeasibilityRule& f = p.feasibility();
  problems.Present(p.has_feasibility(), "feasibility");
  problems.AtLeast(f.identity_clarified_bonus(), 0,
                   "feasibility.identity_clarified_bonus");
  problems.AtLeast(f.readmission_agreement_bonus(), 0,
                   "feasibility.readmission_agreement_bonus");
  problems.Require(
      f.base_priority() >=
          f.identity_clarified_bonus() + f.readmission_agreement_bonus(),
      "feasibility.base_priority",
      "must be at least the sum of the bonuses (priorities are not negative)");
  CheckCountries(f.readmission_agreement_countries(),
                 "feasibility.readmission_agreement_countries", problems);

  const v1::ForcedReturnSupportRule& fr = p.forced_return_support();
  problems.Present(p.has_forced_return_support(), "forced_return_support");
  problems.Require(!fr.programme().empty(), "forced_return_support.programme",
                   "is missing");
  CheckCountries(fr.countries(), "forced_return_support.countries", problems);
  problems.AtLeast(fr.max_cash_nok(), 0, "forced_return_support.max_cash_nok");
  problems.AtLeast(fr.max_in_kind_nok(), 0,
                   "forced_return_support.max_in_kind_nok");
  return problems.status();
}

absl::StatusOr<Policy> ParsePolicyText(absl::string_view text,
                                       absl::string_view source) {
  Policy policy;
  RP_RETURN_IF_ERROR(engine::ParseTextProto(text, source, &policy));
  return policy;
}

absl::StatusOr<PolicySet> PolicySet::Create(
    std::vector<std::pair<std::string, Policy>> policies) {
  if (policies.empty()) {
    return absl::NotFoundError("no return-pathway policy was given");
  }
  for (const auto& [source, policy] : policies) {
    RP_RETURN_IF_ERROR(ValidatePolicy(policy, source));
  }
  std::sort(policies.begin(), policies.end(), [](const auto& a, const auto& b) {
    return StoredDay(a.second.effective_from()) <
           StoredDay(b.second.effective_from());
  });
  absl::flat_hash_set<std::string> versions;
  std::vector<Policy> ordered;
  for (size_t i = 0; i < policies.size(); ++i) {
    const auto& [source, policy] = policies[i];
    if (!versions.insert(policy.version()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": version: \"", policy.version(),
                       "\" is also the version of another policy file"));
    }
    if (i > 0 && StoredDay(policy.effective_from()) ==
                     StoredDay(policies[i - 1].second.effective_from())) {
      return absl::InvalidArgumentError(absl::StrCat(
          source,
          ": effective_from: ", FormatDay(StoredDay(policy.effective_from())),
          " is also the date of ", policies[i - 1].first));
    }
    ordered.push_back(policy);
  }
  return PolicySet(std::move(ordered));
}

absl::StatusOr<PolicySet> PolicySet::LoadDirectory(const std::string& dir) {
  std::error_code error;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".textproto") files.push_back(entry.path());
  }
  if (error) {
    return absl::NotFoundError(absl::StrCat("cannot read the policy directory ",
                                            dir, ": ", error.message()));
  }
  if (files.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no *.textproto policy file in ", dir));
  }
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, Policy>> policies;
  for (const std::filesystem::path& file : files) {
    RP_ASSIGN_OR_RETURN(const std::string text,
                        engine::ReadFileText(file.string(), "policy file"));
    RP_ASSIGN_OR_RETURN(Policy policy, ParsePolicyText(text, file.string()));
    policies.emplace_back(file.string(), std::move(policy));
  }
  return Create(std::move(policies));
}

absl::StatusOr<PolicySet> PolicySet::Throughout(Policy policy,
                                                absl::string_view source) {
  RP_RETURN_IF_ERROR(ValidatePolicy(policy, source));
  std::vector<Policy> one;
  one.push_back(std::move(policy));
  return PolicySet(std::move(one), /*throughout=*/true);
}

absl::StatusOr<const Policy*> PolicySet::InForceAt(absl::Time t) const {
  if (throughout_) return &versions_.front();
  const absl::CivilDay day = OsloDate(t);
  const Policy* found = nullptr;
  for (const Policy& policy : versions_) {
    if (StoredDay(policy.effective_from()) <= day) found = &policy;
  }
  if (found == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no return-pathway policy is in force on ", FormatDay(day),
                     "; the first takes effect on ",
                     FormatDay(StoredDay(versions_.front().effective_from()))));
  }
  return found;
}

absl::StatusOr<const Policy*> PolicySet::Find(absl::string_view version) const {
  if (throughout_) return &versions_.front();
  for (const Policy& policy : versions_) {
    if (policy.version() == version) return &policy;
  }
  return absl::NotFoundError(absl::StrCat("return-pathway policy version \"",
                                          version, "\" is not loaded"));
}

}  // namespace returnpath::return_pathway
