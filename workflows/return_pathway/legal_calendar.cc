#include "workflows/return_pathway/legal_calendar.h"

#include "absl/strings/str_format.h"

namespace returnpath::return_pathway {
namespace {

absl::CivilDay LastSundayOf(int64_t year, int month) {
  absl::CivilDay day =
      absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;  // last day
  while (absl::GetWeekday(day) != absl::Weekday::sunday) --day;
  return day;
}

// Whether Norway keeps summer time at instant `t`.
bool IsOsloSummerTime(absl::Time t) {
  const int64_t year = absl::ToCivilYear(t, absl::UTCTimeZone()).year();
  const absl::Time begins = absl::FromCivil(
      absl::CivilSecond(LastSundayOf(year, 3)) + 3600, absl::UTCTimeZone());
  const absl::Time ends = absl::FromCivil(
      absl::CivilSecond(LastSundayOf(year, 10)) + 3600, absl::UTCTimeZone());
  return begins <= t && t < ends;
}

}  // namespace

absl::CivilDay EasterSunday(int64_t year) {
  const int64_t a = year % 19;
  const int64_t b = year / 100;
  const int64_t c = year % 100;
  const int64_t d = b / 4;
  const int64_t e = b % 4;
  const int64_t f = (b + 8) / 25;
  const int64_t g = (b - f + 1) / 3;
  const int64_t h = (19 * a + b - d - g + 15) % 30;
  const int64_t i = c / 4;
  const int64_t k = c % 4;
  const int64_t l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int64_t m = (a + 11 * h + 22 * l) / 451;
  const int64_t month = (h + l - 7 * m + 114) / 31;
  const int64_t day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

bool IsNorwegianPublicHoliday(absl::CivilDay day) {
  const int month = day.month();
  const int dom = day.day();
  if ((month == 1 && dom == 1) || (month == 5 && (dom == 1 || dom == 17)) ||
      (month == 12 && (dom == 25 || dom == 26))) {
    return true;
  }
  const absl::CivilDay easter = EasterSunday(day.year());
  switch (day - easter) {
    case -3:  // Maundy Thursday
    case -2:  // Good Friday
    case 0:   // Easter Sunday
    case 1:   // Easter Monday
    case 39:  // Ascension Day
    case 49:  // Whit Sunday
    case 50:  // Whit Monday
      return true;
    default:
      return false;
  }
}

bool IsWorkingDay(absl::CivilDay day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday != absl::Weekday::saturday &&
         weekday != absl::Weekday::sunday && !IsNorwegianPublicHoliday(day);
}

absl::CivilDay NextWorkingDayFrom(absl::CivilDay day) {
  while (!IsWorkingDay(day)) ++day;
  return day;
}

absl::CivilDay OsloDate(absl::Time t) {
  const absl::Duration offset = absl::Hours(IsOsloSummerTime(t) ? 2 : 1);
  return absl::ToCivilDay(t + offset, absl::UTCTimeZone());
}

absl::Time OsloStartOfDay(absl::CivilDay day) {
  // Clocks change at 01:00 UTC (02:00 or 03:00 local), never at midnight, so
  // midnight is summer time exactly on the days after the March change up to
  // and including the October change day.
  const bool summer =
      LastSundayOf(day.year(), 3) < day && day <= LastSundayOf(day.year(), 10);
  return absl::FromCivil(absl::CivilSecond(day), absl::UTCTimeZone()) -
         absl::Hours(summer ? 2 : 1);
}

absl::Time OsloEndOfDay(absl::CivilDay day) { return OsloStartOfDay(day + 1); }

absl::CivilDay OsloLastDay(absl::Time t) {
  return OsloDate(t - absl::Nanoseconds(1));
}

int AgeOn(absl::CivilDay birth, absl::CivilDay on) {
  int age = static_cast<int>(on.year() - birth.year());
  if (on.month() < birth.month() ||
      (on.month() == birth.month() && on.day() < birth.day())) {
    --age;
  }
  return age;
}

std::string FormatDay(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

}  // namespace returnpath::return_pathway
