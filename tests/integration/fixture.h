#ifndef RETURNPATH_TESTS_INTEGRATION_FIXTURE_H_
#define RETURNPATH_TESTS_INTEGRATION_FIXTURE_H_

// A fresh returnpathd per test (manual clock at 2026-03-01T00:00:00Z), with
// helper verbs so each test reads as the pathway it drives.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/lib/client.h"
#include "clients/lib/event_kinds.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "tests/integration/daemon.h"

namespace returnpath::integration {

#define RP_ASSERT_OK(expr)                                                  \
  do {                                                                      \
    const ::absl::Status rp_s_ = ::returnpath::integration::StatusOf(expr); \
    ASSERT_TRUE(rp_s_.ok()) << #expr << ": " << rp_s_;                      \
  } while (0)

#define RP_EXPECT_OK(expr)                                                  \
  do {                                                                      \
    const ::absl::Status rp_s_ = ::returnpath::integration::StatusOf(expr); \
    EXPECT_TRUE(rp_s_.ok()) << #expr << ": " << rp_s_;                      \
  } while (0)

// The exact code (e.g. kPermissionDenied) and a part of the message.
#define EXPECT_CODE(expr, code_, part)                                      \
  do {                                                                      \
    const ::absl::Status rp_s_ = ::returnpath::integration::StatusOf(expr); \
    EXPECT_EQ(rp_s_.code(), ::absl::StatusCode::code_)                      \
        << #expr << ": " << rp_s_;                                          \
    EXPECT_THAT(std::string(rp_s_.message()), ::testing::HasSubstr(part))   \
        << #expr;                                                           \
  } while (0)

inline absl::Status StatusOf(const absl::Status& status) { return status; }
template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& value) {
  return value.status();
}

// A named person registered by Register(): centre Oslo-1, region OSLO,
// nationality AF unless told otherwise.
struct PersonSpec {
  std::string id;
  std::string household;  // default: "H-" + id
  std::string born = "1990-05-01";
  std::string nationality = "AF";
  std::string centre = "Oslo-1";
  std::string region = "oslo";
  std::vector<std::string> switches;  // e.g. "dublin", "unaccompanied-minor"
};

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  virtual DaemonOptions Options() const { return {}; }

  Daemon& daemon() { return *daemon_; }
  // A client holding `role`'s dev token (cached).
  client::Client& As(const std::string& role);
  // A client with no token, or a made-up one.
  std::unique_ptr<client::Client> WithToken(const std::string& token);

  // ---- verbs (reception records, auditors read, admin moves the clock)
  absl::StatusOr<v1::RecordEventResponse> Register(const PersonSpec& person);
  absl::StatusOr<v1::RecordEventResponse> Record(
      const std::string& person, const std::string& kind,
      const client::EventArgs& args, const std::string& role = "reception");
  absl::StatusOr<absl::Time> AdvanceBy(absl::Duration by);
  absl::StatusOr<absl::Time> AdvanceUntil(absl::Time until);
  absl::StatusOr<v1::PathwayView> View(const std::string& person);
  absl::StatusOr<v1::PathwayState> State(const std::string& person);
  absl::StatusOr<std::vector<v1::EventEnvelope>> History(
      const std::string& person);
  absl::StatusOr<std::vector<v1::Task>> QueueTasks(const std::string& role,
                                                   const std::string& queue);

  // Blocks on the auditors' live subscription until an event for `person`
  // satisfies `match` (from the start of the log), or `timeout` passes. Used
  // after moving the clock: the timer loop records TimerFired asynchronously.
  absl::StatusOr<v1::EventEnvelope> WaitForEvent(
      const std::string& person,
      const std::function<bool(const v1::EventEnvelope&)>& match,
      absl::Duration timeout = absl::Seconds(15));
  absl::StatusOr<v1::EventEnvelope> WaitForTimer(const std::string& person,
                                                 const std::string& timer_kind);

  // Runs the returnctl binary against this daemon: `returnctl --server ...
  // --data-dir <data> <args>`.
  ProcessResult Ctl(const std::vector<std::string>& args,
                    const std::vector<std::string>& extra_env = {});

 private:
  std::unique_ptr<Daemon> daemon_;
  std::map<std::string, std::unique_ptr<client::Client>> clients_;
};

// One principal of a test daemon: its name (its token is read by As(name)),
// role and scopes.
struct PrincipalSpec {
  std::string name;
  v1::Role role;
  std::vector<std::string> scopes;
};

// Options with these principals.
DaemonOptions WithPrincipals(const std::vector<PrincipalSpec>& principals);

// Options whose principals are those a deployment gives a national returns
// team (scopes "*"), under the development names: for tests that follow a
// person through relocation, another centre or departure, or that work the
// reception queue, which the development desk at Oslo-1 does not cover.
DaemonOptions NationalTeam();

// The registration event (`register`) of `person`.
absl::StatusOr<client::BuiltEvent> RegistrationEvent(const PersonSpec& person);

// Blocks on a live event subscription over `channel` (with `token`'s bearer
// header unless empty: a client certificate) until an event for `person`
// satisfies `match` (from the start of the log), or `timeout` passes.
absl::StatusOr<v1::EventEnvelope> WaitForEvent(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
    const std::string& person,
    const std::function<bool(const v1::EventEnvelope&)>& match,
    absl::Duration timeout);

// Follows a listing from the first page to the last: `page` lists the page a
// token names and returns the next token. Every token it was given, the last
// one empty (at most 20 pages).
std::vector<std::string> FollowPages(
    const std::function<absl::StatusOr<std::string>(const std::string&)>& page);

// ---- matchers over views and payloads

// The open tasks of `kind` in the view, in the order the server gave them.
std::vector<v1::Task> TasksOfKind(const v1::PathwayView& view,
                                  const std::string& kind);
// Whether `event`'s payload is a TimerFired of `kind`.
bool IsTimerFired(const v1::EventEnvelope& event, const std::string& kind);
// The payload's full type name, e.g. "returnpath.v1.FirstRejection".
std::string PayloadType(const v1::EventEnvelope& event);
absl::Time Utc(const std::string& rfc3339);

}  // namespace returnpath::integration

#endif  // RETURNPATH_TESTS_INTEGRATION_FIXTURE_H_
