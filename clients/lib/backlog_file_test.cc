#include "clients/lib/backlog_file.h"

#include <string>

#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::client {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

constexpr char kHeader[] =
    "person,event,effective,household,born,nationality,centre,region,"
    "notified,dublin,member\n";

TEST(BacklogFileTest, CsvCellsMayBeQuotedOverLinesAndLinesAreCounted) {
  const std::string text = absl::StrCat(
      kHeader,
      "P-1,register,2012-06-04,\"H-1\",1990-05-01,af,\"Oslo-1\",oslo,,"
      "true,C-1:2012-04-01|C-2:2014-04-01\n",
      "P-1,final-rejection,,,,,,,2012-09-03,,\n", "\n",
      "P-2,register,2012-06-04,\"H,\n2\",1990-05-01,AF,Oslo-1,oslo,,no,\n",
      "P-2,final-rejecton,,,,,,,2012-09-03,,\n");
  const Backlog backlog = ReadBacklog(text, BacklogFormat::kCsv);
  // Line 5 starts a quoted cell that goes on over line 6.
  ASSERT_EQ(backlog.errors.size(), 1u);
  EXPECT_EQ(backlog.errors[0].line, 7u);
  EXPECT_THAT(backlog.errors[0].message, HasSubstr("unknown kind"));
  ASSERT_EQ(backlog.persons.size(), 2u);
  v1::PersonRegistered registered;
  ASSERT_TRUE(backlog.persons[0].events(0).event().UnpackTo(&registered));
  EXPECT_TRUE(registered.flags().dublin_case());
  EXPECT_EQ(registered.nationality(), "AF");
  EXPECT_EQ(registered.household_members_size(), 2);
  EXPECT_EQ(backlog.persons[0].events(1).line(), 3u);
  ASSERT_TRUE(backlog.persons[1].events(0).event().UnpackTo(&registered));
  EXPECT_EQ(registered.household_id(), "H,\n2");
  EXPECT_FALSE(registered.flags().dublin_case());
}

TEST(BacklogFileTest, ADateFieldGivesTheEffectiveTimeAndOthersNeedOne) {
  const Backlog backlog = ReadBacklog(
      R"({"person":"P-1","event":"register","effective":"2012-06-04","fields":{"household":"H-1","born":"1990-05-01","nationality":"AF","centre":"Oslo-1","region":"oslo"}}
{"person":"P-1","event":"final-rejection","fields":{"notified":"2012-09-03","deadline-days":14}}
{"person":"P-1","event":"departure","fields":{"kind":"forced"}}
{"person":"P-1","event":"final-rejection","effective":"2012-09-04T10:00:00+02:00","fields":{"notified":"2012-09-03"}}
)",
      BacklogFormat::kJsonLines);
  EXPECT_THAT(backlog.errors, ElementsAre(Field(&BacklogError::line, 3u),
                                          Field(&BacklogError::line, 4u)));
  EXPECT_THAT(backlog.errors[0].message,
              HasSubstr("effective is required: departure has no date"));
  EXPECT_THAT(backlog.errors[1].message,
              HasSubstr("is not on the event's date"));
  ASSERT_EQ(backlog.persons.size(), 1u);
  EXPECT_EQ(FromTimestamp(backlog.persons[0].events(1).effective_time()),
            StartOfDay(*ParseDate("2012-09-03")));
  v1::FinalRejection rejection;
  ASSERT_TRUE(backlog.persons[0].events(1).event().UnpackTo(&rejection));
  EXPECT_EQ(rejection.departure_deadline_days(), 14u);
}

TEST(BacklogFileTest, EachPersonIsRegisteredOnceAndFirst) {
  const Backlog backlog = ReadBacklog(
      R"({"person":"P-1","event":"final-rejection","fields":{"notified":"2012-09-03"}}
{"person":"P-1","event":"register","effective":"2012-09-04","fields":{"household":"H-1","born":"1990-05-01","nationality":"AF","centre":"Oslo-1","region":"oslo"}}
{"person":"P-2","event":"final-rejection","fields":{"notified":"2012-09-03"}}
{"person":"P-1","event":"correction","fields":{"position":"7","reason":"typo"}}
)",
      BacklogFormat::kJsonLines);
  ASSERT_EQ(backlog.errors.size(), 3u);
  EXPECT_EQ(backlog.errors[0].line, 1u);
  EXPECT_THAT(backlog.errors[0].message,
              HasSubstr("effective before person P-1's registration (line 2)"));
  EXPECT_EQ(backlog.errors[1].line, 3u);
  EXPECT_THAT(backlog.errors[1].message,
              HasSubstr("person P-2 has no register line"));
  EXPECT_EQ(backlog.errors[2].line, 4u);
  EXPECT_THAT(backlog.errors[2].message, HasSubstr("cannot be imported"));
}

TEST(BacklogFileTest, TheFormatComesFromTheFlagOrTheName) {
  EXPECT_EQ(*BacklogFormatOf("a.JSONL", ""), BacklogFormat::kJsonLines);
  EXPECT_EQ(*BacklogFormatOf("a.csv", ""), BacklogFormat::kCsv);
  EXPECT_EQ(*BacklogFormatOf("a.txt", "csv"), BacklogFormat::kCsv);
  EXPECT_EQ(BacklogFormatOf("a.txt", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BacklogFormatOf("a.csv", "xml").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace returnpath::client
