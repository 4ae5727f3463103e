#include "engine/server/access_log.h"

#include "engine/codec.h"
#include "engine/keys.h"
#include "engine/sequencer.h"
#include "engine/status_macros.h"
#include "engine/store_access.h"

namespace returnpath::engine {

absl::Status AccessLog::Record(const Principal& principal,
                               absl::string_view method,
                               const std::vector<std::string>& person_ids) {
  if (person_ids.empty()) return absl::OkStatus();
  absl::StatusOr<bool> written = RunCommand<bool>(
      *store_, [&](CommandContext& ctx) -> absl::StatusOr<bool> {
        rocksdb::ColumnFamilyHandle* cf = ctx.db().cf(StoreDb::kAccessLog);
        for (const std::string& person : person_ids) {
          v1::AccessRecord record;
          *record.mutable_time() = ToTimestamp(ctx.now());
          record.set_principal(principal.name);
          record.set_role(v1::Role_Name(principal.role));
          record.set_method(std::string(method));
          record.set_person_id(person);
          std::string key = person;
          key.push_back('\0');
          keys::PutTime(&key, ctx.now());
          keys::PutU64(&key, sequence_.fetch_add(1));
          rocksdb::Status put =
              ctx.batch().Put(cf, key, record.SerializeAsString());
          if (!put.ok()) return FromRocks(put, "access log");
        }
        return true;
      });
  return written.status();
}

absl::StatusOr<std::vector<v1::AccessRecord>> AccessLog::Read(
    absl::string_view person_id, size_t limit, const PersonFilter& include) {
  RP_ASSIGN_OR_RETURN(const StoreDb* db, StoreDbOf(*store_));
  std::string start;
  std::string end;
  if (!person_id.empty()) {
    start = std::string(person_id);
    start.push_back('\0');
    end = PrefixEnd(start);
  }
  std::vector<v1::AccessRecord> records;
  absl::Status error;
  RP_RETURN_IF_ERROR(ScanRange(
      *db, StoreDb::kAccessLog, nullptr, start, end,
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
