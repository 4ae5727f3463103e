#include "replay/replay_fold.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/testing/runtime_test_util.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using testing::Text;

// The fake workflow, whose decoded state a rejected event leaves wrecked,
// as the return pathway's may be left half-changed.
class WreckedByRejections final : public Workflow {
 public:
  absl::StatusOr<std::string> PolicyVersionAt(absl::Time t) const override {
    return fake_.PolicyVersionAt(t);
  }
  absl::StatusOr<Transition> Apply(absl::string_view state,
                                   const EventEnvelope& event,
                                   const EventLookup& log) const override {
    return fake_.Apply(state, event, log);
  }
  absl::StatusOr<std::unique_ptr<DecodedState>> Decode(
      absl::string_view state) const override {
    return std::unique_ptr<DecodedState>(new Wrecked(fake_, state));
  }

 private:
  class Wrecked final : public DecodedState {
   public:
    Wrecked(const Workflow& fake, absl::string_view bytes)
        : bytes_(fake, bytes) {}
    absl::StatusOr<Transition> Apply(
        const EventEnvelope& event, const EventLookup& log,
        std::vector<StatisticKey>* counted) override {
      absl::StatusOr<Transition> t = bytes_.Apply(event, log, counted);
      wrecked_ = wrecked_ || !t.ok();
      return t;
    }
    std::string Encode() const override {
      return absl::StrCat(bytes_.Encode(), wrecked_ ? "|wrecked" : "");
    }

   private:
    workflow_internal::StateBytes bytes_;
    bool wrecked_ = false;
  };

  testing::FakeWorkflow fake_;
};

std::vector<EventEnvelope> Events(const std::vector<std::string>& texts) {
  std::vector<EventEnvelope> events;
  for (const std::string& text : texts) {
    EventEnvelope& e = events.emplace_back();
    e.set_stream_id("p1");
    e.set_stream_version(events.size());
    e.set_position(10 * events.size());
    *e.mutable_payload() = Text(text);
  }
  return events;
}

TEST(FoldEventsTest, ARejectedEventIsLeftOutAsIfItWereNotInTheLog) {
  std::vector<EventEnvelope> events = Events(
      {"open:k1:q:10:5 arm:t1:2", "fail", "close:k1", "fail", "arm:t2:3"});
  std::vector<EventEnvelope> without =
      Events({"open:k1:q:10:5 arm:t1:2", "close:k1", "arm:t2:3"});
  // Positions as in the log with the rejected ones.
  without[1].set_position(30);
  without[1].set_stream_version(3);
  without[2].set_position(50);
  without[2].set_stream_version(5);
  WreckedByRejections workflow;
  FoldedStream folded, expected;
  std::vector<uint64_t> rejected;
  FoldEvents(workflow, NoEvents(), FoldDetail::kFull, /*classify=*/false,
             absl::MakeSpan(events), &folded,
             [&](const EventEnvelope& event, const absl::Status& applied,
                 std::vector<Workflow::StatisticKey>*) {
               if (!applied.ok()) rejected.push_back(event.position());
             });
  FoldEvents(workflow, NoEvents(), FoldDetail::kFull, /*classify=*/false,
             absl::MakeSpan(without), &expected,
             [](const EventEnvelope&, const absl::Status& applied,
                std::vector<Workflow::StatisticKey>*) {
               EXPECT_TRUE(applied.ok()) << applied;
             });
  EXPECT_EQ(rejected, (std::vector<uint64_t>{20, 40}));
  EXPECT_EQ(EncodedState(folded), EncodedState(expected));
  EXPECT_EQ(EncodedState(folded), "|open:k1:q:10:5 arm:t1:2|close:k1|arm:t2:3");
  EXPECT_EQ(folded.version, 5u);
  EXPECT_EQ(folded.last_position, 50u);
  EXPECT_EQ(folded.index_keys, expected.index_keys);
  ASSERT_EQ(folded.timers.size(), 2u);
  EXPECT_EQ(folded.timers.at("t2").SerializeAsString(),
            expected.timers.at("t2").SerializeAsString());
  ASSERT_EQ(folded.tasks.size(), 1u);
  EXPECT_EQ(folded.tasks.at("k1").SerializeAsString(),
            expected.tasks.at("k1").SerializeAsString());
}

}  // namespace
}  // namespace returnpath::engine
