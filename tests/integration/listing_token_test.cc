// Page tokens carry nothing the caller may not see and open only for the
// caller and query they were given for; task listings show only tasks of
// persons in scope, and log what they show.

#include <functional>
#include <set>
#include <string>
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

// FollowPages, every token decoded.
std::vector<std::string> WalkPages(
    const std::function<absl::StatusOr<std::string>(const std::string&)>&
        page) {
  std::vector<std::string> tokens = FollowPages(page);
  for (std::string& token : tokens) token = Decoded(token);
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

using Pages = std::vector<std::vector<std::string>>;

// The persons of each page `client` is given for `request` at page size 1,
// from the first page to the last.
Pages PathwayPages(client::Client& client, v1::ListPathwaysRequest request) {
  request.set_page_size(1);
  Pages pages;
  FollowPages([&](const std::string& token) -> absl::StatusOr<std::string> {
    request.set_page_token(token);
    absl::StatusOr<v1::ListPathwaysResponse> page =
        client.ListPathways(request);
    if (!page.ok()) return page.status();
    std::vector<std::string>& persons = pages.emplace_back();
    for (const v1::PathwayView& view : page->pathways())
      persons.push_back(view.person_id());
    return page->next_page_token();
  });
  return pages;
}

v1::ListPathwaysRequest Prefix(const std::string& prefix) {
  v1::ListPathwaysRequest request;
  request.set_index_prefix(prefix);
  return request;
}

v1::ListPathwaysRequest Range(const std::string& from, const std::string& to) {
  v1::ListPathwaysRequest request;
  request.set_from_key(from);
  request.set_to_key(to);
  return request;
}

// Bergen-1 holds two persons (the fixture's), Bergen-2 one, Bergen-3 none:
// to Oslo-1's reception all three look the same, one empty page and no token,
// so neither pages nor tokens count what is out of scope.
TEST_F(ListingTokenTest, OutOfScopeCentresLookEmptyWhateverTheyHold) {
  AddPerson("P-B3", "Bergen-2", "vest");
  client::Client& oslo = Client("reception-oslo");
  const Pages empty = {{}};
  for (const std::string centre : {"Bergen-1", "Bergen-2", "Bergen-3"}) {
    EXPECT_EQ(PathwayPages(oslo, Prefix("centre/" + centre)), empty) << centre;
  }
  EXPECT_EQ(PathwayPages(oslo, Prefix("centre/B")), empty);
  EXPECT_EQ(PathwayPages(oslo, Range("centre/Bergen-1", "centre/Bergen-9")),
            empty);
}

// Out-of-scope persons before, between and after the caller's own: each page
// holds one person in scope, each once, and the last page carries no token.
TEST_F(ListingTokenTest, PagesCountOnlyPersonsInScope) {
  AddPerson("P-B3", "Bergen-2", "vest");
  AddPerson("P-S1", "Stavanger-1", "vest");
  const Pages oslo = {{"P-O1"}, {"P-O2"}};
  EXPECT_EQ(PathwayPages(Client("reception-oslo"), Prefix("centre/")), oslo);
  EXPECT_EQ(PathwayPages(Client("reception-oslo"),
                         Range("centre/Bergen-1", "centre/Stavanger-1")),
            oslo);
  EXPECT_EQ(PathwayPages(Client("reception-bergen"), Prefix("centre/")),
            Pages({{"P-B1"}, {"P-B2"}}));
  EXPECT_EQ(PathwayPages(Client("reception-vest"), Prefix("centre/")),
            Pages({{"P-B1"}, {"P-B2"}, {"P-B3"}, {"P-S1"}}));
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
  // Nothing in scope remains: no token that would tell the queue is not empty.
  EXPECT_EQ(bergen->next_page_token(), "");
  absl::StatusOr<v1::ListTasksResponse> dead =
      adviser.ListDeadLetters(Queue("advisers/Bergen-1", ""));
  RP_ASSERT_OK(dead);
  EXPECT_EQ(dead->tasks_size(), 0);
  EXPECT_EQ(dead->next_page_token(), "");
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
