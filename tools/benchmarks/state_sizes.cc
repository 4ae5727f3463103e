#include "tools/benchmarks/state_sizes.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "engine/status_macros.h"
#include "engine/store_view.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway_state.pb.h"

namespace returnpath::bench {

absl::StatusOr<std::string> StateSizeReport(engine::EventStore& store) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::StoreView> view,
                      store.Snapshot());
  const google::protobuf::Descriptor* descriptor =
      v1::PathwayState::descriptor();
  std::vector<uint64_t> sizes;
  std::map<const google::protobuf::FieldDescriptor*, uint64_t> by_field;
  absl::Status parsed;
  RP_RETURN_IF_ERROR(view->Scan(
      engine::Table::kState, "", "",
      [&](absl::string_view, absl::string_view value) {
        v1::StreamRecord record;
        v1::PathwayState state;
        if (!record.ParseFromArray(value.data(),
                                   static_cast<int>(value.size())) ||
            !state.ParseFromString(record.state())) {
          parsed = absl::DataLossError("a stored state does not parse");
          return false;
        }
        sizes.push_back(record.state().size());
        // Each field alone: moved into an empty message and measured.
        const google::protobuf::Reflection* reflection = state.GetReflection();
        for (int i = 0; i < descriptor->field_count(); ++i) {
          const google::protobuf::FieldDescriptor* field = descriptor->field(i);
          v1::PathwayState alone;
          reflection->SwapFields(&state, &alone, {field});
          by_field[field] += alone.ByteSizeLong();
        }
        return true;
      }));
  RP_RETURN_IF_ERROR(parsed);
  if (sizes.empty()) return std::string("no stored states\n");
  std::sort(sizes.begin(), sizes.end());
  uint64_t total = 0;
  for (uint64_t s : sizes) total += s;
  const double n = static_cast<double>(sizes.size());
  std::string out = absl::StrFormat(
      "stored states: %d, mean %.0f bytes, median %d, p99 %d, largest %d\n"
      "mean bytes by field:\n",
      sizes.size(), total / n, sizes[sizes.size() / 2],
      sizes[static_cast<size_t>(n * 0.99)], sizes.back());
  std::vector<std::pair<uint64_t, std::string>> fields;
  for (const auto& [field, bytes] : by_field) {
    if (bytes > 0) fields.emplace_back(bytes, field->name());
  }
  std::sort(fields.rbegin(), fields.rend());
  for (const auto& [bytes, name] : fields) {
    absl::StrAppendFormat(&out, "  %-28s %8.1f\n", name, bytes / n);
  }
  return out;
}

}  // namespace returnpath::bench
