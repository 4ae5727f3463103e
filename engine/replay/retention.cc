// EraseWhatRetentionAllows (engine/retention.h): one pass over the stored
// states of a snapshot, each asked of Workflow::RetentionDue.

#include "engine/retention.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/replay.h"
#include "engine/status_macros.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

struct Due {
  std::string stream_id;
  Workflow::Retention retention;
};

// The streams due at `now`, from one snapshot of the stored states. The
// snapshot ends with this call, before anything is erased: a live one would
// keep what an erasure's compaction must drop.
absl::Status FindDue(EventStore& store, const Workflow& workflow,
                     absl::Time now, RetentionReport* report,
                     std::vector<Due>* due) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  std::unique_ptr<TableCursor> states = view->Cursor(Table::kState);
  for (; states->Valid(); states->Next()) {
    returnpath::v1::StreamRecord record;
    if (!record.ParseFromArray(states->value().data(),
                               static_cast<int>(states->value().size()))) {
      return absl::DataLossError(absl::StrCat(
          "the state record of \"", states->key(), "\" does not parse"));
    }
    if (record.erased_at_position() != 0) continue;
    ++report->streams;
    RP_ASSIGN_OR_RETURN(std::optional<Workflow::Retention> retention,
                        workflow.RetentionDue(record.state()));
    if (!retention.has_value() || retention->due > now) continue;
    absl::StatusOr<std::string> hold = view->Get(
        Table::kMeta,
        absl::StrCat(keys::kMetaLegalHoldPrefix, record.stream_id()));
    if (hold.ok()) {
      ++report->held;
      continue;
    }
    if (!absl::IsNotFound(hold.status())) return hold.status();
    due->push_back({record.stream_id(), *std::move(retention)});
  }
  return states->status();
}

}  // namespace

absl::StatusOr<RetentionReport> EraseWhatRetentionAllows(
    EventStore& store, const Workflow& workflow, absl::Time now,
    const std::string& principal) {
  RetentionReport report;
  std::vector<Due> due;
  RP_RETURN_IF_ERROR(FindDue(store, workflow, now, &report, &due));
  for (Due& d : due) {
    EraseRequest request;
    request.stream_id = d.stream_id;
    request.principal = principal;
    request.reason = absl::StrCat("retention: ", d.retention.rule);
    returnpath::v1::ErasureApproval approval;
    approval.set_stream_id(d.stream_id);
    approval.set_approved_by(
        absl::StrCat("policy ", d.retention.policy_version));
    approval.set_reason(d.retention.rule);
    request.approval = std::move(approval);
    absl::StatusOr<EraseResult> erased =
        EraseStream(store, workflow, std::move(request));
    if (erased.ok()) {
      ++report.erased;
    } else if (!absl::IsFailedPrecondition(erased.status())) {
      // FAILED_PRECONDITION: erased or held meanwhile.
      ++report.failed;
      if (report.first_error.ok()) report.first_error = erased.status();
    }
  }
  return report;
}

}  // namespace returnpath::engine
