#include "server/access_log.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace returnpath::engine {

AccessLog::AccessLog(EventStore* store) : store_(store) {}

void AccessLog::RecordAsync(const Principal& principal,
                            absl::string_view method,
                            std::vector<std::string> person_ids,
                            absl::AnyInvocable<void(absl::Status)> done) {
  if (person_ids.empty()) return done(absl::OkStatus());
  ++waiting_;
  const int64_t records = static_cast<int64_t>(person_ids.size());
  // Who and which person are the engine's entry; the rest is ours.
  v1::AccessRecord detail;
  detail.set_role(v1::Role_Name(principal.role));
  detail.set_method(std::string(method));
  detail.set_purpose(principal.purpose);
  store_->LogAccessAsync(
      std::move(person_ids), principal.name, detail.SerializeAsString(),
      [this, records, done = std::move(done)](absl::Status written) mutable {
        --waiting_;
        (written.ok() ? written_ : failed_) += records;
        done(std::move(written));
      });
}

absl::StatusOr<AccessLog::Page> AccessLog::Read(const AccessQuery& query,
                                                size_t size,
                                                const PersonFilter& include) {
  Page page;
  absl::Status error;
  RP_ASSIGN_OR_RETURN(
      page.next,
      store_->ReadAccessLog(query, [&](const v1::AccessEntry& entry) {
        absl::StatusOr<bool> included = include(entry.stream_id());
        if (!included.ok()) {
          error = included.status();
          return false;
        }
        if (!*included) return true;
        v1::AccessRecord& record = page.records.emplace_back();
        if (!record.ParseFromString(entry.detail())) {
          error = absl::DataLossError(
              absl::StrCat("access record ", entry.sequence(),
                           ": its detail does not parse"));
          return false;
        }
        *record.mutable_time() = entry.time();
        record.set_principal(entry.actor());
        record.set_person_id(entry.stream_id());
        record.set_sequence(entry.sequence());
        return page.records.size() < size;
      }));
  RP_RETURN_IF_ERROR(error);
  return page;
}

absl::StatusOr<StoreOptions::LegacyAccess> AccessLog::ReadLegacy(
    absl::string_view record) {
  v1::AccessRecord old;
  if (!old.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
    return absl::DataLossError(
        "an access record written before the log was chained does not parse");
  }
  StoreOptions::LegacyAccess legacy;
  legacy.actor = old.principal();
  old.clear_principal();
  old.clear_person_id();
  old.clear_time();
  legacy.detail = old.SerializeAsString();
  return legacy;
}

}  // namespace returnpath::engine
