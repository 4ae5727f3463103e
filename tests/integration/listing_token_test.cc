// Page tokens carry nothing the caller may not see and open only for the
// caller and query they were given for; task listings show only tasks of
// persons in scope, and log what they show.

#include <functional>
#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using ListingTokenTest = ScopedTest;

constexpr char kNotOurs[] = "page_token is not one this server gave out";

v1::ListPathwaysRequest ByCentre(const std::string& token) {
  v1::ListPathwaysRequest request;
  request.set_index_prefix("centre/");
  request.set_page_size(1);
  request.set_page_token(token);
  return request;
}

// Every byte a token carries, decoded as far as base64 goes.
std::string Decoded(const std::string& token) {
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(token, &bytes)) return token;
  return bytes;
}

// Follows a listing from the first page to the last: `page` lists the page a
// token names and returns the next token. Every token it was given, decoded.
std::vector<std::string> WalkPages(
    const std::function<absl::StatusOr<std::string>(const std::string&)>&
        page) {
  std::vector<std::string> tokens;
  std::string token;
  do {
    absl::StatusOr<std::string> next = page(token);
    EXPECT_TRUE(next.ok()) << next.status();
    if (!next.ok() || tokens.size() == 10) break;
    token = *next;
    tokens.push_back(Decoded(token));
  } while (!token.empty());
  return tokens;
}

TEST_F(ListingTokenTest, PathwayTokensNameNoOneOutOfScope) {
  std::set<std::string> listed;
  const std::vector<std::string> tokens =
      WalkPages([&](const std::string& token) -> absl::StatusOr<std::string> {
        absl::StatusOr<v1::ListPathwaysResponse> page =
            Client("reception-oslo").ListPathways(ByCentre(token));
        if (!page.ok()) return page.status();
        for (const v1::PathwayView& view : page->pathways())
          listed.insert(view.person_id());
        return page->next_page_token();
      });
  for (const std::string& token : tokens) {
    for (const char* id : kBergen) EXPECT_THAT(token, Not(HasSubstr(id)));
    EXPECT_THAT(token, Not(HasSubstr("Bergen")));
  }
  EXPECT_EQ(listed, std::set<std::string>({"P-O1", "P-O2"}));
}

TEST_F(ListingTokenTest, PathwayTokensOpenForTheirCallerAndQueryOnly) {
  absl::StatusOr<v1::ListPathwaysResponse> first =
      Client("reception-oslo").ListPathways(ByCentre(""));
  RP_ASSERT_OK(first);
  const std::string token = first->next_page_token();
  ASSERT_FALSE(token.empty());
  RP_EXPECT_OK(Client("reception-oslo").ListPathways(ByCentre(token)));

  auto expect_refused = [](const absl::Status& status) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(status.message(), kNotOurs);
  };
  // Another principal, even with the same scope.
  expect_refused(
      Client("reception-oslo-2").ListPathways(ByCentre(token)).status());
  // Another query.
  v1::ListPathwaysRequest other = ByCentre(token);
  other.set_index_prefix("stage/");
  expect_refused(Client("reception-oslo").ListPathways(other).status());
  // A token made up from a key, as today's tokens were.
  expect_refused(Client("reception-oslo")
                     .ListPathways(ByCentre(absl::WebSafeBase64Escape(
                         std::string("centre/Bergen-1\0P-B1", 20))))
                     .status());
  // A tampered token.
  std::string tampered = Decoded(token);
  tampered[tampered.size() / 2] ^= 1;
  expect_refused(
      Client("reception-oslo")
          .ListPathways(ByCentre(absl::WebSafeBase64Escape(tampered)))
          .status());
}

v1::ListTasksRequest Queue(const std::string& queue, const std::string& token) {
  v1::ListTasksRequest request;
  request.set_queue(queue);
  request.set_page_size(1);
  request.set_page_token(token);
  return request;
}

TEST_F(ListingTokenTest, TaskListingsShowPersonsInScopeOnly) {
  // adviser-queues may work every advisers queue, but only for OSLO persons.
  client::Client& adviser = Client("adviser-queues");
  absl::StatusOr<v1::ListTasksResponse> bergen =
      adviser.ListTasks(Queue("advisers/Bergen-1", ""));
  RP_ASSERT_OK(bergen);
  EXPECT_EQ(bergen->tasks_size(), 0);
  for (const char* id : kBergen) {
    EXPECT_THAT(Decoded(bergen->next_page_token()), Not(HasSubstr(id)));
  }
  absl::StatusOr<v1::ListTasksResponse> dead =
      adviser.ListDeadLetters(Queue("advisers/Bergen-1", ""));
  RP_ASSERT_OK(dead);
  EXPECT_EQ(dead->tasks_size(), 0);
}

TEST_F(ListingTokenTest, TaskListingsAreLoggedAndTheirTokensSealed) {
  client::Client& adviser = Client("adviser-oslo");
  std::set<std::string> persons;
  const std::vector<std::string> tokens =
      WalkPages([&](const std::string& token) -> absl::StatusOr<std::string> {
        absl::StatusOr<v1::ListTasksResponse> page =
            adviser.ListTasks(Queue("advisers/Oslo-1", token));
        if (!page.ok()) return page.status();
        for (const v1::Task& task : page->tasks())
          persons.insert(task.stream_id());
        return page->next_page_token();
      });
  for (const std::string& token : tokens) {
    for (const char* id : kOslo) EXPECT_THAT(token, Not(HasSubstr(id)));
  }
  EXPECT_EQ(persons, std::set<std::string>({"P-O1", "P-O2"}));
  for (const char* id : kOslo) {
    bool logged = false;
    for (const v1::AccessRecord& record : AccessRecords(id))
      logged |= record.principal() == "adviser-oslo" &&
                record.method() == "ListTasks";
    EXPECT_TRUE(logged) << id;
  }
  // Another adviser cannot go on from this adviser's token.
  absl::StatusOr<v1::ListTasksResponse> first =
      adviser.ListTasks(Queue("advisers/Oslo-1", ""));
  RP_ASSERT_OK(first);
  ASSERT_FALSE(first->next_page_token().empty());
  const absl::Status foreign =
      Client("adviser-queues")
          .ListTasks(Queue("advisers/Oslo-1", first->next_page_token()))
          .status();
  EXPECT_EQ(foreign.code(), absl::StatusCode::kInvalidArgument) << foreign;
  EXPECT_EQ(foreign.message(), kNotOurs);
  const absl::Status made_up =
      adviser.ListDeadLetters(Queue("advisers/Oslo-1", "AAAA")).status();
  EXPECT_EQ(made_up.code(), absl::StatusCode::kInvalidArgument) << made_up;
}

}  // namespace
}  // namespace returnpath::integration
