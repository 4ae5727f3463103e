#ifndef RETURNPATH_TESTS_RUNTIME_PLANTING_WORKFLOW_H_
#define RETURNPATH_TESTS_RUNTIME_PLANTING_WORKFLOW_H_

// Test-only: a workflow that makes the mistakes a test plants, around a real
// one, so the compliance report can be shown to find the workflow's own
// mistakes.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/workflow.h"

namespace returnpath::engine {

class PlantingWorkflow final : public Workflow {
 public:
  explicit PlantingWorkflow(std::unique_ptr<Workflow> inner)
      : inner_(std::move(inner)) {}

  // Set before the store opens. Changes each transition of `inner`.
  std::function<void(const returnpath::v1::EventEnvelope&, Transition*)> plant;
  // Changes what each event counts.
  std::function<void(const returnpath::v1::EventEnvelope&,
                     std::vector<StatisticKey>*)>
      miscount;
  // The policy version stamped on every event, if set.
  std::optional<std::string> stamp;

  absl::StatusOr<std::string> PolicyVersionAt(absl::Time t) const override {
    if (stamp.has_value()) return *stamp;
    return inner_->PolicyVersionAt(t);
  }
  absl::StatusOr<Transition> Apply(absl::string_view state,
                                   const returnpath::v1::EventEnvelope& event,
                                   const EventLookup& log) const override {
    absl::StatusOr<Transition> t = inner_->Apply(state, event, log);
    if (t.ok() && plant) plant(event, &*t);
    return t;
  }
  size_t MaxRelatedStreams() const override {
    return inner_->MaxRelatedStreams();
  }
  std::string StateTypeName() const override { return inner_->StateTypeName(); }
  std::string StateSchema() const override { return inner_->StateSchema(); }
  absl::Status MayRecord(absl::string_view role,
                         const google::protobuf::Any& event,
                         absl::Time now) const override {
    return inner_->MayRecord(role, event, now);
  }
  std::vector<std::string> EngineOnlyEventTypes() const override {
    return inner_->EngineOnlyEventTypes();
  }
  std::string StatisticsTimeZone() const override {
    return inner_->StatisticsTimeZone();
  }
  std::vector<StatisticKey> Classify(absl::string_view before,
                                     absl::string_view after,
                                     const returnpath::v1::EventEnvelope& event,
                                     const EventLookup& log) const override {
    std::vector<StatisticKey> keys =
        inner_->Classify(before, after, event, log);
    if (miscount) miscount(event, &keys);
    return keys;
  }

 private:
  std::unique_ptr<Workflow> inner_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_TESTS_RUNTIME_PLANTING_WORKFLOW_H_
