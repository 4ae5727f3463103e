#include "tools/benchmarks/daemon.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "server/dev_principals.h"
#include "workflows/return_pathway/policy_set.h"
#include "workflows/return_pathway/recording_rights.h"

namespace returnpath::bench {

namespace fs = std::filesystem;

namespace {

// The workload spans every centre, so its principals are national ones (as a
// deployment would give), not the development daemon's Oslo-1 desk. Tokens go
// to <data_dir>/tokens/ as DevToken expects; an existing file is kept.
absl::StatusOr<std::string> NationalPrincipals(const std::string& data_dir) {
  const std::string path = data_dir + "/principals.textproto";
  if (fs::exists(path)) return path;
  std::vector<v1::PrincipalEntry> entries;
  for (const auto& [name, role] : {std::pair{"reception", v1::ROLE_RECEPTION},
                                   std::pair{"adviser", v1::ROLE_ADVISER},
                                   std::pair{"police", v1::ROLE_POLICE},
                                   std::pair{"auditor", v1::ROLE_AUDITOR},
                                   std::pair{"admin", v1::ROLE_ADMIN}}) {
    v1::PrincipalEntry& entry = entries.emplace_back();
    entry.set_name(name);
    entry.set_role(role);
    if (role != v1::ROLE_ADMIN) entry.add_scopes("*");
  }
  absl::Status written = engine::WritePrincipalsWithTokens(
      std::move(entries), path, data_dir + "/tokens");
  if (!written.ok()) return written;
  return path;
}

}  // namespace

absl::StatusOr<Daemon> StartDaemon(const std::string& data_dir,
                                   const std::vector<std::string>& extra_flags,
                                   const std::string& log_path,
                                   absl::Duration timeout) {
  Daemon d;
  d.data_dir = fs::absolute(data_dir).string();
  d.port_file = d.data_dir + ".port";
  std::error_code error;
  fs::create_directories(fs::path(log_path).parent_path(), error);
  fs::create_directories(d.data_dir, error);
  absl::StatusOr<std::string> principals = NationalPrincipals(d.data_dir);
  if (!principals.ok()) return principals.status();
  std::vector<std::string> argv = {
      fs::absolute(absl::GetFlag(FLAGS_returnpathd)).string(),
      absl::StrCat("--data_dir=", d.data_dir),
      "--listen=127.0.0.1:0",
      absl::StrCat("--port_file=", d.port_file),
      absl::StrCat("--principals=", *principals),
      absl::StrCat("--policy_dir=",
                   fs::absolute(absl::GetFlag(FLAGS_policy_dir)).string())};
  if (OnPostgres()) {
    absl::StatusOr<std::string> store = BenchStorePath(d.data_dir + "/store");
    if (!store.ok()) return store.status();
    argv.push_back(absl::StrCat("--store=", *store));
  }
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<process::ServingProcess> serving = process::SpawnServing(
      argv, {.out_path = log_path, .err_path = log_path, .append = true},
      d.port_file, timeout);
  if (!serving.ok()) {
    return absl::Status(
        serving.status().code(),
        absl::StrCat(serving.status().message(), "; see ", log_path));
  }
  d.process = std::move(serving->process);
  d.port = serving->port;
  d.spawned = serving->spawned;
  d.port_written = serving->port_written;
  return d;
}

absl::StatusOr<std::string> DevToken(const std::string& data_dir,
                                     const std::string& role) {
  absl::StatusOr<std::string> token = engine::ReadFileText(
      absl::StrCat(data_dir, "/tokens/", role, ".token"), "token file");
  if (!token.ok()) return token.status();
  return std::string(absl::StripAsciiWhitespace(*token));
}

absl::StatusOr<RecordingBearers> RecordingBearers::Load(
    const std::string& data_dir) {
  RecordingBearers out;
  RP_ASSIGN_OR_RETURN(return_pathway::PolicySet policies,
                      return_pathway::PolicySet::LoadDirectory(
                          absl::GetFlag(FLAGS_policy_dir)));
  RP_ASSIGN_OR_RETURN(const v1::Policy* policy,
                      policies.InForceAt(absl::Now()));
  out.policy_ = *policy;
  for (absl::string_view role : return_pathway::kRecordingRoles) {
    RP_ASSIGN_OR_RETURN(std::string token,
                        DevToken(data_dir, std::string(role)));
    out.bearers_[std::string(role)] = absl::StrCat("Bearer ", token);
  }
  return out;
}

const std::string& RecordingBearers::For(
    const google::protobuf::Any& event) const {
  for (const auto& [role, bearer] : bearers_) {
    if (return_pathway::MayRecordUnder(policy_, role, event).ok()) {
      return bearer;
    }
  }
  return bearers_.find("reception")->second;
}

std::shared_ptr<grpc::Channel> OwnChannel(int port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

returnpath::v1::RecordEventRequest ToRecordEvent(
    const engine::AppendRequest& request) {
  returnpath::v1::RecordEventRequest out;
  out.set_person_id(request.stream_id);
  *out.mutable_event() = request.events[0].payload;
  *out.mutable_effective_time() =
      engine::ToTimestamp(request.events[0].effective_time);
  if (request.expected_version.has_value()) {
    out.set_expected_version(*request.expected_version);
  }
  out.set_idempotency_key(request.idempotency_key);
  out.set_correlation_id(request.correlation_id);
  return out;
}

}  // namespace returnpath::bench
