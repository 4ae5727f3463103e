// The split of a payload into its readable and its erasable part
// (engine/erasable_fields.h), driven by the `erasable` field option.

#include "engine/erasable_fields.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "engine/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "returnpath/v1/erasable.pb.h"

namespace returnpath::engine {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::DescriptorPool;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::MessageFactory;
using ::google::protobuf::Reflection;

constexpr absl::string_view kAnyName = "google.protobuf.Any";
constexpr int kAnyTypeUrl = 1;
constexpr int kAnyValue = 2;

enum class StepKind {
  kMove,       // marked erasable: moves whole
  kSplit,      // a singular message (or Any) with something erasable inside
  kSplitEach,  // a repeated message (or Any): split element by element
  kRefuse,     // a map with something erasable inside
};

struct Plan;

struct Step {
  const FieldDescriptor* field;
  StepKind kind;
  const Plan* nested;  // kSplit, kSplitEach: the element type's plan
};

// What to do with a message type. Built once under the cache's lock and
// immutable after.
struct Plan {
  const Descriptor* type = nullptr;
  bool is_any = false;    // google.protobuf.Any: split what it holds
  bool may_hold = false;  // is_any, or a step below
  std::vector<Step> steps;
  // While building: the unmarked message fields, kept if their type may hold.
  std::vector<std::pair<const FieldDescriptor*, Plan*>> candidates;
};

class PlanCache {
 public:
  static PlanCache& Get() {
    static PlanCache* const cache = new PlanCache;
    return *cache;
  }

  const Plan* For(const Descriptor* type) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = plans_.find(type);
      if (it != plans_.end()) return it->second.get();
    }
    absl::MutexLock lock(&mu_);
    std::vector<Plan*> fresh;
    Plan* plan = BuildLocked(type, &fresh);
    Finish(fresh);
    return plan;
  }

  absl::StatusOr<const Descriptor*> TypeOf(absl::string_view type_url)
      ABSL_LOCKS_EXCLUDED(mu_) {
    const absl::string_view name = type_url.substr(type_url.rfind('/') + 1);
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = types_.find(name);
      if (it != types_.end()) return it->second;
    }
    const Descriptor* type =
        DescriptorPool::generated_pool()->FindMessageTypeByName(
            std::string(name));
    if (type == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("erasable fields: payload type \"", type_url,
                       "\" is not a message type this binary knows"));
    }
    absl::MutexLock lock(&mu_);
    types_.emplace(std::string(name), type);
    return type;
  }

 private:
  Plan* BuildLocked(const Descriptor* type, std::vector<Plan*>* fresh)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = plans_.find(type);
    if (it != plans_.end()) return it->second.get();
    Plan* plan =
        plans_.emplace(type, std::make_unique<Plan>()).first->second.get();
    fresh->push_back(plan);
    plan->type = type;
    if (type->full_name() == kAnyName) {
      plan->is_any = plan->may_hold = true;
      return plan;
    }
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (IsErasable(field)) {
        plan->steps.push_back({field, StepKind::kMove, nullptr});
        plan->may_hold = true;
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        plan->candidates.emplace_back(
            field, BuildLocked(field->message_type(), fresh));
      }
    }
    return plan;
  }

  // A type may hold erasable fields if one it holds may: settled to a fixed
  // point, since message types can hold each other.
  static void Finish(const std::vector<Plan*>& fresh) {
    for (bool changed = true; changed;) {
      changed = false;
      for (Plan* plan : fresh) {
        if (plan->may_hold) continue;
        for (const auto& [field, nested] : plan->candidates) {
          if (nested->may_hold) {
            plan->may_hold = changed = true;
            break;
          }
        }
      }
    }
    for (Plan* plan : fresh) {
      for (const auto& [field, nested] : plan->candidates) {
        if (!nested->may_hold) continue;
        const StepKind kind = field->is_map()        ? StepKind::kRefuse
                              : field->is_repeated() ? StepKind::kSplitEach
                                                     : StepKind::kSplit;
        plan->steps.push_back({field, kind, nested});
      }
      plan->candidates.clear();
      plan->candidates.shrink_to_fit();
      std::sort(plan->steps.begin(), plan->steps.end(),
                [](const Step& a, const Step& b) {
                  return a.field->index() < b.field->index();
                });
    }
  }

  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<Plan>> plans_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, const Descriptor*> types_
      ABSL_GUARDED_BY(mu_);
};

std::unique_ptr<Message> New(const Descriptor* type) {
  return std::unique_ptr<Message>(
      MessageFactory::generated_factory()->GetPrototype(type)->New());
}

std::string Serialize(const Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializePartialToCodedStream(&coded);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Message>> Parse(const Descriptor* type,
                                               absl::string_view bytes,
                                               absl::string_view what) {
  std::unique_ptr<Message> message = New(type);
  if (!message->ParsePartialFromArray(bytes.data(),
                                      static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat(
        "erasable fields: ", what, " does not parse as ", type->full_name()));
  }
  return message;
}

absl::Status RefuseMap(const FieldDescriptor* field) {
  return absl::InternalError(absl::StrCat(
      "erasable fields: map ", field->full_name(),
      " has erasable fields inside and cannot be split (a map keeps no "
      "order); mark the whole map erasable, or make it a repeated message"));
}

bool IsSet(const Reflection& reflection, const Message& message,
           const FieldDescriptor* field) {
  return field->is_repeated() ? reflection.FieldSize(message, field) > 0
                              : reflection.HasField(message, field);
}

absl::Status SplitMessage(const Plan& plan, Message* message, Message* part,
                          bool* found);

// The type URL and value fields of an Any, reached through reflection like
// every other field here.
std::pair<const FieldDescriptor*, const FieldDescriptor*> AnyFields(
    const Message& any) {
  return {any.GetDescriptor()->FindFieldByNumber(kAnyTypeUrl),
          any.GetDescriptor()->FindFieldByNumber(kAnyValue)};
}

// An Any: split what it holds, by its own type.
absl::Status SplitAny(Message* any, Message* part, bool* found) {
  const Reflection* reflection = any->GetReflection();
  const auto [url_field, value_field] = AnyFields(*any);
  const std::string url = reflection->GetString(*any, url_field);
  if (url.empty()) return absl::OkStatus();
  RP_ASSIGN_OR_RETURN(const Descriptor* type, PlanCache::Get().TypeOf(url));
  const Plan* plan = PlanCache::Get().For(type);
  if (!plan->may_hold) return absl::OkStatus();
  std::string scratch;
  RP_ASSIGN_OR_RETURN(
      std::unique_ptr<Message> inner,
      Parse(type, reflection->GetStringReference(*any, value_field, &scratch),
            url));
  std::unique_ptr<Message> inner_part = New(type);
  bool inner_found = false;
  RP_RETURN_IF_ERROR(
      SplitMessage(*plan, inner.get(), inner_part.get(), &inner_found));
  if (!inner_found) return absl::OkStatus();
  reflection->SetString(any, value_field, Serialize(*inner));
  reflection->SetString(part, url_field, url);
  reflection->SetString(part, value_field, Serialize(*inner_part));
  *found = true;
  return absl::OkStatus();
}

absl::Status SplitMessage(const Plan& plan, Message* message, Message* part,
                          bool* found) {
  if (plan.is_any) return SplitAny(message, part, found);
  const Reflection* reflection = message->GetReflection();
  for (const Step& step : plan.steps) {
    const FieldDescriptor* field = step.field;
    switch (step.kind) {
      case StepKind::kMove:
        if (IsSet(*reflection, *message, field)) {
          reflection->SwapFields(message, part, {field});
          *found = true;
        }
        break;
      case StepKind::kSplit: {
        if (!reflection->HasField(*message, field)) break;
        bool nested_found = false;
        RP_RETURN_IF_ERROR(SplitMessage(
            *step.nested, reflection->MutableMessage(message, field),
            reflection->MutableMessage(part, field), &nested_found));
        if (nested_found) {
          *found = true;
        } else {
          reflection->ClearField(part, field);
        }
        break;
      }
      case StepKind::kSplitEach: {
        const int size = reflection->FieldSize(*message, field);
        if (size == 0) break;
        bool any_found = false;
        for (int i = 0; i < size; ++i) {
          RP_RETURN_IF_ERROR(SplitMessage(
              *step.nested,
              reflection->MutableRepeatedMessage(message, field, i),
              reflection->AddMessage(part, field), &any_found));
        }
        if (any_found) {
          *found = true;
        } else {
          reflection->ClearField(part, field);
        }
        break;
      }
      case StepKind::kRefuse:
        return RefuseMap(field);
    }
  }
  return absl::OkStatus();
}

absl::Status MergeMessage(Message* message, Message* part);

absl::Status MergeAny(Message* any, Message* part) {
  const Reflection* reflection = any->GetReflection();
  const auto [url_field, value_field] = AnyFields(*any);
  const std::string url = reflection->GetString(*any, url_field);
  const std::string part_url = reflection->GetString(*part, url_field);
  // An element of a repeated Any with nothing erasable.
  if (part_url.empty() && reflection->GetString(*part, value_field).empty()) {
    return absl::OkStatus();
  }
  if (url != part_url) {
    return absl::InvalidArgumentError(
        absl::StrCat("erasable fields: the erasable part holds a ", part_url,
                     " where the payload holds a ", url));
  }
  RP_ASSIGN_OR_RETURN(const Descriptor* type, PlanCache::Get().TypeOf(url));
  std::string scratch;
  RP_ASSIGN_OR_RETURN(
      std::unique_ptr<Message> inner,
      Parse(type, reflection->GetStringReference(*any, value_field, &scratch),
            url));
  RP_ASSIGN_OR_RETURN(
      std::unique_ptr<Message> inner_part,
      Parse(type, reflection->GetStringReference(*part, value_field, &scratch),
            absl::StrCat("the erasable part of ", url)));
  RP_RETURN_IF_ERROR(MergeMessage(inner.get(), inner_part.get()));
  reflection->SetString(any, value_field, Serialize(*inner));
  return absl::OkStatus();
}

// Goes by what the erasable part holds rather than by the plan, so a part
// split under an older marking (a field since unmarked) still merges back.
absl::Status MergeMessage(Message* message, Message* part) {
  const Descriptor* type = message->GetDescriptor();
  if (type->full_name() == kAnyName) return MergeAny(message, part);
  const Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*part, &fields);
  for (const FieldDescriptor* field : fields) {
    const bool in_payload =
        field->containing_oneof() != nullptr
            ? reflection->HasOneof(*message, field->containing_oneof())
            : IsSet(*reflection, *message, field);
    if (!in_payload) {  // moved whole
      reflection->SwapFields(message, part, {field});
      continue;
    }
    const bool is_message =
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (is_message && !field->is_repeated() &&
        reflection->HasField(*message, field)) {
      RP_RETURN_IF_ERROR(
          MergeMessage(reflection->MutableMessage(message, field),
                       reflection->MutableMessage(part, field)));
      continue;
    }
    if (is_message && field->is_repeated() && !field->is_map() &&
        reflection->FieldSize(*message, field) ==
            reflection->FieldSize(*part, field)) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        RP_RETURN_IF_ERROR(
            MergeMessage(reflection->MutableRepeatedMessage(message, field, i),
                         reflection->MutableRepeatedMessage(part, field, i)));
      }
      continue;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("erasable fields: ", field->full_name(),
                     " in the erasable part does not fit the payload"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsErasable(const FieldDescriptor* field) {
  return field->options().GetExtension(returnpath::v1::erasable);
}

bool HasErasableFields(const Descriptor* type) {
  return PlanCache::Get().For(type)->may_hold;
}

absl::Status SplitErasable(google::protobuf::Any* payload,
                           std::string* erasable) {
  erasable->clear();
  RP_ASSIGN_OR_RETURN(const Descriptor* type,
                      PlanCache::Get().TypeOf(payload->type_url()));
  const Plan* plan = PlanCache::Get().For(type);
  if (!plan->may_hold) return absl::OkStatus();
  RP_ASSIGN_OR_RETURN(std::unique_ptr<Message> message,
                      Parse(type, payload->value(), payload->type_url()));
  std::unique_ptr<Message> part = New(type);
  bool found = false;
  RP_RETURN_IF_ERROR(SplitMessage(*plan, message.get(), part.get(), &found));
  if (!found) return absl::OkStatus();
  payload->set_value(Serialize(*message));
  *erasable = Serialize(*part);
  return absl::OkStatus();
}

absl::Status MergeErasable(google::protobuf::Any* payload,
                           absl::string_view erasable) {
  if (erasable.empty()) return absl::OkStatus();
  RP_ASSIGN_OR_RETURN(const Descriptor* type,
                      PlanCache::Get().TypeOf(payload->type_url()));
  RP_ASSIGN_OR_RETURN(std::unique_ptr<Message> message,
                      Parse(type, payload->value(), payload->type_url()));
  RP_ASSIGN_OR_RETURN(
      std::unique_ptr<Message> part,
      Parse(type, erasable,
            absl::StrCat("the erasable part of ", payload->type_url())));
  RP_RETURN_IF_ERROR(MergeMessage(message.get(), part.get()));
  payload->set_value(Serialize(*message));
  return absl::OkStatus();
}

}  // namespace returnpath::engine
