// CheckHistories: each stream's evidence read from one snapshot, one stream
// at a time (the stream index, with the tasks walked alongside in key
// order), and over every stream the workflow's statistics of that same
// snapshot compared with the checker's recount.

#include "engine/history_check.h"

#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "replay/replay_fold.h"
#include "replay/statistics_of_view.h"
#include "store/keys.h"
#include "store/stream_walk.h"

namespace returnpath::engine {
namespace {

using RowKey = std::tuple<std::string, std::string, std::string>;  // c, m, g

constexpr uint64_t kStreamsPerProgress = 1000;

// Reads the tasks of `stream` from `tasks`, a cursor in stream order, and
// moves it past them.
absl::Status ReadTasks(StreamCursor& tasks, const std::string& stream,
                       std::vector<returnpath::v1::Task>* out) {
  while (tasks.Valid() && tasks.stream() < stream) tasks.Next();
  for (; tasks.At(stream); tasks.Next()) {
    returnpath::v1::Task& task = out->emplace_back();
    if (!task.ParseFromArray(tasks.value().data(),
                             static_cast<int>(tasks.value().size()))) {
      return absl::DataLossError(
          absl::StrCat("a task record of \"", stream, "\" does not parse"));
    }
  }
  return tasks.status();
}

// One finding per statistics row the two counts disagree on.
void CompareCounts(const std::map<RowKey, int64_t>& workflow,
                   const std::map<RowKey, int64_t>& recount,
                   const HistoryCheckOptions& options,
                   HistoryCheckReport* report) {
  std::map<RowKey, std::pair<int64_t, int64_t>> both;
  for (const auto& [key, n] : workflow) both[key].first = n;
  for (const auto& [key, n] : recount) both[key].second = n;
  std::vector<Finding> found;
  for (const auto& [key, counts] : both) {
    if (counts.first == counts.second) continue;
    Finding& finding = found.emplace_back();
    finding.rule = "statistics";
    finding.dates.push_back(absl::StrCat("month ", std::get<1>(key)));
    finding.message = absl::StrCat("the statistics count ", counts.first, " ",
                                   std::get<0>(key), " in ", std::get<1>(key),
                                   " for group \"", std::get<2>(key),
                                   "\"; the history counts ", counts.second);
  }
  report->findings += found.size();
  if (!found.empty() && options.on_findings) {
    options.on_findings(std::move(found));
  }
}

}  // namespace

absl::StatusOr<HistoryCheckReport> CheckHistories(
    EventStore& store, const Workflow& workflow, const HistoryChecker& checker,
    const HistoryCheckOptions& options) {
  RP_ASSIGN_OR_RETURN(const absl::TimeZone zone, StatisticsZone(workflow));
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  const bool every_stream = !options.stream_id.has_value();
  const std::string start =
      every_stream ? "" : keys::StreamPrefix(*options.stream_id);
  const std::string limit = every_stream ? "" : keys::PrefixEnd(start);
  StreamCursor index(*view, Table::kStreams, start, limit);
  StreamCursor tasks(*view, Table::kTasks, start, limit);
  if (!every_stream && !index.Valid()) {
    RP_RETURN_IF_ERROR(index.status());
    return absl::NotFoundError(
        absl::StrCat("no stream \"", *options.stream_id, "\""));
  }
  const uint64_t total = view->LastPosition();
  HistoryCheckReport report;
  std::map<RowKey, int64_t> recount;
  while (index.Valid()) {
    StreamEvidence evidence;
    evidence.stream_id = std::string(index.stream());
    std::string problem;
    RP_RETURN_IF_ERROR(ReadIndexedStream(
        *view, index, &evidence.events,
        [&problem](std::string p) { problem = std::move(p); }));
    if (!problem.empty()) {
      return absl::DataLossError(
          absl::StrCat("cannot check \"", evidence.stream_id, "\": ", problem,
                       " (run Verify and ReplayCheck)"));
    }
    RP_RETURN_IF_ERROR(ReadTasks(tasks, evidence.stream_id, &evidence.tasks));
    ++report.streams;
    report.events += evidence.events.size();
    if (EndsErased(evidence.events)) {
      ++report.erased_streams;
      continue;
    }
    RP_ASSIGN_OR_RETURN(std::optional<returnpath::v1::StreamRecord> record,
                        ReadProto<returnpath::v1::StreamRecord>(
                            *view, Table::kState, evidence.stream_id));
    if (record.has_value())
      evidence.state = std::move(*record->mutable_state());
    RP_ASSIGN_OR_RETURN(std::vector<Finding> found,
                        checker.Check(evidence, options.now));
    std::vector<Finding> in_range;
    for (Finding& finding : found) {
      if (finding.at < options.from || finding.at >= options.to) continue;
      finding.stream_id = evidence.stream_id;
      in_range.push_back(std::move(finding));
    }
    report.findings += in_range.size();
    if (!in_range.empty() && options.on_findings) {
      options.on_findings(std::move(in_range));
    }
    if (every_stream) {
      for (Recounted& counted : checker.Recount(evidence)) {
        if (counted.effective < options.from ||
            counted.effective >= options.to) {
          continue;
        }
        ++recount[{std::move(counted.category),
                   absl::FormatTime("%Y-%m", counted.effective, zone),
                   std::move(counted.group)}];
      }
    }
    if (options.progress && report.streams % kStreamsPerProgress == 0) {
      options.progress(report.events, total);
    }
  }
  RP_RETURN_IF_ERROR(index.status());
  if (options.progress) options.progress(report.events, total);
  if (!every_stream) return report;
  RP_ASSIGN_OR_RETURN(
      StatisticsReport statistics,
      StatisticsOfView(*view, workflow, options.from, options.to, nullptr));
  // Both sides count the erased streams' statistics alike.
  RP_RETURN_IF_ERROR(
      AddErased(*view, zone, options.from, options.to, &recount).status());
  std::map<RowKey, int64_t> counted;
  for (StatisticsRow& row : statistics.rows) {
    counted[{std::move(row.category), std::move(row.month),
             std::move(row.group)}] = static_cast<int64_t>(row.count);
  }
  CompareCounts(counted, recount, options, &report);
  report.statistics_compared = true;
  return report;
}

}  // namespace returnpath::engine
