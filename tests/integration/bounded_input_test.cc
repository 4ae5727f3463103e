// Everything a caller sends is bounded: strings, repeated fields, the size of
// an event, and times. Refusals are INVALID_ARGUMENT naming the field and the
// limit, never repeating the value, and write nothing; an oversized event can
// no longer make a person's pathway or their centre's listing unreadable.

#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using BoundedInputTest = ScopedTest;

// An oversized value is always made of these, so no message may contain it.
std::string Filler(size_t bytes) { return std::string(bytes, 'x'); }

#define EXPECT_REFUSED(expr, ...)                                           \
  do {                                                                      \
    const ::absl::Status rp_s_ = ::returnpath::integration::StatusOf(expr); \
    EXPECT_EQ(rp_s_.code(), ::absl::StatusCode::kInvalidArgument)           \
        << #expr << ": " << rp_s_;                                          \
    for (const char* part : {__VA_ARGS__})                                  \
      EXPECT_THAT(std::string(rp_s_.message()), HasSubstr(part)) << #expr;  \
    EXPECT_THAT(std::string(rp_s_.message()), Not(HasSubstr("xxxx")));      \
  } while (0)

client::BuiltEvent Conversation(const std::string& note) {
  v1::ReturnConversationHeld conversation;
  conversation.set_note(note);
  client::BuiltEvent event;
  event.event.PackFrom(conversation);
  return event;
}

v1::RecordEventRequest ConversationFor(const std::string& person) {
  v1::RecordEventRequest request;
  request.set_person_id(person);
  request.mutable_event()->PackFrom(v1::ReturnConversationHeld());
  *request.mutable_effective_time() =
      client::ToTimestamp(Utc("2026-02-28T10:00:00Z"));
  return request;
}

TEST_F(BoundedInputTest, AnOversizedEventIsRefusedAndReadsKeepWorking) {
  client::Client& adviser = Client("adviser-oslo");
  const size_t before = WholeLog().size();
  EXPECT_REFUSED(adviser.Record("P-O1", Conversation(Filler(3 << 20))),
                 "event", "65536 bytes");
  EXPECT_REFUSED(adviser.Record("P-O1", Conversation(Filler(5000))),
                 "event.note", "4096 bytes");
  RP_EXPECT_OK(adviser.Record("P-O1", Conversation("held in Norwegian")));
  EXPECT_EQ(WholeLog().size(), before + 1);
  RP_EXPECT_OK(adviser.GetPathway("P-O1"));
  v1::ListPathwaysRequest centre;
  centre.set_index_prefix("centre/Oslo-1");
  RP_EXPECT_OK(adviser.ListPathways(centre));
}

// Enrols `person` in courses with long titles until the server refuses;
// returns the refusal. The courses a person took stay in their pathway.
absl::Status GrowToTheLimit(client::Client& reception,
                            const std::string& person) {
  absl::Status recorded;
  for (int n = 0; recorded.ok() && n < 2000; ++n) {
    v1::QualificationCourseEnrolled course;
    course.set_course_id(absl::StrCat("course-", n));
    course.set_title(Filler(4000));
    client::BuiltEvent event;
    event.event.PackFrom(course);
    recorded = reception.Record(person, event).status();
  }
  return recorded;
}

// What an event says stays in the log: a person's many long notes do not
// grow the pathway that is served.
TEST_F(BoundedInputTest, NotesStayInTheLogNotInThePathway) {
  client::Client& adviser = Client("adviser-oslo");
  for (int i = 0; i < 300; ++i) {
    RP_ASSERT_OK(adviser.Record("P-O1", Conversation(Filler(4000))));
  }
  absl::StatusOr<v1::PathwayView> pathway = adviser.GetPathway("P-O1");
  RP_ASSERT_OK(pathway);
  EXPECT_LT(pathway->state().value().size(), 16u * 1024);
}

// Many events each within bounds must not grow a pathway past what can be
// served: the person and their centre's listing stay readable.
TEST_F(BoundedInputTest, APathwayStopsGrowingBeforeItCannotBeServed) {
  client::Client& reception = Client("reception-oslo");
  const absl::Status refused = GrowToTheLimit(reception, "P-O1");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_THAT(std::string(refused.message()), HasSubstr("1024 KiB"));
  RP_EXPECT_OK(reception.GetPathway("P-O1"));
  v1::ListPathwaysRequest centre;
  centre.set_index_prefix("centre/Oslo-1");
  RP_EXPECT_OK(reception.ListPathways(centre));
}

// A page of pathways each at the limit ends early, with a token, rather than
// pass the reply limit; paging on lists each person once.
TEST_F(BoundedInputTest, AListingOfLargePathwaysEndsItsPageEarly) {
  client::Client& adviser = Client("adviser-oslo");
  AddPerson("P-O3", "Oslo-1", "oslo");
  AddPerson("P-O4", "Oslo-1", "oslo");
  for (const char* person : {"P-O1", "P-O2", "P-O3", "P-O4"}) {
    ASSERT_EQ(GrowToTheLimit(Client("reception-oslo"), person).code(),
              absl::StatusCode::kResourceExhausted);
  }
  std::vector<std::string> listed;
  const std::vector<std::string> pages =
      FollowPages([&](const std::string& token) -> absl::StatusOr<std::string> {
        v1::ListPathwaysRequest centre;
        centre.set_index_prefix("centre/Oslo-1");
        centre.set_page_token(token);
        absl::StatusOr<v1::ListPathwaysResponse> page =
            adviser.ListPathways(centre);
        if (!page.ok()) return page.status();
        for (const v1::PathwayView& view : page->pathways())
          listed.push_back(view.person_id());
        return page->next_page_token();
      });
  EXPECT_GT(pages.size(), 1u);
  EXPECT_THAT(listed,
              ::testing::UnorderedElementsAre("P-O1", "P-O2", "P-O3", "P-O4"));
}

TEST_F(BoundedInputTest, ARegistrationListsABoundedHousehold) {
  v1::PersonRegistered person;
  absl::StatusOr<client::BuiltEvent> registration =
      client::BuildEvent("register", {{"person", "P-BIG"},
                                      {"household", "H-BIG"},
                                      {"born", "1980-05-01"},
                                      {"nationality", "AF"},
                                      {"centre", "Oslo-1"},
                                      {"region", "oslo"}});
  RP_ASSERT_OK(registration);
  ASSERT_TRUE(registration->event.UnpackTo(&person));
  for (int i = 0; i < 1000; ++i) {
    v1::HouseholdMember* child = person.add_household_members();
    child->set_person_id(absl::StrCat("C-", i));
  }
  client::BuiltEvent big;
  big.event.PackFrom(person);
  const size_t before = WholeLog().size();
  EXPECT_REFUSED(Client("reception-oslo").Record("P-BIG", big),
                 "event.household_members", "at most 64 entries");
  EXPECT_EQ(WholeLog().size(), before);
}

// A correction carries a whole event and a time: both obey the bounds of a
// recorded event (a corrected time in year 10000 used to abort the daemon).
TEST_F(BoundedInputTest, ACorrectionObeysTheBoundsOfTheEventItCarries) {
  client::Client& reception = Client("reception-oslo");
  v1::EventEnvelope registration;
  for (const v1::EventEnvelope& event : WholeLog()) {
    if (event.stream_id() == "P-O1" && event.stream_version() == 1)
      registration = event;
  }
  const uint64_t registered = registration.position();
  v1::PersonRegistered person;
  ASSERT_TRUE(registration.payload().UnpackTo(&person));
  for (int i = 0; i < 220; ++i) {
    person.add_household_members()->set_person_id(absl::StrCat("C-", i));
  }
  v1::EventCorrected too_many;
  too_many.set_corrected_position(registered);
  too_many.set_reason("typo");
  too_many.mutable_replacement()->PackFrom(person);
  client::BuiltEvent crowded;
  crowded.event.PackFrom(too_many);
  const size_t before = WholeLog().size();
  EXPECT_REFUSED(reception.Record("P-O1", crowded), "household_members",
                 "at most 64 entries");

  v1::EventCorrected far_future;
  far_future.set_corrected_position(registered);
  far_future.set_reason("typo");
  *far_future.mutable_replacement() = registration.payload();
  far_future.mutable_effective_time()->set_seconds(253402300800);
  client::BuiltEvent late;
  late.event.PackFrom(far_future);
  EXPECT_REFUSED(reception.Record("P-O1", late), "effective_time", "2200");
  far_future.mutable_effective_time()->set_seconds(1772323200);
  far_future.mutable_effective_time()->set_nanos(-7);
  late.event.PackFrom(far_future);
  EXPECT_REFUSED(reception.Record("P-O1", late), "effective_time", "nanos");
  EXPECT_EQ(WholeLog().size(), before);
  RP_EXPECT_OK(reception.GetPathway("P-O1"));  // the daemon is still there
}

TEST_F(BoundedInputTest, EffectiveTimesStayInASaneRange) {
  client::Client& adviser = Client("adviser-oslo");
  v1::RecordEventRequest year_10000 = ConversationFor("P-O1");
  year_10000.mutable_effective_time()->set_seconds(253402300800);
  EXPECT_REFUSED(adviser.RecordEvent(year_10000), "effective_time", "2200");
  v1::RecordEventRequest negative_nanos = ConversationFor("P-O1");
  negative_nanos.mutable_effective_time()->set_nanos(-1);
  EXPECT_REFUSED(adviser.RecordEvent(negative_nanos), "effective_time",
                 "nanos");
  v1::RecordEventRequest whole_second = ConversationFor("P-O1");
  whole_second.mutable_effective_time()->set_nanos(1000000000);
  EXPECT_REFUSED(adviser.RecordEvent(whole_second), "effective_time");

  v1::AsOfRequest as_of;
  as_of.set_person_id("P-O1");
  as_of.mutable_effective_time()->set_seconds(253402300800);
  EXPECT_REFUSED(Client("auditor-all").PathwayAsOf(as_of), "effective_time");
  v1::StatisticsRequest statistics;
  statistics.mutable_from()->set_nanos(-5);
  EXPECT_REFUSED(Client("auditor-all").Statistics(statistics), "from");
}

TEST_F(BoundedInputTest, IdsKeysAndTokensAreBounded) {
  client::Client& adviser = Client("adviser-oslo");
  v1::RecordEventRequest key = ConversationFor("P-O1");
  key.set_idempotency_key(Filler(129));
  EXPECT_REFUSED(adviser.RecordEvent(key), "idempotency_key", "128 bytes");
  v1::RecordEventRequest correlation = ConversationFor("P-O1");
  correlation.set_correlation_id(Filler(129));
  EXPECT_REFUSED(adviser.RecordEvent(correlation), "correlation_id", "128");
  v1::RecordEventRequest type_url = ConversationFor("P-O1");
  type_url.mutable_event()->set_type_url(Filler(300));
  EXPECT_REFUSED(adviser.RecordEvent(type_url), "event.type_url", "256");

  EXPECT_REFUSED(adviser.GetPathway(Filler(129)), "person_id", "128");
  v1::ListPathwaysRequest prefix;
  prefix.set_index_prefix(Filler(300));
  EXPECT_REFUSED(adviser.ListPathways(prefix), "index_prefix", "256");
  v1::ListPathwaysRequest token;
  token.set_index_prefix("centre/");
  token.set_page_token(Filler(2000));
  EXPECT_REFUSED(adviser.ListPathways(token), "page_token", "1024");
  v1::ListTasksRequest tasks;
  tasks.set_queue(Filler(129));
  EXPECT_REFUSED(Client("adviser-oslo").ListTasks(tasks), "queue", "128");

  client::Client& auditor = Client("auditor-all");
  v1::HistoryRequest history;
  history.set_person_id(Filler(129));
  EXPECT_REFUSED(auditor.History(history, [](const auto&) { return true; }),
                 "person_id");
  v1::AccessLogRequest access;
  access.set_person_id(Filler(129));
  EXPECT_REFUSED(auditor.AccessLog(access), "person_id");
}

TEST_F(BoundedInputTest, TaskFreeTextIsBounded) {
  client::Client& adviser = Client("adviser-oslo");
  v1::PollTasksRequest take;
  take.set_queue("advisers/Oslo-1");
  take.set_worker("w");
  absl::StatusOr<v1::PollTasksResponse> got = adviser.Poll(take);
  RP_ASSERT_OK(got);
  ASSERT_TRUE(got->has_task());
  v1::TaskRef ref;
  ref.set_person_id(got->task().stream_id());
  ref.set_task_id(got->task().id());
  ref.set_worker("w");
  v1::CompleteTaskRequest complete;
  *complete.mutable_task() = ref;
  complete.set_outcome("held");
  complete.set_note(Filler(5000));
  EXPECT_REFUSED(adviser.Complete(complete), "note", "4096");
  complete.clear_note();
  complete.set_outcome(Filler(129));
  EXPECT_REFUSED(adviser.Complete(complete), "outcome", "128");
  v1::FailTaskRequest fail;
  *fail.mutable_task() = ref;
  fail.set_error(Filler(5000));
  EXPECT_REFUSED(adviser.Fail(fail), "error", "4096");
  v1::ReleaseTaskRequest release;
  *release.mutable_task() = ref;
  release.mutable_task()->set_worker(Filler(129));
  EXPECT_REFUSED(adviser.Release(release), "task.worker", "128");
  take.set_worker(Filler(129));
  EXPECT_REFUSED(adviser.Poll(take), "worker", "128");
}

}  // namespace
}  // namespace returnpath::integration
