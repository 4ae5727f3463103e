#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_LEGAL_CALENDAR_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_LEGAL_CALENDAR_H_

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace returnpath::return_pathway {

// Norwegian dates and deadlines. Pure functions: no clock, no time zone
// database. Europe/Oslo is computed from the EU summer-time rule (in force
// since 1996): UTC+2 from 01:00 UTC on the last Sunday of March to 01:00 UTC
// on the last Sunday of October, UTC+1 otherwise.

// Easter Sunday of `year` (Gregorian calendar, the anonymous algorithm).
absl::CivilDay EasterSunday(int64_t year);

// 1 Jan, Maundy Thursday, Good Friday, Easter Sunday and Monday, 1 May,
// 17 May, Ascension Day, Whit Sunday and Monday, 25 and 26 Dec.
bool IsNorwegianPublicHoliday(absl::CivilDay day);

// Not a Saturday, Sunday or public holiday.
bool IsWorkingDay(absl::CivilDay day);

// `day` if it is a working day, else the next working day.
absl::CivilDay NextWorkingDayFrom(absl::CivilDay day);

// The date in Norway at instant `t`.
absl::CivilDay OsloDate(absl::Time t);

// The instant `day` begins in Norway (local midnight).
absl::Time OsloStartOfDay(absl::CivilDay day);

// The instant `day` ends in Norway: a deadline whose last day is `day`
// expires then.
absl::Time OsloEndOfDay(absl::CivilDay day);

// The last day of a deadline that expires at `t`: the inverse of
// OsloEndOfDay (00:00 in Norway names the day before).
absl::CivilDay OsloLastDay(absl::Time t);

// Whole years from `birth` to `on` (an age).
int AgeOn(absl::CivilDay birth, absl::CivilDay on);

// "2026-03-02".
std::string FormatDay(absl::CivilDay day);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_LEGAL_CALENDAR_H_
