#include "workflows/return_pathway/date_util.h"

#include "absl/base/internal/raw_logging.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace returnpath::return_pathway {

bool IsSet(const returnpath::v1::Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

absl::StatusOr<absl::CivilDay> DayOf(const returnpath::v1::Date& date,
                                     absl::string_view field) {
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1900 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %04d-%02d-%02d is not a calendar date", field,
                        date.year(), date.month(), date.day()));
  }
  return day;
}

absl::CivilDay StoredDay(const returnpath::v1::Date& date) {
  absl::StatusOr<absl::CivilDay> day = DayOf(date, "stored date");
  ABSL_RAW_CHECK(day.ok(), "the pathway stored an invalid date");
  return *day;
}

returnpath::v1::Date ToDate(absl::CivilDay day) {
  returnpath::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

}  // namespace returnpath::return_pathway
