#ifndef RETURNPATH_CLIENTS_LIB_TIME_TEXT_H_
#define RETURNPATH_CLIENTS_LIB_TIME_TEXT_H_

// Dates, times and durations as people type and read them.
//
// A date ("2026-03-02") always means the start of that day in Norway:
// 00:00 Europe/Oslo. That is the legal reading of a notification date (the
// workflow counts every deadline from the effective date in Oslo), so an
// event notified on 2026-03-02 gets effective time 2026-03-01T23:00:00Z in
// winter and 2026-03-01T22:00:00Z in summer. Times print in Europe/Oslo too.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/proto_time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::client {

// Europe/Oslo, or a fixed UTC+1 if the system has no time zone database.
const absl::TimeZone& OsloTimeZone();

// "YYYY-MM-DD", a real calendar date. INVALID_ARGUMENT otherwise.
absl::StatusOr<v1::Date> ParseDate(absl::string_view text);

// 00:00 Europe/Oslo on `date`.
absl::Time StartOfDay(const v1::Date& date);

// The date in Oslo at `time`.
v1::Date DateInOslo(absl::Time time);

// A date (start of that day in Oslo) or an RFC 3339 time
// ("2026-03-02T10:00:00Z", "2026-03-02T10:00:00+01:00").
absl::StatusOr<absl::Time> ParseTime(absl::string_view text);

// "30s", "5m", "2h", "22d", "1h30m", "1d12h"; units s, m, h, d, w; no sign.
absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text);

std::string DateText(const v1::Date& date);  // "2026-03-02", "-" if unset
std::string TimeText(absl::Time time);       // "2026-03-02 10:00" Oslo
std::string TimeText(const google::protobuf::Timestamp& time);  // "-" if unset
std::string DurationText(absl::Duration duration);  // "22d", "1d2h", "30s"

using engine::FromTimestamp;
using engine::ToTimestamp;
google::protobuf::Duration ToDurationProto(absl::Duration duration);
absl::Duration FromDurationProto(const google::protobuf::Duration& duration);

bool IsSet(const v1::Date& date);
bool SameDate(const v1::Date& a, const v1::Date& b);

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_TIME_TEXT_H_
