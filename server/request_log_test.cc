#include "server/request_log.h"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/testing/child_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/services.pb.h"

namespace returnpath::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PersonHasherTest, OnePersonOneHashThatDependsOnTheKey) {
  const PersonHasher a(std::string(32, 'a'));
  const PersonHasher b(std::string(32, 'b'));
  EXPECT_EQ(a.Of("P-1001"), a.Of("P-1001"));
  EXPECT_NE(a.Of("P-1001"), a.Of("P-1002"));
  EXPECT_NE(a.Of("P-1001"), b.Of("P-1001"));
  EXPECT_EQ(a.Of("P-1001").size(), 16u);
  EXPECT_THAT(a.Of("P-1001"), Not(HasSubstr("1001")));
}

TEST(PersonHasherTest, TheKeyFileIsMadeOnceReadableByItsOwnerOnly) {
  auto dir = process::MakeTempDir("request_log_test");
  ASSERT_TRUE(dir.ok());
  const std::string path = *dir + "/log_key";
  auto first = PersonHasher::FromKeyFile(path);
  ASSERT_TRUE(first.ok()) << first.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto again = PersonHasher::FromKeyFile(path);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(first->Of("P-1"), again->Of("P-1"));

  std::ofstream(path, std::ios::trunc) << "short";
  auto broken = PersonHasher::FromKeyFile(path);
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(broken.status().message(), HasSubstr("log_key"));
}

TEST(PersonIdsInTest, FindsTheRequestsAndItsMessagesPersons) {
  v1::GetPathwayRequest get;
  get.set_person_id("P-7");
  std::vector<std::string> ids;
  PersonIdsIn(get, &ids);
  EXPECT_THAT(ids, ElementsAre("P-7"));

  v1::AccessLogResponse records;
  records.add_records()->set_person_id("P-1");
  records.add_records()->set_person_id("P-2");
  ids.clear();
  PersonIdsIn(records, &ids);
  EXPECT_THAT(ids, ElementsAre("P-1", "P-2"));
}

TEST(RequestLogLevelTest, RefusalsWarnFailuresAreErrors) {
  CallRecord call;
  call.method = "/returnpath.v1.PathwayService/RecordEvent";
  EXPECT_EQ(RequestLogLevel(call), "info");
  call.code = grpc::StatusCode::PERMISSION_DENIED;
  EXPECT_EQ(RequestLogLevel(call), "warning");
  call.code = grpc::StatusCode::INVALID_ARGUMENT;
  EXPECT_EQ(RequestLogLevel(call), "warning");
  call.code = grpc::StatusCode::INTERNAL;
  EXPECT_EQ(RequestLogLevel(call), "error");
  call.code = grpc::StatusCode::RESOURCE_EXHAUSTED;
  EXPECT_EQ(RequestLogLevel(call), "error");
  call.method = "/grpc.health.v1.Health/Check";
  call.code = grpc::StatusCode::OK;
  EXPECT_EQ(RequestLogLevel(call), "debug");
}

TEST(LogRequestTest, OneLineWithThePersonHashedAlsoInTheReason) {
  const PersonHasher hasher(std::string(32, 'k'));
  CallRecord call;
  call.method = "/returnpath.v1.PathwayService/RecordEvent";
  call.code = grpc::StatusCode::FAILED_PRECONDITION;
  call.reason = "cannot record an appeal for P-4711: the window closed";
  call.latency = absl::Microseconds(1500);
  call.principal = "desk-oslo";
  call.subjects = {"P-4711"};
  ::testing::internal::CaptureStderr();
  LogRequest(call, hasher);
  const std::string line = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(line, HasSubstr("level=warning msg=\"request\""));
  EXPECT_THAT(line,
              HasSubstr("rpc=\"/returnpath.v1.PathwayService/RecordEvent\""));
  EXPECT_THAT(line, HasSubstr("principal=\"desk-oslo\""));
  EXPECT_THAT(line, HasSubstr("code=\"FAILED_PRECONDITION\""));
  EXPECT_THAT(line, HasSubstr("latency_ms=\"1.500\""));
  EXPECT_THAT(line, HasSubstr("persons=\"" + hasher.Of("P-4711") + "\""));
  EXPECT_THAT(line, HasSubstr("#" + hasher.Of("P-4711") + ": the window"));
  EXPECT_THAT(line, Not(HasSubstr("P-4711")));
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST(LogRequestTest, ALongListOfPersonsIsCutAndCounted) {
  const PersonHasher hasher(std::string(32, 'k'));
  CallRecord call;
  call.method = "/returnpath.v1.AdminService/Import";
  for (int i = 0; i < 25; ++i) call.subjects.push_back(absl::StrCat("P-", i));
  ::testing::internal::CaptureStderr();
  LogRequest(call, hasher);
  const std::string line = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(line, HasSubstr(hasher.Of("P-19")));
  EXPECT_THAT(line, Not(HasSubstr(hasher.Of("P-20"))));
  EXPECT_THAT(line, HasSubstr("more_persons=\"5\""));
}

}  // namespace
}  // namespace returnpath::engine
