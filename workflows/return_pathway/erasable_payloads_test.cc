// The return pathway's payloads split by their erasable fields
// (docs/privacy.md): which fields are personal, and that no personal fact
// stays readable after the split.

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/erasable_fields.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/household.pb.h"
#include "returnpath/v1/pathway.pb.h"

namespace {

using ::google::protobuf::Any;
using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;
using ::returnpath::engine::IsErasable;
using ::returnpath::engine::MergeErasable;
using ::returnpath::engine::SplitErasable;

// Every field of every message a payload holds, readable or not, as
// docs/privacy.md has it. A field added to any of them fails this test
// until someone decides which list it belongs in (and marks it if personal).
struct Classification {
  const char* message;
  const char* erasable;  // space-separated field names
  const char* kept;      // readable after erasure
};

constexpr Classification kClassification[] = {
    // pathway.proto
    {"PersonRegistered",
     "household_id date_of_birth nationality reception_centre "
     "household_members household_role guardian_ids",
     // person_id is the stream id (the case number, kept in the envelope);
     // region routes queues; own_case says how the case is handled.
     "person_id region flags own_case"},
    {"PersonFlags",
     "unaccompanied_minor dublin_case serious_illness trafficking_victim "
     "identity_unclarified",
     ""},
    {"HouseholdMemberJoined",
     // person_id is the child's, another person than the stream's.
     "person_id household_id date_of_birth role reception_centre "
     "guardian_ids",
     "own_case"},
    {"FirstRejection", "decision_reference", "notified_on"},
    {"Date", "", "year month day"},
    {"AppealLodged", "", "lodged_on deferred_implementation"},
    {"AppealWaived", "", "waived_on"},
    {"AppealDecided", "decision_reference",
     "outcome notified_on departure_deadline_days"},
    {"FinalRejection", "decision_reference",
     "notified_on departure_deadline_days basis"},
    {"DepartureDeadlineSet", "reason", "notified_on days"},
    {"DepartureDeadlineSuspended", "reason", ""},
    {"RelocationOrdered", "return_centre", ""},
    {"RelocationCompleted", "return_centre", "region"},
    // programme: the policy's programme, which sets the support tier.
    {"IomApplicationSubmitted", "iom_reference", "programme"},
    {"IomApplicationApproved", "iom_reference", ""},
    {"IomApplicationWithdrawn", "reason", ""},
    {"IomApplicationRefused", "iom_reference reason", ""},
    {"TravelDocumentObtained", "document_kind issuing_country", ""},
    // programme: as the policy names it; the amounts are the policy's.
    {"ForcedReturnSupportPaid", "", "programme cash_nok in_kind_nok"},
    {"Departed", "destination_country", "kind forced_return_support"},
    {"ResidencePermitGranted", "permit_kind", ""},
    {"Disappeared", "note", ""},
    {"Reappeared", "reception_centre", "region"},
    {"CaseReopened", "note", "reason"},
    {"QualificationCourseEnrolled", "course_id title", ""},
    {"QualificationCourseCompleted", "course_id", ""},
    {"ReturnConversationHeld", "note", ""},
    {"FlagsChanged", "reason", "flags"},
    {"PersonMovedCentre", "reception_centre", "region"},
    // replacement: an Any, split by what it holds.
    {"EventCorrected", "reason",
     "corrected_position replacement effective_time"},
    {"EventRetracted", "reason", "retracted_position"},
    {"google.protobuf.Timestamp", "", "seconds nanos"},
    // household.proto, and the state records its events carry
    {"GuardianDecisionFollowed", "guardian_id",
     "decision stage appeal_window final_rejection departure_deadline "
     "residence departure guardian_position guardian_version"},
    {"Deadline", "",
     "date counted_from days unadjusted_date rule policy_version "
     "caused_by_versions expired suspended met"},
    {"FinalRejectionRecord", "relocation_exemption",
     "notified_on basis caused_by_versions derived_at_version"},
    {"Residence", "reception_centre relocation_ordered_to",
     "region at_return_centre place_released"},
    {"DepartureRecord", "destination_country",
     "kind departed_on forced_return_support"},
    {"GuardianFollowsCorrected", "guardian_id", "corrections"},
    {"FollowCorrection", "",
     "guardian_position guardian_version decision retracted effective_time "
     "followed"},
    // holder_id: a co-guardian, another person.
    {"HouseholdTasksShared", "holder_id", "open relocated_to released"},
    {"HouseholdTask", "holder_id", "task_id kind rule"},
    // engine.proto: the engine's own events in a person's stream. worker is
    // the caseworker, not the person; a timer's payload is the workflow's
    // key (e.g. a task key).
    {"TaskCompleted", "note", "task_id kind outcome worker"},
    {"TimerFired", "", "timer_id kind due_time payload"},
};

std::string ShortName(const Descriptor* type) {
  return type->file()->package() == "returnpath.v1" ? type->name()
                                                    : type->full_name();
}

const Classification* Find(const Descriptor* type) {
  for (const Classification& c : kClassification) {
    if (ShortName(type) == c.message) return &c;
  }
  return nullptr;
}

std::set<std::string> Names(const char* list) {
  std::set<std::string> names;
  for (absl::string_view name : absl::StrSplit(list, ' ', absl::SkipEmpty())) {
    names.emplace(name);
  }
  return names;
}

// The payloads: every message of pathway.proto and household.proto but the
// ones only held inside others, and the engine's events.
std::vector<const Descriptor*> Payloads() {
  const std::set<std::string> nested = {
      "Date", "PersonFlags", "HouseholdMember", "ForcedReturnSupportPaid",
      "FollowCorrection"};
  std::vector<const Descriptor*> payloads;
  for (const auto* file :
       {returnpath::v1::PersonRegistered::descriptor()->file(),
        returnpath::v1::GuardianDecisionFollowed::descriptor()->file()}) {
    for (int i = 0; i < file->message_type_count(); ++i) {
      if (!nested.count(file->message_type(i)->name())) {
        payloads.push_back(file->message_type(i));
      }
    }
  }
  payloads.push_back(returnpath::v1::TaskCompleted::descriptor());
  payloads.push_back(returnpath::v1::TimerFired::descriptor());
  return payloads;
}

// Checks `type` and every message type a readable field of it holds against
// kClassification.
void CheckClassification(const Descriptor* type, std::set<std::string>* seen) {
  if (!seen->insert(type->full_name()).second) return;
  if (type->full_name() == "google.protobuf.Any") return;
  const Classification* c = Find(type);
  ASSERT_NE(c, nullptr) << type->full_name()
                        << " is held by a payload but not classified here";
  const std::set<std::string> erasable = Names(c->erasable);
  const std::set<std::string> kept = Names(c->kept);
  std::set<std::string> fields;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    fields.insert(field->name());
    if (IsErasable(field)) {
      EXPECT_TRUE(erasable.count(field->name()))
          << field->full_name() << " is marked erasable but listed as kept";
    } else {
      EXPECT_TRUE(kept.count(field->name()))
          << field->full_name()
          << " is not marked erasable: is it personal? Mark it, or list it "
             "as kept with its reason";
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        CheckClassification(field->message_type(), seen);
      }
    }
  }
  for (const std::string& name : erasable) {
    EXPECT_TRUE(fields.count(name)) << type->full_name() << " has no " << name;
  }
  for (const std::string& name : kept) {
    EXPECT_TRUE(fields.count(name)) << type->full_name() << " has no " << name;
  }
}

TEST(ErasablePayloadsTest, EveryFieldIsClassified) {
  std::set<std::string> seen;
  for (const Descriptor* payload : Payloads()) {
    CheckClassification(payload, &seen);
  }
  // Every entry of the table is reached (no stale entries).
  for (const Classification& c : kClassification) {
    bool reached = false;
    for (const std::string& name : seen) {
      reached |= name == c.message ||
                 name == absl::StrCat("returnpath.v1.", c.message);
    }
    EXPECT_TRUE(reached) << c.message
                         << " is classified but no payload holds it";
  }
}

// Fills every field: strings of erasable fields "CANARY-<field>", of others
// "KEPT-<field>"; numbers 1, booleans true, enums their last value, one
// element in each repeated field; an Any holds a filled PersonRegistered.
void Fill(Message* message, bool erasable_above, int depth) {
  const Descriptor* type = message->GetDescriptor();
  const Reflection* r = message->GetReflection();
  if (type->full_name() == "google.protobuf.Any") {
    returnpath::v1::PersonRegistered inner;
    Fill(&inner, erasable_above, depth + 1);
    static_cast<Any*>(message)->PackFrom(inner);
    return;
  }
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    const bool erasable = erasable_above || IsErasable(f);
    const std::string text =
        absl::StrCat(erasable ? "CANARY-" : "KEPT-", f->full_name());
    const bool rep = f->is_repeated();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        rep ? r->AddString(message, f, text) : r->SetString(message, f, text);
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        rep ? r->AddInt32(message, f, 1) : r->SetInt32(message, f, 1);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        rep ? r->AddInt64(message, f, 1) : r->SetInt64(message, f, 1);
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        rep ? r->AddUInt32(message, f, 1) : r->SetUInt32(message, f, 1);
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        rep ? r->AddUInt64(message, f, 1) : r->SetUInt64(message, f, 1);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        rep ? r->AddBool(message, f, true) : r->SetBool(message, f, true);
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* value =
            f->enum_type()->value(f->enum_type()->value_count() - 1);
        rep ? r->AddEnum(message, f, value) : r->SetEnum(message, f, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 6) {
          Fill(rep ? r->AddMessage(message, f) : r->MutableMessage(message, f),
               erasable, depth + 1);
        }
        break;
      default:
        ADD_FAILURE() << f->full_name() << ": a field type Fill does not know";
    }
  }
}

// No erasable field is set anywhere in `message`, Anys included.
void ExpectNothingErasable(const Message& message) {
  const Descriptor* type = message.GetDescriptor();
  if (type->full_name() == "google.protobuf.Any") {
    const Any& any = static_cast<const Any&>(message);
    returnpath::v1::PersonRegistered inner;
    ASSERT_TRUE(any.UnpackTo(&inner));
    ExpectNothingErasable(inner);
    return;
  }
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    EXPECT_FALSE(IsErasable(f)) << f->full_name() << " is still set";
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(message, f); ++i) {
        ExpectNothingErasable(r->GetRepeatedMessage(message, f, i));
      }
    } else {
      ExpectNothingErasable(r->GetMessage(message, f));
    }
  }
}

TEST(ErasablePayloadsTest, NoPersonalFactStaysReadable) {
  for (const Descriptor* type : Payloads()) {
    SCOPED_TRACE(type->full_name());
    std::unique_ptr<Message> original(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(type)
            ->New());
    Fill(original.get(), false, 0);
    Any payload;
    payload.PackFrom(*original);

    std::string erasable;
    ASSERT_TRUE(SplitErasable(&payload, &erasable).ok());
    EXPECT_FALSE(absl::StrContains(payload.value(), "CANARY"))
        << payload.value();
    EXPECT_FALSE(absl::StrContains(erasable, "KEPT")) << erasable;
    std::unique_ptr<Message> readable(original->New());
    ASSERT_TRUE(payload.UnpackTo(readable.get()));
    ExpectNothingErasable(*readable);
    // Every payload holds something of the person or refers to something
    // that does, but the kept facts stay: a string field kept is still there.
    if (absl::StrContains(original->SerializeAsString(), "KEPT")) {
      EXPECT_TRUE(absl::StrContains(payload.value(), "KEPT"));
    }

    ASSERT_TRUE(MergeErasable(&payload, erasable).ok());
    std::unique_ptr<Message> merged(original->New());
    ASSERT_TRUE(payload.UnpackTo(merged.get()));
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(*merged, *original))
        << merged->DebugString();
  }
}

}  // namespace
