#include "tools/crashtest/ledger.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/input_bounds.h"

namespace returnpath::crashtest {

void Ledger::Add(Ack ack) {
  absl::MutexLock lock(&mu_);
  touched_.insert(ack.person);
  // Never before the previous one, so the list stays sorted.
  const absl::Time now = absl::Now();
  added_at_.emplace_back(
      added_at_.empty() ? now : std::max(now, added_at_.back().first),
      ack.started);
  by_person_[ack.person].push_back(std::move(ack));
  ++size_;
}

std::optional<absl::Time> Ledger::FirstAckAfter(absl::Time t) const {
  absl::MutexLock lock(&mu_);
  auto it = std::upper_bound(
      added_at_.begin(), added_at_.end(), t,
      [](absl::Time t, const auto& added) { return t < added.first; });
  for (; it != added_at_.end(); ++it) {
    if (it->second > t) return it->first;
  }
  return std::nullopt;
}

std::vector<std::string> Ledger::TakeTouched() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> persons(touched_.begin(), touched_.end());
  touched_.clear();
  return persons;
}

std::vector<std::string> Ledger::AllPersons() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> persons;
  for (const auto& [person, acks] : by_person_) persons.push_back(person);
  return persons;
}

std::vector<Ack> Ledger::AcksOf(const std::string& person) const {
  absl::MutexLock lock(&mu_);
  auto it = by_person_.find(person);
  return it == by_person_.end() ? std::vector<Ack>{} : it->second;
}

uint64_t Ledger::size() const {
  absl::MutexLock lock(&mu_);
  return size_;
}

void CheckHistory(const std::string& person, const std::vector<Ack>& acks,
                  const std::vector<v1::EventEnvelope>& history,
                  CheckCounts& counts) {
  absl::flat_hash_map<uint64_t, const v1::EventEnvelope*> at_position;
  absl::flat_hash_map<std::string, int> per_key_and_type;
  for (const v1::EventEnvelope& e : history) {
    at_position[e.position()] = &e;
    if (e.idempotency_key().empty()) continue;
    const std::string key = absl::StrCat(e.idempotency_key(), " ",
                                         engine::EventTypeName(e.payload()));
    if (++per_key_and_type[key] == 2) {
      ++counts.duplicated;
      counts.problems.push_back(absl::StrCat(
          person, ": ", key, " stored twice (second at ", e.position(), ")"));
    }
  }
  absl::flat_hash_map<uint64_t, const Ack*> acked_at;
  for (const Ack& ack : acks) {
    ++counts.checked;
    auto [previous, fresh] = acked_at.emplace(ack.position, &ack);
    if (!fresh && previous->second->idempotency_key != ack.idempotency_key) {
      ++counts.duplicated;
      counts.problems.push_back(absl::StrCat(
          person, ": position ", ack.position, " acknowledged for both ",
          previous->second->idempotency_key, " and ", ack.idempotency_key));
    }
    auto found = at_position.find(ack.position);
    const v1::EventEnvelope* e =
        found == at_position.end() ? nullptr : found->second;
    if (e == nullptr || engine::EventTypeName(e->payload()) != ack.type ||
        (ack.version != 0 && e->stream_version() != ack.version)) {
      ++counts.lost;
      counts.problems.push_back(absl::StrCat(
          person, ": acknowledged ", ack.type, " (", ack.idempotency_key,
          ") at position ", ack.position, " version ", ack.version,
          e == nullptr
              ? " is missing"
              : absl::StrCat(" holds ", engine::EventTypeName(e->payload()),
                             " version ", e->stream_version())));
    }
  }
}

absl::Status CheckPersons(client::Client& auditor, const Ledger& ledger,
                          const std::vector<std::string>& persons,
                          CheckCounts& counts) {
  for (const std::string& person : persons) {
    std::vector<v1::EventEnvelope> history;
    v1::HistoryRequest request;
    request.set_person_id(person);
    absl::Status read =
        auditor.History(request, [&](const v1::EventEnvelope& e) {
          history.push_back(e);
          return true;
        });
    // A person the store does not know: every acknowledgement of theirs is
    // lost, which CheckHistory counts.
    if (read.code() == absl::StatusCode::kNotFound)
      history.clear();
    else if (!read.ok()) {
      return absl::Status(read.code(), absl::StrCat("history of ", person, ": ",
                                                    read.message()));
    }
    CheckHistory(person, ledger.AcksOf(person), history, counts);
  }
  return absl::OkStatus();
}

}  // namespace returnpath::crashtest
