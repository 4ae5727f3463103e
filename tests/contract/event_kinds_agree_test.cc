// returnctl describes event kinds in its users' words (clients/lib), the
// workflow declares them (workflows/return_pathway/event_kinds.h): a kind
// people record must be recordable from returnctl, and returnctl must offer
// nothing the pathway would refuse as unknown or as the engine's own.

#include <set>
#include <string>

#include "clients/lib/event_kinds.h"
#include "gtest/gtest.h"
#include "workflows/return_pathway/event_kinds.h"

namespace returnpath {
namespace {

using return_pathway::EventKindInfo;
using return_pathway::RecordedBy;

TEST(EventKindsAgreeTest, ReturnctlRecordsExactlyWhatPeopleRecord) {
  std::set<std::string> people_record;
  for (const EventKindInfo& kind : return_pathway::PathwayEventKinds()) {
    if (kind.recorded_by == RecordedBy::kPeople) {
      people_record.insert(kind.type);
    }
  }
  std::set<std::string> returnctl_records;
  for (const client::EventKind& kind : client::EventKinds()) {
    returnctl_records.insert(kind.message);
  }
  EXPECT_EQ(returnctl_records, people_record);
}

}  // namespace
}  // namespace returnpath
