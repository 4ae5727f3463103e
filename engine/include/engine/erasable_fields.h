#ifndef RETURNPATH_ENGINE_ERASABLE_FIELDS_H_
#define RETURNPATH_ENGINE_ERASABLE_FIELDS_H_

// Splits an event payload into what stays readable and what is personal, by
// the `returnpath.v1.erasable` field option
// (proto/returnpath/v1/erasable.proto, docs/privacy.md). The split reads
// descriptors only: it names no message of any workflow, and works on whatever
// type the payload's Any holds, as long as the binary links that type
// (google::protobuf::DescriptorPool:: generated_pool()).
//
// What is walked:
//   - a field marked erasable moves whole, whatever its type;
//   - a singular message field not marked erasable is split inside;
//   - a google.protobuf.Any field not marked erasable is unpacked, split
//     inside and packed again; its erasable part is an Any of the same type
//     URL whose value is the inner erasable part;
//   - a repeated message (or Any) field not marked erasable is split element
//     by element: the erasable part holds one element per element of the
//     payload (empty where that element has nothing erasable), or none at
//     all when no element has anything erasable. Only MergeErasable puts
//     them back (a plain MergeFrom would append them);
//   - a map whose values have erasable fields inside is refused: its order
//     is not kept, so its elements cannot be paired up again.
// Unknown fields stay in the readable part: a payload's erasable fields are
// those its binary knows.
//
// The plan of each message type (which fields to move or walk) is built once
// and cached; a payload whose type has nothing erasable and no Any inside is
// neither parsed nor copied. Both functions serialize deterministically, so
// the same input gives the same bytes.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"

namespace returnpath::engine {

// Whether `field` carries [(returnpath.v1.erasable) = true].
bool IsErasable(const google::protobuf::FieldDescriptor* field);

// Whether a message of `type` may hold an erasable field: one of its own, or
// one inside a message or Any field it holds. A type with an Any field (at
// any depth) counts, since what the Any holds is known only at run time.
bool HasErasableFields(const google::protobuf::Descriptor* type);

// Clears every erasable field from *payload (packed again) and sets
// *erasable to the serialized bytes of a message of the same type that holds
// only those fields: "" when the payload has none set, in which case
// *payload is left byte for byte as it was. FAILED_PRECONDITION: a type
// (the payload's or a nested Any's) this binary does not know; DATA_LOSS:
// bytes that do not parse as their type; INTERNAL: a map field with erasable
// fields inside (a schema to fix; the message names the field).
absl::Status SplitErasable(google::protobuf::Any* payload,
                           std::string* erasable);

// The inverse of SplitErasable: merges the erasable part back into the
// payload it was split from, after which *payload holds the original
// message. "" leaves *payload as it is. INVALID_ARGUMENT: the erasable part
// does not fit the payload (a repeated field with another number of
// elements, a nested Any of another type); the errors of SplitErasable
// otherwise.
absl::Status MergeErasable(google::protobuf::Any* payload,
                           absl::string_view erasable);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_ERASABLE_FIELDS_H_
