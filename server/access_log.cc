#include "server/access_log.h"

#include "engine/codec.h"
#include "engine/keys.h"
#include "engine/sequencer.h"
#include "engine/status_macros.h"

namespace returnpath::engine {

AccessLog::AccessLog(EventStore* store)
    : store_(store), commands_(CommandQueueOf(*store)) {}

absl::Status AccessLog::Record(const Principal& principal,
                               absl::string_view method,
                               const std::vector<std::string>& person_ids) {
  return AwaitAnswer<bool>(
             [&](absl::AnyInvocable<void(absl::StatusOr<bool>)> done) {
               RecordAsync(
                   principal, method, person_ids,
                   [done = std::move(done)](absl::Status status) mutable {
                     done(status.ok() ? absl::StatusOr<bool>(true)
                                      : absl::StatusOr<bool>(status));
                   });
             })
      .status();
}

void AccessLog::RecordAsync(const Principal& principal,
                            absl::string_view method,
                            std::vector<std::string> person_ids,
                            absl::AnyInvocable<void(absl::Status)> done) {
  if (person_ids.empty()) return done(absl::OkStatus());
  if (commands_ == nullptr) {
    return done(absl::FailedPreconditionError("the store takes no commands"));
  }
  ++waiting_;
  commands_->Submit(MakeCommand<bool>(
      [this, name = principal.name, role = principal.role,
       method = std::string(method), person_ids = std::move(person_ids)](
          CommandContext& ctx) -> absl::StatusOr<bool> {
        for (const std::string& person : person_ids) {
          v1::AccessRecord record;
          *record.mutable_time() = ToTimestamp(ctx.now());
          record.set_principal(name);
          record.set_role(v1::Role_Name(role));
          record.set_method(method);
          record.set_person_id(person);
          std::string key = person;
          key.push_back('\0');
          keys::PutTime(&key, ctx.now());
          keys::PutU64(&key, sequence_.fetch_add(1));
          ctx.PutRecord(Table::kAccessLog, key, record.SerializeAsString());
        }
        return true;
      },
      [this, done = std::move(done)](absl::StatusOr<bool> written) mutable {
        --waiting_;
        done(written.status());
      }));
}

absl::StatusOr<std::vector<v1::AccessRecord>> AccessLog::Read(
    absl::string_view person_id, size_t limit, const PersonFilter& include) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store_->Snapshot());
  std::string start;
  std::string end;
  if (!person_id.empty()) {
    start = std::string(person_id);
    start.push_back('\0');
    end = keys::PrefixEnd(start);
  }
  std::vector<v1::AccessRecord> records;
  absl::Status error;
  RP_RETURN_IF_ERROR(view->Scan(
      Table::kAccessLog, start, end,
      [&](absl::string_view key, absl::string_view value) {
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
