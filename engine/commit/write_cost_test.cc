// StoreOptions::on_append: what each append wrote, table by table.

#include <string>
#include <vector>

#include "engine/event_store.h"
#include "engine/testing/runtime_test_util.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

struct Observed {
  std::string kind;
  uint64_t events;
  WriteCost cost;
};

class WriteCostTest : public testing::RuntimeTest {
 protected:
  WriteCostTest() {
    on_append_ = [this](absl::string_view kind, uint64_t events,
                        const WriteCost& cost) {
      observed_.push_back({std::string(kind), events, cost});
    };
    Reopen();
  }

  const WriteCost::Writes& At(size_t i, Table table) const {
    return observed_.at(i).cost.tables[static_cast<size_t>(table)];
  }

  std::vector<Observed> observed_;
};

TEST_F(WriteCostTest, CountsEachTableAnAppendWrites) {
  Append("p1", "arm:t1:2 open:k1:q:10:5");
  ASSERT_EQ(observed_.size(), 1u);
  EXPECT_EQ(observed_[0].kind, testing::Text("").type_url());
  EXPECT_EQ(observed_[0].events, 1u);
  for (Table table :
       {Table::kEvents, Table::kStreams, Table::kState, Table::kIndex,
        Table::kTimers, Table::kTimerIds, Table::kTasks, Table::kTaskReady}) {
    EXPECT_EQ(At(0, table).puts, 1u) << TableName(table);
    EXPECT_EQ(At(0, table).deletes, 0u) << TableName(table);
    EXPECT_GT(At(0, table).bytes, 0u) << TableName(table);
  }
  EXPECT_EQ(At(0, Table::kIdempotency).puts, 0u);  // no key was given

  // Cancelling the timer deletes both its keys; the index key changes.
  Append("p1", "cancel:t1");
  ASSERT_EQ(observed_.size(), 2u);
  EXPECT_EQ(At(1, Table::kTimers).deletes, 1u);
  EXPECT_EQ(At(1, Table::kTimerIds).deletes, 1u);
  EXPECT_EQ(At(1, Table::kIndex).deletes, 1u);
  EXPECT_EQ(At(1, Table::kIndex).puts, 1u);
  EXPECT_EQ(At(1, Table::kTasks).puts, 0u);
}

TEST_F(WriteCostTest, RelatedEventsCountWithTheAppendAndRefusalsNotAtAll) {
  Append("p1", "to:p2:open:k1:q:10:5");
  ASSERT_EQ(observed_.size(), 1u);
  EXPECT_EQ(observed_[0].events, 2u);
  EXPECT_EQ(At(0, Table::kEvents).puts, 2u);
  EXPECT_EQ(At(0, Table::kState).puts, 2u);
  EXPECT_EQ(At(0, Table::kTasks).puts, 1u);

  AppendRequest refused = testing::Req("p1", {"fail"});
  EXPECT_FALSE(store_->Append(std::move(refused)).ok());
  EXPECT_EQ(observed_.size(), 1u);
}

}  // namespace
}  // namespace returnpath::engine
