// Unit tests of the client library's pure parts: dates, durations, enums,
// tokens and the event table. The RPC wrappers are exercised end to end in
// tests/integration.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "clients/lib/connection.h"
#include "clients/lib/enum_text.h"
#include "clients/lib/event_kinds.h"
#include "clients/lib/event_text.h"
#include "clients/lib/time_text.h"
#include "gtest/gtest.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::client {
namespace {

TEST(TimeTextTest, DateIsStartOfDayInOslo) {
  absl::StatusOr<v1::Date> date = ParseDate("2026-03-02");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(StartOfDay(*date),
            absl::FromUnixSeconds(1772406000));  // 2026-03-01T23:00Z
  absl::StatusOr<absl::Time> summer = ParseTime("2026-07-01");
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *summer, absl::UTCTimeZone()),
      "2026-06-30T22:00:00Z");
  EXPECT_EQ(DateText(DateInOslo(*summer)), "2026-07-01");
}

TEST(TimeTextTest, RejectsImpossibleDates) {
  EXPECT_FALSE(ParseDate("2026-02-30").ok());
  EXPECT_FALSE(ParseDate("2026-3-2").ok());
  EXPECT_FALSE(ParseDate("yesterday").ok());
  EXPECT_TRUE(ParseTime("2026-03-02T10:00:00Z").ok());
  EXPECT_FALSE(ParseTime("2026-03-02 10:00").ok());
}

TEST(TimeTextTest, Durations) {
  EXPECT_EQ(*ParseDuration("22d"), absl::Hours(22 * 24));
  EXPECT_EQ(*ParseDuration("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseDuration("30s"), absl::Seconds(30));
  EXPECT_FALSE(ParseDuration("30").ok());
  EXPECT_FALSE(ParseDuration("3y").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_EQ(DurationText(absl::Hours(26)), "1d2h");
}

TEST(EnumTextTest, TypedWords) {
  EXPECT_EQ(
      *ParseEnum(v1::Region_descriptor(), "REGION_", "Midt-Norge", "region"),
      v1::REGION_MIDT_NORGE);
  EXPECT_EQ(*ParseEnum(v1::Region_descriptor(), "REGION_", "sør", "region"),
            v1::REGION_SOR);
  EXPECT_EQ(*ParseEnum(v1::Region_descriptor(), "REGION_", "OSLO", "region"),
            v1::REGION_OSLO);
  absl::StatusOr<int> bad =
      ParseEnum(v1::Region_descriptor(), "REGION_", "unspecified", "region");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("indre-ostland"),
            absl::string_view::npos);
  EXPECT_EQ(
      EnumText(v1::Region_descriptor(), "REGION_", v1::REGION_INDRE_OSTLAND),
      "indre-ostland");
}

TEST(EventKindsTest, FirstRejectionCarriesItsDate) {
  absl::StatusOr<BuiltEvent> built =
      BuildEvent("first-rejection", {{"notified", "2026-03-02"}});
  ASSERT_TRUE(built.ok()) << built.status();
  v1::FirstRejection event;
  ASSERT_TRUE(built->event.UnpackTo(&event));
  EXPECT_EQ(DateText(event.notified_on()), "2026-03-02");
  ASSERT_TRUE(built->legal_date.has_value());
  absl::StatusOr<absl::Time> effective =
      ResolveEffectiveTime(*built, std::nullopt, absl::UnixEpoch());
  EXPECT_EQ(*effective, StartOfDay(event.notified_on()));
  // An explicit effective time on another day contradicts the payload.
  EXPECT_FALSE(
      ResolveEffectiveTime(*built, *ParseTime("2026-03-05"), absl::UnixEpoch())
          .ok());
  EXPECT_TRUE(ResolveEffectiveTime(*built,
                                   *ParseTime("2026-03-02T10:00:00+01:00"),
                                   absl::UnixEpoch())
                  .ok());
}

TEST(EventKindsTest, MissingRequiredArgumentIsNamed) {
  absl::StatusOr<BuiltEvent> built = BuildEvent("appeal", {});
  ASSERT_EQ(built.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(built.status().message().find("--lodged"), absl::string_view::npos);
}

TEST(EventKindsTest, RegisterWithHousehold) {
  absl::StatusOr<BuiltEvent> built =
      BuildEvent("register", {{"person", "P-1"},
                              {"household", "H-1"},
                              {"born", "1990-05-01"},
                              {"nationality", "af"},
                              {"centre", "Oslo-1"},
                              {"region", "oslo"},
                              {"dublin", "true"},
                              {"member", "C-1:2012-04-01"}});
  ASSERT_TRUE(built.ok()) << built.status();
  v1::PersonRegistered event;
  ASSERT_TRUE(built->event.UnpackTo(&event));
  EXPECT_EQ(event.nationality(), "AF");
  EXPECT_EQ(event.region(), v1::REGION_OSLO);
  EXPECT_TRUE(event.flags().dublin_case());
  ASSERT_EQ(event.household_members_size(), 1);
  EXPECT_EQ(event.household_members(0).person_id(), "C-1");
  EXPECT_FALSE(built->legal_date.has_value());  // born is not the event's date
  EXPECT_EQ(
      ResolveEffectiveTime(*built, std::nullopt, absl::UnixEpoch()).value(),
      absl::UnixEpoch());
}

TEST(EventKindsTest, CorrectionWrapsTheReplacement) {
  absl::StatusOr<BuiltEvent> replacement =
      BuildEvent("first-rejection", {{"notified", "2026-03-03"}});
  ASSERT_TRUE(replacement.ok());
  EXPECT_FALSE(
      BuildEvent("correction", {{"position", "7"}, {"reason", "typo"}}).ok());
  absl::StatusOr<BuiltEvent> built = BuildEvent(
      "correction", {{"position", "7"}, {"reason", "typo"}}, &*replacement);
  ASSERT_TRUE(built.ok()) << built.status();
  v1::EventCorrected event;
  ASSERT_TRUE(built->event.UnpackTo(&event));
  EXPECT_EQ(event.corrected_position(), 7u);
  EXPECT_EQ(event.replacement().type_url(),
            "type.googleapis.com/returnpath.v1.FirstRejection");
  EXPECT_TRUE(event.has_effective_time());
  EXPECT_NE(
      DescribeEvent(built->event).find("first-rejection: notified 2026-03-03"),
      std::string::npos);
}

TEST(EventKindsTest, EveryKindBuildsWithItsRequiredArguments) {
  for (const EventKind& kind : EventKinds()) {
    EventArgs args;
    args.Add("person", "P-1");
    for (const EventArgSpec& spec : kind.args) {
      if (!spec.required) continue;
      std::string value = "x";
      if (spec.value_name == "DATE") value = "2026-03-02";
      if (spec.value_name == "N") value = "3";
      if (spec.value_name == "CC") value = "AF";
      if (spec.name == "region") value = "oslo";
      if (spec.name == "outcome") value = "rejected";
      if (spec.name == "programme") value = "varp";
      if (spec.name == "kind") value = "forced";
      if (kind.name == "case-reopened" && spec.name == "reason")
        value = "court-review";
      args.Add(spec.name, value);
    }
    BuiltEvent replacement;
    replacement.event.PackFrom(v1::Disappeared());
    absl::StatusOr<BuiltEvent> built =
        BuildEvent(kind, args, kind.takes_replacement ? &replacement : nullptr);
    EXPECT_TRUE(built.ok()) << kind.name << ": " << built.status();
    if (built.ok()) {
      EXPECT_EQ(built->event.type_url(), "type.googleapis.com/" + kind.message);
      EXPECT_EQ(EventName(built->event), kind.name);
    }
  }
}

TEST(EventTextTest, DescribesPayloads) {
  absl::StatusOr<BuiltEvent> built = BuildEvent(
      "appeal",
      {{"lodged", "2026-03-10"}, {"deferred-implementation", "true"}});
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(DescribeEvent(built->event),
            "appeal: lodged 2026-03-10, deferred implementation");
  EXPECT_EQ(ShortHash(std::string("\x01\x02\xff", 3)), "0102ff");
}

TEST(EventTextTest, DescribesARefusedIomApplication) {
  absl::StatusOr<BuiltEvent> built = BuildEvent(
      "iom-refused", {{"iom-ref", "IOM-7"}, {"reason", "no travel document"}});
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(DescribeEvent(built->event),
            "iom-refused: iom reference IOM-7, reason no travel document");
}

TEST(ConnectionTest, TokenSources) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "rp_client_test_tokens";
  std::filesystem::create_directories(dir / "tokens");
  std::ofstream(dir / "tokens" / "auditor.token") << "secret-auditor\n";
  ConnectionOptions options;
  options.use_env_token = false;
  options.data_dir = dir.string();
  options.as_role = "auditor";
  absl::StatusOr<ResolvedToken> token = ResolveToken(options);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->token, "secret-auditor");
  options.as_role = "police";
  EXPECT_EQ(ResolveToken(options).status().code(), absl::StatusCode::kNotFound);
  options.as_role = "king";
  EXPECT_EQ(ResolveToken(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.as_role = "auditor";
  options.token = "t";
  EXPECT_EQ(ResolveToken(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.as_role.clear();
  EXPECT_EQ(ResolveToken(options)->token, "t");
  options.token.clear();
  setenv("RETURNPATH_TOKEN", "from-env", 1);
  options.use_env_token = true;
  EXPECT_EQ(ResolveToken(options)->token, "from-env");
  unsetenv("RETURNPATH_TOKEN");
  std::filesystem::remove_all(dir);
}

TEST(ConnectionTest, ClearTextOnlyOnLoopback) {
  ConnectionOptions options;
  options.server = "10.0.0.5:7443";
  EXPECT_EQ(MakeChannel(options).status().code(),
            absl::StatusCode::kFailedPrecondition);
  options.server = "127.0.0.1:7443";
  EXPECT_TRUE(MakeChannel(options).ok());
  options.server = "localhost:7443";
  EXPECT_TRUE(MakeChannel(options).ok());
}

TEST(ConnectionTest, LoopbackIsParsedNotPrefixMatched) {
  for (const char* server :
       {"127.0.0.1:7443", "127.8.9.10:1", "localhost:7443", "localhost",
        "[::1]:7443", "dns:///localhost:7443", "ipv4:127.0.0.1:7443",
        "unix:/tmp/returnpath.sock"}) {
    EXPECT_TRUE(IsLoopbackAddress(server)) << server;
  }
  for (const char* server :
       {"127.x.example:7443", "127.0.0.1.evil.example:7443",
        "localhost.example:7443", "[::1].example:7443", "10.0.0.5:7443",
        "dns:///127.example:7443", ""}) {
    EXPECT_FALSE(IsLoopbackAddress(server)) << server;
  }
}

}  // namespace
}  // namespace returnpath::client
