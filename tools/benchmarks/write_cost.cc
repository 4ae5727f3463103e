#include "tools/benchmarks/write_cost.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/store_view.h"

namespace returnpath::bench {
namespace {

using engine::Table;
using engine::WriteCost;

uint64_t Keys(const WriteCost::Writes& w) { return w.puts + w.deletes; }

// The tables an append writes to (the access log and meta are written
// outside appends).
constexpr Table kColumns[] = {
    Table::kEvents, Table::kStreams,   Table::kState,
    Table::kIndex,  Table::kTimers,    Table::kTimerIds,
    Table::kTasks,  Table::kTaskReady, Table::kIdempotency};

}  // namespace

engine::AppendObserver WriteCostTally::Observer() {
  return [this](absl::string_view kind, uint64_t events,
                const WriteCost& cost) { Add(kind, events, cost); };
}

void WriteCostTally::Add(absl::string_view kind, uint64_t events,
                         const WriteCost& cost) {
  const absl::string_view name = kind.substr(kind.rfind('.') + 1);
  absl::MutexLock lock(&mu_);
  Kind& k = kinds_[std::string(name)];
  ++k.appends;
  k.events += events;
  k.cost += cost;
}

std::string WriteCostTally::Report() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::string, Kind>> rows(kinds_.begin(), kinds_.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.appends > b.second.appends;
  });
  Kind total;
  for (const auto& [name, k] : rows) {
    total.appends += k.appends;
    total.events += k.events;
    total.cost += k.cost;
  }
  rows.emplace_back("(all)", total);

  std::string out =
      absl::StrFormat("%-28s %9s %6s %6s", "kind", "appends", "events", "keys");
  for (Table t : kColumns) {
    absl::StrAppendFormat(&out, " %8s", engine::TableName(t).substr(0, 8));
  }
  absl::StrAppend(&out, "    bytes\n");
  for (const auto& [name, k] : rows) {
    if (k.appends == 0) continue;
    const double n = static_cast<double>(k.appends);
    uint64_t keys = 0, bytes = 0;
    for (const WriteCost::Writes& w : k.cost.tables) {
      keys += Keys(w);
      bytes += w.bytes;
    }
    absl::StrAppendFormat(&out, "%-28s %9d %6.2f %6.2f", name, k.appends,
                          k.events / n, keys / n);
    for (Table t : kColumns) {
      absl::StrAppendFormat(&out, " %8.2f",
                            Keys(k.cost.tables[static_cast<size_t>(t)]) / n);
    }
    absl::StrAppendFormat(&out, " %8.0f\n", bytes / n);
  }
  absl::StrAppend(&out, "bytes per append by table (all kinds):");
  for (Table t : kColumns) {
    absl::StrAppendFormat(
        &out, " %s %.0f", engine::TableName(t),
        static_cast<double>(total.cost.tables[static_cast<size_t>(t)].bytes) /
            std::max<uint64_t>(total.appends, 1));
  }
  absl::StrAppend(&out, "\n");
  return out;
}

}  // namespace returnpath::bench
