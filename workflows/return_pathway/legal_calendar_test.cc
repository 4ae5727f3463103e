#include "workflows/return_pathway/legal_calendar.h"

#include "gtest/gtest.h"

namespace returnpath::return_pathway {
namespace {

using absl::CivilDay;

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0),
                         absl::UTCTimeZone());
}

TEST(EasterTest, KnownDates) {
  EXPECT_EQ(EasterSunday(2026), CivilDay(2026, 4, 5));
  EXPECT_EQ(EasterSunday(2024), CivilDay(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2025), CivilDay(2025, 4, 20));
  EXPECT_EQ(EasterSunday(2027), CivilDay(2027, 3, 28));
  EXPECT_EQ(EasterSunday(2012), CivilDay(2012, 4, 8));
  EXPECT_EQ(EasterSunday(2000), CivilDay(2000, 4, 23));
  EXPECT_EQ(EasterSunday(2038), CivilDay(2038, 4, 25));  // latest possible
  EXPECT_EQ(EasterSunday(2285), CivilDay(2285, 3, 22));  // earliest possible
}

TEST(HolidayTest, NorwegianPublicHolidaysOf2026) {
  for (CivilDay day :
       {CivilDay(2026, 1, 1), CivilDay(2026, 4, 2), CivilDay(2026, 4, 3),
        CivilDay(2026, 4, 5), CivilDay(2026, 4, 6), CivilDay(2026, 5, 1),
        CivilDay(2026, 5, 14), CivilDay(2026, 5, 17), CivilDay(2026, 5, 24),
        CivilDay(2026, 5, 25), CivilDay(2026, 12, 25),
        CivilDay(2026, 12, 26)}) {
    EXPECT_TRUE(IsNorwegianPublicHoliday(day)) << FormatDay(day);
    EXPECT_FALSE(IsWorkingDay(day)) << FormatDay(day);
  }
  for (CivilDay day :
       {CivilDay(2026, 4, 1), CivilDay(2026, 4, 7), CivilDay(2026, 5, 13),
        CivilDay(2026, 12, 24), CivilDay(2026, 12, 31)}) {
    EXPECT_FALSE(IsNorwegianPublicHoliday(day)) << FormatDay(day);
    EXPECT_TRUE(IsWorkingDay(day)) << FormatDay(day);
  }
  EXPECT_FALSE(IsWorkingDay(CivilDay(2026, 4, 4)));  // Saturday before Easter
  EXPECT_FALSE(IsWorkingDay(CivilDay(2026, 3, 1)));  // a Sunday
}

TEST(NextWorkingDayTest, MovesOverEasterChristmasAndNewYear) {
  EXPECT_EQ(NextWorkingDayFrom(CivilDay(2026, 4, 2)), CivilDay(2026, 4, 7));
  EXPECT_EQ(NextWorkingDayFrom(CivilDay(2026, 4, 3)), CivilDay(2026, 4, 7));
  EXPECT_EQ(NextWorkingDayFrom(CivilDay(2026, 12, 25)), CivilDay(2026, 12, 28));
  EXPECT_EQ(NextWorkingDayFrom(CivilDay(2027, 1, 1)), CivilDay(2027, 1, 4));
  EXPECT_EQ(NextWorkingDayFrom(CivilDay(2027, 12, 25)), CivilDay(2027, 12, 27));
  EXPECT_EQ(NextWorkingDayFrom(CivilDay(2026, 5, 16)), CivilDay(2026, 5, 18));
  EXPECT_EQ(NextWorkingDayFrom(CivilDay(2026, 3, 2)), CivilDay(2026, 3, 2));
}

TEST(OsloTimeTest, WinterAndSummerMidnights) {
  EXPECT_EQ(OsloStartOfDay(CivilDay(2026, 1, 15)), Utc(2026, 1, 14, 23, 0));
  EXPECT_EQ(OsloStartOfDay(CivilDay(2026, 3, 29)), Utc(2026, 3, 28, 23, 0));
  EXPECT_EQ(OsloStartOfDay(CivilDay(2026, 3, 30)), Utc(2026, 3, 29, 22, 0));
  EXPECT_EQ(OsloStartOfDay(CivilDay(2026, 10, 25)), Utc(2026, 10, 24, 22, 0));
  EXPECT_EQ(OsloStartOfDay(CivilDay(2026, 10, 26)), Utc(2026, 10, 25, 23, 0));
  EXPECT_EQ(OsloEndOfDay(CivilDay(2026, 3, 2)), Utc(2026, 3, 2, 23, 0));
}

TEST(OsloTimeTest, DateOfAnInstant) {
  EXPECT_EQ(OsloDate(Utc(2026, 3, 2, 22, 59)), CivilDay(2026, 3, 2));
  EXPECT_EQ(OsloDate(Utc(2026, 3, 2, 23, 0)), CivilDay(2026, 3, 3));
  EXPECT_EQ(OsloDate(Utc(2026, 6, 30, 22, 30)), CivilDay(2026, 7, 1));
  EXPECT_EQ(OsloDate(Utc(2026, 6, 30, 21, 59)), CivilDay(2026, 6, 30));
}

TEST(OsloTimeTest, EveryDayRoundTrips) {
  for (CivilDay day(2011, 1, 1); day < CivilDay(2031, 1, 1); ++day) {
    ASSERT_EQ(OsloDate(OsloStartOfDay(day)), day) << FormatDay(day);
    ASSERT_EQ(OsloDate(OsloEndOfDay(day) - absl::Nanoseconds(1)), day)
        << FormatDay(day);
  }
}

TEST(AgeTest, CountsWholeYears) {
  EXPECT_EQ(AgeOn(CivilDay(2010, 5, 17), CivilDay(2026, 5, 16)), 15);
  EXPECT_EQ(AgeOn(CivilDay(2010, 5, 17), CivilDay(2026, 5, 17)), 16);
  EXPECT_EQ(AgeOn(CivilDay(2008, 2, 29), CivilDay(2026, 2, 28)), 17);
  EXPECT_EQ(AgeOn(CivilDay(2008, 2, 29), CivilDay(2026, 3, 1)), 18);
}

TEST(FormatTest, IsoDate) {
  EXPECT_EQ(FormatDay(CivilDay(2026, 3, 2)), "2026-03-02");
}

}  // namespace
}  // namespace returnpath::return_pathway
