#include "replay/check_coverage.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "returnpath/v1/event.pb.h"
#include "store/codec.h"
#include "store/keys.h"

namespace returnpath::engine {

using returnpath::v1::EventEnvelope;

// Events no stream index entry led to.
absl::Status ReportEventsOutsideTheIndex(const StoreView& view,
                                         const Coverage& coverage,
                                         Findings& findings) {
  absl::Status error;
  RP_RETURN_IF_ERROR(view.Scan(
      Table::kEvents, "", "",
      [&](absl::string_view key, absl::string_view value) {
        uint64_t position = 0;
        if (!keys::DecodeEvent(key, &position)) {
          error = absl::DataLossError("an events key is malformed");
          return false;
        }
        if (position < coverage.folded_positions.size() &&
            coverage.folded_positions[position]) {
          return true;
        }
        EventEnvelope event;
        error = DecodeEventValue(position, value, &event);
        if (!error.ok()) return false;
        findings.Report(event.stream_id(), "state",
                        absl::StrCat("the event at position ", position,
                                     " (version ", event.stream_version(),
                                     ") is not in the stream index"));
        return true;
      }));
  return error;
}

// Entries of the families walked by key that no stream accounted for.
absl::Status ReportStrays(const StoreView& view, const Coverage& coverage,
                          Findings& findings) {
  auto expected = [&coverage](Table table, absl::string_view key) {
    return coverage.expected.contains(Coverage::Fingerprint(table, key));
  };
  RP_RETURN_IF_ERROR(view.Scan(
      Table::kIndex, "", "", [&](absl::string_view raw, absl::string_view) {
        std::string key, stream;
        if (!keys::DecodeIndexEntry(raw, &key, &stream)) {
          findings.Report("", "index", "an index entry is malformed");
        } else if (!expected(Table::kIndex, raw)) {
          findings.Report(stream, "index",
                          absl::StrCat("stray index entry \"", key, "\""));
        }
        return true;
      }));
  RP_RETURN_IF_ERROR(view.Scan(
      Table::kTimers, "", "", [&](absl::string_view key, absl::string_view) {
        absl::Time due;
        std::string stream, id;
        if (!keys::DecodeTimerDue(key, &due, &stream, &id)) {
          findings.Report("", "timers", "a timers key is malformed");
        } else if (!expected(Table::kTimers, key)) {
          findings.Report(stream, "timers",
                          absl::StrCat("timer \"", id,
                                       "\" has no matching timer_ids entry"));
        }
        return true;
      }));
  return view.Scan(
      Table::kTaskReady, "", "", [&](absl::string_view key, absl::string_view) {
        if (key.empty() || key[0] == '\0') return true;  // queue hints
        if (expected(Table::kTaskReady, key)) return true;
        std::string queue, stream, id;
        keys::DecodeTaskReady(key, &queue, &stream, &id);
        findings.Report(
            stream, "tasks",
            absl::StrCat("ready entry of queue \"", queue, "\" for task \"", id,
                         "\" names no open task with that order"));
        return true;
      });
}

}  // namespace returnpath::engine
