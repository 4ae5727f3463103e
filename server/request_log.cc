#include "server/request_log.h"

#include <filesystem>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "engine/digest.h"
#include "engine/private_file.h"
#include "engine/read_file.h"
#include "engine/rpc/log.h"
#include "engine/status_macros.h"
#include "server/call_auth.h"
#include "server/principal_file.h"

namespace returnpath::engine {
namespace {

constexpr size_t kKeyBytes = 32;
// How deep PersonIdsIn looks into nested messages: a request's own fields
// and the messages it carries (an import's events), not further.
constexpr int kMaxDepth = 3;
// A request naming many persons (an import) names the first ones in its line
// and counts the rest.
constexpr size_t kMaxLoggedPersons = 20;

void Collect(const google::protobuf::Message& message, int depth,
             std::vector<std::string>* out) {
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    using Type = google::protobuf::FieldDescriptor;
    if (field->cpp_type() == Type::CPPTYPE_STRING &&
        (field->name() == "person_id" || field->name() == "person_ids")) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          out->push_back(reflection.GetRepeatedString(message, field, i));
        }
      } else {
        out->push_back(reflection.GetString(message, field));
      }
    } else if (field->cpp_type() == Type::CPPTYPE_MESSAGE &&
               depth + 1 < kMaxDepth) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          Collect(reflection.GetRepeatedMessage(message, field, i), depth + 1,
                  out);
        }
      } else {
        Collect(reflection.GetMessage(message, field), depth + 1, out);
      }
    }
  }
}

}  // namespace

absl::StatusOr<PersonHasher> PersonHasher::FromKeyFile(
    const std::string& path) {
  if (!std::filesystem::exists(path)) {
    std::string key = RandomBytes(kKeyBytes);
    RP_RETURN_IF_ERROR(WritePrivateFile(path, key));
    return PersonHasher(std::move(key));
  }
  RP_ASSIGN_OR_RETURN(std::string key, ReadFileText(path, "the log key"));
  if (key.size() != kKeyBytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the log key ", path, " is not ", kKeyBytes,
        " bytes: restore it from a backup, or remove it to start a new one "
        "(older log lines then no longer match newer ones)"));
  }
  return PersonHasher(std::move(key));
}

std::string PersonHasher::Of(absl::string_view person_id) const {
  return absl::BytesToHexString(HmacSha256(key_, person_id).substr(0, 8));
}

void PersonIdsIn(const google::protobuf::Message& request,
                 std::vector<std::string>* out) {
  Collect(request, 0, out);
}

absl::string_view RequestLogLevel(const CallRecord& call) {
  if (absl::StartsWith(call.method, "/grpc.")) return "debug";
  switch (call.code) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::CANCELLED:
      return "info";
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "error";
    default:
      return "warning";
  }
}

void LogRequest(const CallRecord& call, const PersonHasher& hasher) {
  std::vector<std::string> persons;
  std::vector<std::pair<std::string, std::string>> hidden;
  for (const std::string& id : call.subjects) {
    const std::string hash = hasher.Of(id);
    if (persons.size() < kMaxLoggedPersons) persons.push_back(hash);
    if (!id.empty()) hidden.emplace_back(id, absl::StrCat("#", hash));
  }
  const std::string more = absl::StrCat(call.subjects.size() - persons.size());
  const std::string code =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(call.code));
  const std::string latency =
      absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(call.latency));
  const std::string person_list = absl::StrJoin(persons, ",");
  const std::string reason = absl::StrReplaceAll(call.reason, hidden);
  std::vector<std::pair<absl::string_view, absl::string_view>> fields = {
      {"rpc", call.method},
      {"principal", call.principal.empty() ? absl::string_view("-")
                                           : absl::string_view(call.principal)},
      {"code", code},
      {"latency_ms", latency}};
  if (!persons.empty()) fields.emplace_back("persons", person_list);
  if (call.subjects.size() > persons.size()) {
    fields.emplace_back("more_persons", more);
  }
  if (call.code != grpc::StatusCode::OK) fields.emplace_back("reason", reason);
  LogLine(RequestLogLevel(call), "request", fields);
}

CallHooks RequestLogHooks(const Authenticator* auth, PersonHasher hasher,
                          std::function<void(const CallRecord&)> also) {
  CallHooks hooks;
  hooks.principal = [auth](const grpc::ServerContextBase& ctx) {
    absl::StatusOr<Principal> principal = AuthenticateCall(*auth, ctx);
    return principal.ok() ? principal->name : std::string();
  };
  hooks.message_prefix = "/returnpath.";
  hooks.subjects = PersonIdsIn;
  hooks.finished = [hasher = std::move(hasher),
                    also = std::move(also)](const CallRecord& call) {
    LogRequest(call, hasher);
    if (also) also(call);
  };
  return hooks;
}

}  // namespace returnpath::engine
