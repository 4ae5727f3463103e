#include "server/input_bounds.h"

#include "engine/testing/packed.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Engine messages stand in for events: the walk knows no event type.
using ::returnpath::engine::testing::Packed;

void ExpectRefused(const absl::Status& status, const std::string& names) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(names));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("xxxx")));
}

TEST(InputBoundsTest, IdsHaveALengthAndNoControlCharacters) {
  EXPECT_TRUE(CheckId("person_id", std::string(kMaxIdBytes, 'x')).ok());
  ExpectRefused(CheckId("person_id", std::string(kMaxIdBytes + 1, 'x')),
                "person_id must be at most 128 bytes");
  ExpectRefused(CheckId("queue", std::string("a\0b", 3)), "queue");
  ExpectRefused(CheckId("worker", "a\nb"), "worker");
}

TEST(InputBoundsTest, TimesStayInASaneRange) {
  google::protobuf::Timestamp t;
  t.set_seconds(1772323200);  // 2026-03-01
  EXPECT_TRUE(CheckTime("effective_time", t).ok());
  EXPECT_TRUE(CheckTime("effective_time", {}).ok());  // unset
  google::protobuf::Timestamp year_10000 = t;
  year_10000.set_seconds(253402300800);
  ExpectRefused(CheckTime("effective_time", year_10000), "effective_time");
  google::protobuf::Timestamp negative_nanos = t;
  negative_nanos.set_nanos(-1);
  ExpectRefused(CheckTime("effective_time", negative_nanos), "nanos");
  google::protobuf::Timestamp too_many_nanos = t;
  too_many_nanos.set_nanos(1000000000);
  ExpectRefused(CheckTime("recorded_time", too_many_nanos), "recorded_time");
  google::protobuf::Timestamp ancient;
  ancient.set_seconds(-2208988801);  // a second before 1900
  ExpectRefused(CheckTime("from", ancient), "1900");
}

TEST(InputBoundsTest, DurationsAreWellFormed) {
  google::protobuf::Duration d;
  d.set_seconds(60);
  EXPECT_TRUE(CheckDuration("lease", d).ok());
  d.set_nanos(-5);
  ExpectRefused(CheckDuration("lease", d), "lease");
  d.set_nanos(0);
  d.set_seconds(INT64_MAX);
  ExpectRefused(CheckDuration("wait", d), "wait");
}

TEST(InputBoundsTest, EventStringsAreBoundedWhereverTheyAre) {
  v1::StreamRecord record;
  record.set_stream_id("P-1");
  record.add_index_keys("centre/Oslo-1");
  EXPECT_TRUE(CheckEvent("event", Packed(record)).ok());
  record.add_index_keys(std::string(kMaxTextBytes + 1, 'x'));
  ExpectRefused(CheckEvent("event", Packed(record)),
                "event.index_keys[1] must be at most 4096 bytes");

  v1::PathwayView view;
  view.add_open_tasks()->set_title(std::string(kMaxTextBytes + 1, 'x'));
  ExpectRefused(CheckEvent("event", Packed(view)), "event.open_tasks[0].title");
}

TEST(InputBoundsTest, EventRepeatedFieldsAreBounded) {
  v1::PathwayView view;
  for (int i = 0; i < kMaxRepeated; ++i) view.add_index_keys("k");
  EXPECT_TRUE(CheckEvent("event", Packed(view)).ok());
  view.add_index_keys("k");
  ExpectRefused(CheckEvent("event", Packed(view)),
                "event.index_keys must have at most 64 entries");
}

TEST(InputBoundsTest, TimesInsideAnEventAreInRange) {
  v1::Task task;
  task.mutable_due_time()->set_seconds(253402300800);  // year 10000
  ExpectRefused(CheckEvent("event", Packed(task)), "event.due_time");
  task.mutable_due_time()->set_seconds(1772323200);
  task.mutable_due_time()->set_nanos(-7);
  ExpectRefused(CheckEvent("event", Packed(task)), "event.due_time");
  task.mutable_due_time()->set_nanos(0);
  EXPECT_TRUE(CheckEvent("event", Packed(task)).ok());
}

TEST(InputBoundsTest, AnEventPackedInsideAnEventObeysTheSameBounds) {
  v1::PathwayView view;
  for (int i = 0; i <= kMaxRepeated; ++i) view.add_index_keys("k");
  google::protobuf::Any inner = Packed(view);
  ExpectRefused(CheckEvent("event", Packed(inner)),
                "event.index_keys must have at most 64 entries");
  v1::Task task;
  task.mutable_due_time()->set_seconds(253402300800);
  ExpectRefused(CheckEvent("event", Packed(Packed(task))), "event.due_time");
}

TEST(InputBoundsTest, EventSizeIsBoundedBeforeItIsParsed) {
  v1::StreamRecord record;
  record.set_state(std::string(kMaxEventBytes, 'x'));
  ExpectRefused(CheckEvent("event", Packed(record)),
                "event must be at most 65536 bytes");
}

TEST(InputBoundsTest, EventNestingIsBounded) {
  google::protobuf::Value value;
  google::protobuf::Value* inner = &value;
  for (int i = 0; i < kMaxNesting; ++i) {
    inner = inner->mutable_list_value()->add_values();
  }
  inner->set_string_value("deep");
  ExpectRefused(CheckEvent("event", Packed(value)), "levels deep");
}

TEST(InputBoundsTest, EventTypeMustBeKnownAndParse) {
  google::protobuf::Any unknown;
  unknown.set_type_url("type.googleapis.com/no.such.Message");
  ExpectRefused(CheckEvent("event", unknown), "event.type_url");
  google::protobuf::Any long_url;
  long_url.set_type_url(std::string(kMaxKeyBytes + 1, 'x'));
  ExpectRefused(CheckEvent("event", long_url),
                "event.type_url must be at most 256 bytes");
  google::protobuf::Any garbage = Packed(v1::StreamRecord());
  garbage.set_value("\xff\xff\xff");
  ExpectRefused(CheckEvent("event", garbage), "does not parse");
}

TEST(InputBoundsTest, TaskFreeTextIsBounded) {
  v1::CompleteTaskRequest complete;
  complete.mutable_task()->set_person_id("P-1");
  complete.mutable_task()->set_task_id("t");
  complete.set_outcome("held");
  complete.set_note("a note\nover two lines");
  EXPECT_TRUE(CheckBounds(complete).ok());
  complete.set_note(std::string(kMaxTextBytes + 1, 'x'));
  ExpectRefused(CheckBounds(complete), "note");
  complete.clear_note();
  complete.set_outcome(std::string(kMaxIdBytes + 1, 'x'));
  ExpectRefused(CheckBounds(complete), "outcome");
  v1::FailTaskRequest fail;
  fail.set_error(std::string(kMaxTextBytes + 1, 'x'));
  ExpectRefused(CheckBounds(fail), "error");
  v1::ReleaseTaskRequest release;
  release.mutable_task()->set_worker(std::string(kMaxIdBytes + 1, 'x'));
  ExpectRefused(CheckBounds(release), "task.worker");
}

TEST(InputBoundsTest, HumanTaskCallsAreBounded) {
  v1::ClaimTaskRequest claim;
  claim.mutable_task()->set_task_id(std::string(kMaxIdBytes + 1, 'x'));
  ExpectRefused(CheckBounds(claim), "task.task_id");
  claim.clear_task();
  claim.mutable_lease()->set_seconds(1);
  claim.mutable_lease()->set_nanos(-1);
  ExpectRefused(CheckBounds(claim), "lease");
  v1::ReassignTaskRequest reassign;
  reassign.set_to_principal("adviser-2");
  EXPECT_TRUE(CheckBounds(reassign).ok());
  reassign.set_to_principal(std::string(kMaxIdBytes + 1, 'x'));
  ExpectRefused(CheckBounds(reassign), "to_principal");
  reassign.clear_to_principal();
  reassign.set_to_worker("desk\n3");
  ExpectRefused(CheckBounds(reassign), "to_worker");
  v1::RequeueTaskRequest requeue;
  requeue.set_reason("an interpreter is booked\nfor Thursday");
  EXPECT_TRUE(CheckBounds(requeue).ok());
  requeue.set_reason(std::string(kMaxTextBytes + 1, 'x'));
  ExpectRefused(CheckBounds(requeue), "reason");
  EXPECT_TRUE(CheckBounds(v1::ListMineRequest()).ok());
}

}  // namespace
}  // namespace returnpath::engine
