#include "clients/lib/time_text.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace returnpath::client {

const absl::TimeZone& OsloTimeZone() {
  static const absl::TimeZone* const zone = [] {
    auto* tz = new absl::TimeZone();
    if (!absl::LoadTimeZone("Europe/Oslo", tz)) {
      *tz = absl::FixedTimeZone(3600);  // CET without summer time
    }
    return tz;
  }();
  return *zone;
}

absl::StatusOr<v1::Date> ParseDate(absl::string_view text) {
  int year = 0, month = 0, day = 0;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      absl::SimpleAtoi(text.substr(0, 4), &year) &&
                      absl::SimpleAtoi(text.substr(5, 2), &month) &&
                      absl::SimpleAtoi(text.substr(8, 2), &day);
  const absl::CivilDay civil(year, month, day);
  if (!shaped || civil.year() != year || civil.month() != month ||
      civil.day() != day) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a date like 2026-03-02"));
  }
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

absl::Time StartOfDay(const v1::Date& date) {
  return absl::FromCivil(absl::CivilDay(date.year(), date.month(), date.day()),
                         OsloTimeZone());
}

v1::Date DateInOslo(absl::Time time) {
  const absl::CivilDay day = absl::ToCivilDay(time, OsloTimeZone());
  v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::StatusOr<absl::Time> ParseTime(absl::string_view text) {
  if (text.size() == 10) {
    absl::StatusOr<v1::Date> date = ParseDate(text);
    if (!date.ok()) return date.status();
    return StartOfDay(*date);
  }
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text,
        "' is neither a date (2026-03-02) nor a time (2026-03-02T10:00:00Z)"));
  }
  return time;
}

absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text) {
  absl::Duration total = absl::ZeroDuration();
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t digits = i;
    while (digits < text.size() && absl::ascii_isdigit(text[digits])) ++digits;
    int64_t amount = 0;
    if (digits == i || digits == text.size() ||
        !absl::SimpleAtoi(text.substr(i, digits - i), &amount)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", text, "' is not a duration like 30s, 5m, 2h, 22d or 1h30m"));
    }
    switch (text[digits]) {
      case 's':
        total += absl::Seconds(amount);
        break;
      case 'm':
        total += absl::Minutes(amount);
        break;
      case 'h':
        total += absl::Hours(amount);
        break;
      case 'd':
        total += absl::Hours(24 * amount);
        break;
      case 'w':
        total += absl::Hours(24 * 7 * amount);
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("'", text, "': unknown unit '", text.substr(digits, 1),
                         "' (use s, m, h, d or w)"));
    }
    any = true;
    i = digits + 1;
  }
  if (!any) return absl::InvalidArgumentError("an empty duration");
  return total;
}

std::string DateText(const v1::Date& date) {
  if (!IsSet(date)) return "-";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string TimeText(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M", time, OsloTimeZone());
}

std::string TimeText(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return TimeText(FromTimestamp(time));
}

std::string DurationText(absl::Duration duration) {
  if (duration < absl::ZeroDuration())
    return absl::StrCat("-", DurationText(-duration));
  const int64_t seconds = absl::ToInt64Seconds(duration);
  if (seconds == 0) return "0s";
  const int64_t days = seconds / 86400, hours = seconds / 3600 % 24,
                minutes = seconds / 60 % 60, secs = seconds % 60;
  std::string out;
  if (days > 0) absl::StrAppend(&out, days, "d");
  if (hours > 0) absl::StrAppend(&out, hours, "h");
  if (minutes > 0) absl::StrAppend(&out, minutes, "m");
  if (secs > 0) absl::StrAppend(&out, secs, "s");
  return out;
}

google::protobuf::Duration ToDurationProto(absl::Duration duration) {
  google::protobuf::Duration out;
  const int64_t seconds =
      absl::IDivDuration(duration, absl::Seconds(1), &duration);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(duration)));
  return out;
}

absl::Duration FromDurationProto(const google::protobuf::Duration& duration) {
  return absl::Seconds(duration.seconds()) +
         absl::Nanoseconds(duration.nanos());
}

bool IsSet(const v1::Date& date) { return date.year() != 0; }

bool SameDate(const v1::Date& a, const v1::Date& b) {
  return a.year() == b.year() && a.month() == b.month() && a.day() == b.day();
}

}  // namespace returnpath::client
