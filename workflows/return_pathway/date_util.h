#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_DATE_UTIL_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_DATE_UTIL_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/proto_time.h"
#include "google/protobuf/timestamp.pb.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::return_pathway {

// Conversions between the wire's Date/Timestamp and Abseil's types.

// True if any field of `date` is set.
bool IsSet(const returnpath::v1::Date& date);

// The day `date` names; INVALID_ARGUMENT naming `field` if it is not a real
// calendar date.
absl::StatusOr<absl::CivilDay> DayOf(const returnpath::v1::Date& date,
                                     absl::string_view field);

// For dates the pathway wrote itself (always valid).
absl::CivilDay StoredDay(const returnpath::v1::Date& date);

returnpath::v1::Date ToDate(absl::CivilDay day);

using engine::FromTimestamp;
using engine::ToTimestamp;

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_DATE_UTIL_H_
