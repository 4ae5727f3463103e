#ifndef RETURNPATH_CLIENTS_LIB_EVENT_TEXT_H_
#define RETURNPATH_CLIENTS_LIB_EVENT_TEXT_H_

// Events and payloads in one line a caseworker reads, for timelines:
// "first-rejection: notified 2026-03-02, decision UDI-1".

#include <string>

#include "google/protobuf/any.pb.h"
#include "google/protobuf/message.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::client {

// The kind's name in the users' words ("first-rejection", "timer-fired",
// "task-completed"), or the message's own name for a type this client does
// not know (it prints anyway).
std::string EventName(const google::protobuf::Any& event);

// EventName plus the fields that are set: dates as 2026-03-02, times in Oslo,
// enums in typed words, switches by name. Never fails: an unknown or
// unparsable payload prints its type.
std::string DescribeEvent(const google::protobuf::Any& event);

// The set fields of `message`, e.g. "notified 2026-03-02, decision UDI-1".
std::string DescribeFields(const google::protobuf::Message& message);

// "caused by G-1 event 12" for an event another stream's event appended in
// the same write (EventEnvelope.caused_by_*); "" for any other.
std::string CausedBy(const v1::EventEnvelope& event);

// The short hex of a hash (first 12 hex digits), "-" if empty.
std::string ShortHash(const std::string& bytes);

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_EVENT_TEXT_H_
