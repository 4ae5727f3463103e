#include "server/access_log.h"

#include "engine/proto_time.h"
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
  store_->LogAccessAsync(
      std::move(person_ids),
      [name = principal.name, role = principal.role,
       method = std::string(method)](absl::string_view person, absl::Time now) {
        v1::AccessRecord record;
        *record.mutable_time() = ToTimestamp(now);
        record.set_principal(name);
        record.set_role(v1::Role_Name(role));
        record.set_method(method);
        record.set_person_id(std::string(person));
        return record.SerializeAsString();
      },
      [this, records, done = std::move(done)](absl::Status written) mutable {
        --waiting_;
        (written.ok() ? written_ : failed_) += records;
        done(std::move(written));
      });
}

absl::StatusOr<std::vector<v1::AccessRecord>> AccessLog::Read(
    absl::string_view person_id, size_t limit, const PersonFilter& include) {
  std::vector<v1::AccessRecord> records;
  absl::Status error;
  RP_RETURN_IF_ERROR(
      store_->ReadAccessLog(person_id, [&](absl::string_view value) {
        v1::AccessRecord record;
        if (!record.ParseFromArray(value.data(), value.size())) {
          error = absl::DataLossError("an access_log record does not parse");
          return false;
        }
        absl::StatusOr<bool> included = include(record.person_id());
        if (!included.ok()) {
          error = included.status();
          return false;
        }
        if (*included) records.push_back(std::move(record));
        return limit == 0 || records.size() < limit;
      }));
  RP_RETURN_IF_ERROR(error);
  return records;
}

}  // namespace returnpath::engine
