// The authorization matrix through the real daemon (issue 10): every RPC ×
// every role × a target in scope, out of scope and missing, and bad
// credentials, with scoped principals (not `*`). Each row asserts the exact
// code the security contract of issue 10 gives, and a refused call must write
// nothing: the log's last position, the person's version and the access log
// stay as they were. A missing person (or task) and one out of scope get the
// same NOT_FOUND text with the id swapped. Once over bearer tokens, once under
// mutual TLS with a client certificate per principal: one daemon each.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "clients/lib/time_text.h"
#include "engine/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "returnpath/v1/auth.pb.h"
#include "server/auth.h"
#include "tests/integration/authz_matrix_rows.h"
#include "tests/integration/fixture.h"
#include "tests/integration/rpc_calls.h"
#include "tests/integration/test_pki.h"

namespace returnpath::integration {
namespace {

using grpc::StatusCode;

constexpr StatusCode kOk = StatusCode::OK;
constexpr StatusCode kNotFound = StatusCode::NOT_FOUND;

// ---- where: a daemon with persons in and out of the principals' scopes ----

// Persons: three at Oslo-1 (region OSLO), one at Bergen-1 (region VEST), all
// finally rejected and past their departure deadline, so each has a relocation
// task (reception/<centre>), a return conversation (advisers/<centre>), a
// police referral (police/pu) and escalations (region/<REGION>).
constexpr char kOslo[] = "O-1";
constexpr char kBergen[] = "B-1";
constexpr char kMissing[] = "NOBODY-1";
constexpr char kMissingTask[] = "T-NONE";
std::vector<PersonSpec> Population() {
  std::vector<PersonSpec> persons(4);
  persons[0].id = kOslo;
  persons[1].id = "O-2";
  persons[2].id = "O-3";
  persons[3].id = kBergen;
  persons[3].centre = "Bergen-1";
  persons[3].region = "vest";
  return persons;
}

Target PersonTarget(const std::string& person) {
  Target target;
  target.person = person;
  return target;
}

Target TaskTarget(const std::string& person, const std::string& task) {
  Target target = PersonTarget(person);
  target.task = task;
  return target;
}

// Registering `person` at `centre`.
Target NewPersonTarget(const std::string& person, const std::string& centre,
                       const std::string& region) {
  Target target = PersonTarget(person);
  target.centre = centre;
  target.region = region;
  return target;
}

// One daemon with the principals above, the population, and the targets the
// rows name ("Oslo person", "Bergen referral", "queue police/pu", ...).
class World {
 public:
  // Starts the daemon with `options` and the principals above, connects every
  // principal through `connect`, sets the scene.
  absl::Status Start(DaemonOptions options,
                     const std::function<Caller(const std::string&)>& connect);

  bool started() const { return daemon_ != nullptr; }
  Daemon& daemon() { return *daemon_; }
  const Caller& As(const std::string& name) const { return callers_.at(name); }
  const Target& TargetNamed(const std::string& name) const {
    return targets_.at(name);
  }

  // What a refused call must leave as it was.
  struct Written {
    uint64_t last_position = 0;
    uint64_t version = 0;       // of the target person; 0: none
    // Access records in all as the snapshot began, and those its own read
    // of the person's history then added.
    uint64_t access_records = 0;
    uint64_t own_access_records = 0;
    std::string principals;  // as the admin lists them, when it can
  };
  absl::StatusOr<Written> Snapshot(const std::string& person);
  // The newest access record by `principal` through `method` (of `person`,
  // if given): its sequence, 0 if none.
  absl::StatusOr<uint64_t> NewestRead(const std::string& principal,
                                      const std::string& method,
                                      const std::string& person);

 private:
  absl::Status SetScene();
  client::Client& ClientAs(const std::string& name);

  std::unique_ptr<Daemon> daemon_;
  std::map<std::string, Caller> callers_;
  std::map<std::string, std::unique_ptr<client::Client>> clients_;
  std::map<std::string, Target> targets_;
};

// The bearer token a caller sends ("" under mutual TLS).
std::string TokenIn(const Caller& caller) {
  return std::string(absl::StripPrefix(caller.authorization, "Bearer "));
}

// A client library connection for a principal's caller.
client::Client& World::ClientAs(const std::string& name) {
  auto& client = clients_[name];
  if (client == nullptr) {
    const Caller& caller = callers_.at(name);
    client = std::make_unique<client::Client>(caller.channel, TokenIn(caller),
                                              absl::Seconds(10));
  }
  return *client;
}

absl::Status World::Start(
    DaemonOptions options,
    const std::function<Caller(const std::string&)>& connect) {
  options.principals = PrincipalEntries();
  RP_ASSIGN_OR_RETURN(daemon_, Daemon::Start(options));
  for (const auto* group : {&MatrixPrincipals(), &StagePrincipals()}) {
    for (const ScopedPrincipal& principal : *group)
      callers_[principal.name] = connect(principal.name);
  }
  return SetScene();
}

absl::Status World::SetScene() {
  client::Client& registrar = ClientAs("registrar");
  client::Client& admin = ClientAs("admin");
  auto advance_until = [&admin](const char* time) {
    v1::AdvanceClockRequest request;
    *request.mutable_until() = client::ToTimestamp(Utc(time));
    return admin.AdvanceClock(request).status();
  };
  for (const PersonSpec& person : Population()) {
    RP_ASSIGN_OR_RETURN(client::BuiltEvent event, RegistrationEvent(person));
    RP_RETURN_IF_ERROR(registrar.Record(person.id, event).status());
  }
  RP_RETURN_IF_ERROR(advance_until("2026-03-02T08:00:00Z"));
  for (const PersonSpec& person : Population()) {
    RP_ASSIGN_OR_RETURN(
        client::BuiltEvent event,
        client::BuildEvent("final-rejection", {{"notified", "2026-03-02"}}));
    RP_RETURN_IF_ERROR(registrar.Record(person.id, event).status());
  }
  // Midnight in Oslo after the departure deadline (2026-03-23): every timer
  // due by then fires; the departure deadline is the last of them.
  RP_RETURN_IF_ERROR(advance_until("2026-03-23T23:00:01Z"));
  for (const PersonSpec& person : Population()) {
    RP_RETURN_IF_ERROR(WaitForEvent(
                           As("witness").channel, TokenIn(As("witness")),
                           person.id,
                           [](const v1::EventEnvelope& e) {
                             return IsTimerFired(e, "departure_deadline");
                           },
                           absl::Seconds(15))
                           .status());
  }

  targets_["-"] = {};
  targets_["everyone"] = {};
  targets_["Oslo person"] = PersonTarget(kOslo);
  targets_["Bergen person"] = PersonTarget(kBergen);
  targets_["missing person"] = PersonTarget(kMissing);
  targets_["missing task"] = TaskTarget(kOslo, kMissingTask);
  targets_["new at Oslo-1"] = NewPersonTarget("NEW-O", "Oslo-1", "oslo");
  targets_["new at Bergen-1"] = NewPersonTarget("NEW-B", "Bergen-1", "vest");
  for (const char* queue :
       {"reception/Oslo-1", "reception/Bergen-1", "reception/Nowhere-9",
        "advisers/Oslo-1", "advisers/Bergen-1", "advisers/Nowhere-9",
        "police/pu", "region/OSLO", "police/Nowhere-9"}) {
    targets_[absl::StrCat("queue ", queue)].queue = queue;
  }
  for (const char* prefix : {"centre/Oslo-1", "centre/Bergen-1"})
    targets_[absl::StrCat("prefix ", prefix)].index_prefix = prefix;
  targets_["added principal"].principal = "added-by-the-matrix";
  targets_["missing principal"].principal = "nobody-by-this-name";
  for (const auto& [person, place] :
       {std::pair{kOslo, "Oslo"}, std::pair{kBergen, "Bergen"}}) {
    RP_ASSIGN_OR_RETURN(v1::PathwayView view, registrar.GetPathway(person));
    for (const auto& [kind, what] :
         {std::pair{"relocation", "relocation"},
          std::pair{"return_conversation", "conversation"},
          std::pair{"police_referral", "referral"}}) {
      std::vector<v1::Task> tasks = TasksOfKind(view, kind);
      if (tasks.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            person, " has no open ", kind, " task: ", view.DebugString()));
      }
      targets_[absl::StrCat(place, " ", what)] =
          TaskTarget(person, tasks[0].id());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<World::Written> World::Snapshot(const std::string& person) {
  client::Client& witness = ClientAs("witness");
  Written written;
  RP_RETURN_IF_ERROR(
      witness.Verify({}, [&written](const v1::VerifyResponse& response) {
        // Verified from position 1 to the last, and the whole access log.
        if (response.has_outcome()) {
          written.last_position = response.outcome().checked();
          written.access_records = response.outcome().access_records();
        }
        return true;
      }));
  if (!person.empty()) {
    v1::HistoryRequest history;
    history.set_person_id(person);
    absl::Status read =
        witness.History(history, [&written](const v1::EventEnvelope& e) {
          written.version = e.stream_version();
          return true;
        });
    if (!read.ok() && !absl::IsNotFound(read)) return read;
    written.own_access_records = read.ok() ? 1 : 0;
  }
  grpc::ClientContext ctx;
  if (!As("admin").authorization.empty())
    ctx.AddMetadata("authorization", As("admin").authorization);
  v1::ListPrincipalsResponse principals;
  grpc::Status listed =
      v1::AdminService::NewStub(As("admin").channel)
          ->ListPrincipals(&ctx, v1::ListPrincipalsRequest(), &principals);
  if (!listed.ok()) return client::FromGrpcStatus(listed);
  written.principals = principals.SerializeAsString();
  return written;
}

absl::StatusOr<uint64_t> World::NewestRead(const std::string& principal,
                                           const std::string& method,
                                           const std::string& person) {
  v1::AccessLogRequest request;
  request.set_principal(principal);
  request.set_person_id(person);
  request.set_limit(1000);
  RP_ASSIGN_OR_RETURN(v1::AccessLogResponse log,
                      ClientAs("witness").AccessLog(request));
  for (const v1::AccessRecord& record : log.records()) {
    if (record.method() == method) return record.sequence();
  }
  return 0;
}

// ---- the loop --------------------------------------------------------------

// The access-log method of each RPC that serves a person's data, by label.
// Listings that may come back empty here (dead letters, the caller's own
// tasks) are left out: an empty answer reads no one.
const std::map<std::string, std::string>& ReadMethods() {
  static const auto* const kMethods = new std::map<std::string, std::string>{
      {"PathwayService.GetPathway", "GetPathway"},
      {"PathwayService.ListPathways", "ListPathways"},
      {"AuditService.History", "History"},
      {"AuditService.PathwayAsOf", "PathwayAsOf"},
      {"AuditService.Compliance", "Compliance"},
      {"AuditService.Log", "Log"},
      {"AuditService.SubscribeEvents", "SubscribeEvents"},
      {"TaskService.Poll", "PollTasks"},
      {"TaskService.Subscribe", "SubscribeTasks"},
      {"TaskService.Claim", "ClaimTask"},
      {"TaskService.ListTasks", "ListTasks"},
      {"TaskService.Fail", "FailTask"},
      {"TaskService.Release", "ReleaseTask"},
      {"TaskService.ExtendLease", "ExtendLease"},
      {"TaskService.Reassign", "ReassignTask"},
      {"TaskService.Requeue", "RequeueTask"},
  };
  return *kMethods;
}

// A read the row made must be in the access log under its caller, naming the
// target person (listings: some person), newer than anything before it.
void ExpectReadLogged(World& world, const Row& row, const Target& target,
                      uint64_t newest_before) {
  const auto method = ReadMethods().find(row.rpc);
  if (method == ReadMethods().end()) return;
  // The matrix's callers work at Oslo-1: a listing of Bergen's prefix comes
  // back empty, and an empty answer reads no one.
  if (target.person.empty() && absl::StrContains(row.target, "Bergen")) return;
  // The compliance report over everyone reads only the persons it has a
  // finding about (compliance_flow_test checks those records).
  if (target.person.empty() && row.rpc == "AuditService.Compliance") return;
  absl::StatusOr<uint64_t> newest =
      world.NewestRead(row.caller, method->second, target.person);
  if (!newest.ok()) {
    ADD_FAILURE() << RowName(row)
                  << ": cannot read the access log: " << newest.status();
  } else if (*newest <= newest_before) {
    ADD_FAILURE() << RowName(row) << " was answered, but its read of "
                  << (target.person.empty() ? "the persons it served"
                                            : target.person)
                  << " is not in the access log as " << method->second;
  }
}

// Runs every row against `world`; returns the status each row got.
std::vector<grpc::Status> RunRows(World& world, const std::vector<Row>& rows,
                                  const std::vector<BadCredentials>& bad) {
  std::map<std::string, const Caller*> callers;
  for (const BadCredentials& credentials : bad)
    callers[credentials.name] = &credentials.caller;
  for (const ScopedPrincipal& principal : MatrixPrincipals())
    callers[principal.name] = &world.As(principal.name);
  std::vector<grpc::Status> got;
  std::vector<std::string> wrong;
  for (const Row& row : rows) {
    const Target& target = world.TargetNamed(row.target);
    absl::StatusOr<World::Written> before = world.Snapshot(target.person);
    const auto method = ReadMethods().find(row.rpc);
    absl::StatusOr<uint64_t> newest_before =
        row.code == kOk && method != ReadMethods().end()
            ? world.NewestRead(row.caller, method->second, target.person)
            : 0;
    grpc::Status status =
        RpcCalls().at(row.rpc)(*callers.at(row.caller), target);
    got.push_back(status);
    EXPECT_EQ(CodeName(status.error_code()), CodeName(row.code))
        << RowName(row) << ": " << status.error_message();
    if (status.error_code() != row.code) wrong.push_back(RowName(row));
    if (row.code == kOk) {
      if (status.ok() && newest_before.ok()) {
        ExpectReadLogged(world, row, target, *newest_before);
      }
      continue;
    }
    absl::StatusOr<World::Written> after = world.Snapshot(target.person);
    if (!before.ok() || !after.ok()) {
      ADD_FAILURE() << RowName(row)
                    << ": cannot read what was written: " << before.status()
                    << " / " << after.status();
    } else if (before->last_position != after->last_position ||
               before->version != after->version ||
               before->access_records + before->own_access_records !=
                   after->access_records ||
               before->principals != after->principals) {
      ADD_FAILURE() << RowName(row) << " was refused but wrote: last position "
                    << before->last_position << " -> " << after->last_position
                    << ", version " << before->version << " -> "
                    << after->version << ", access records "
                    << before->access_records << " -> " << after->access_records
                    << (before->principals == after->principals
                            ? ""
                            : ", and the principals changed");
      wrong.push_back(RowName(row) + " (wrote)");
    }
  }
  std::cout << rows.size() << " rows, " << wrong.size() << " wrong"
            << (wrong.empty() ? "" : ":\n  ") << absl::StrJoin(wrong, "\n  ")
            << "\n";
  return got;
}

// No existence oracle: for each RPC and caller, a NOT_FOUND for a target that
// exists out of scope reads exactly like the one for the missing target, with
// the ids swapped.
void ExpectNoExistenceOracle(World& world, const std::vector<Row>& rows,
                             const std::vector<grpc::Status>& got) {
  for (size_t m = 0; m < rows.size(); ++m) {
    if (rows[m].target != "missing person" && rows[m].target != "missing task")
      continue;
    const Target& missing = world.TargetNamed(rows[m].target);
    for (size_t o = 0; o < rows.size(); ++o) {
      const Target& other = world.TargetNamed(rows[o].target);
      if (o == m || rows[o].rpc != rows[m].rpc ||
          rows[o].caller != rows[m].caller || rows[o].code != kNotFound ||
          got[o].error_code() != kNotFound ||
          got[m].error_code() != kNotFound ||
          other.task.empty() != missing.task.empty()) {
        continue;
      }
      std::vector<std::pair<std::string, std::string>> swap = {
          {other.person, missing.person}};
      if (!other.task.empty()) swap.push_back({other.task, missing.task});
      EXPECT_EQ(absl::StrReplaceAll(got[o].error_message(), swap),
                got[m].error_message())
          << RowName(rows[o]) << " tells an existing target from a missing one";
    }
  }
}

// ---- the two transports ----------------------------------------------------

class AuthzMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ReturnpathdPath().empty()) GTEST_SKIP() << "returnpathd is not built";
    client::LinkDomainMessages();
    absl::StatusOr<std::string> dir = MakeTempDir("rp_matrix_");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  void TearDown() override {
    if (HasFailure() && world_.has_value() && world_->started()) {
      std::cerr << "---- returnpathd log (tail) ----\n"
                << world_->daemon().LogTail() << "\n----\n";
    }
    world_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  void RunMatrix(const std::vector<BadCredentials>& bad) {
    const std::vector<Row> rows = ExpandRows(bad);
    std::vector<grpc::Status> got = RunRows(*world_, rows, bad);
    ExpectNoExistenceOracle(*world_, rows, got);
  }

  std::string dir_;
  std::optional<World> world_;
};

// TLS credentials trusting `ca_pem`, presenting `client` if given.
std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(
    const std::string& ca_pem, const CertFiles* client) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca_pem;
  if (client != nullptr) {
    ssl.pem_cert_chain = client->cert_pem;
    ssl.pem_private_key = client->key_pem;
  }
  return grpc::SslCredentials(ssl);
}

TEST_F(AuthzMatrixTest, BearerTokens) {
  world_.emplace();
  World& world = *world_;
  RP_ASSERT_OK(world.Start({}, [&world](const std::string& principal) {
    return Caller{world.daemon().NewChannel(),
                  absl::StrCat("Bearer ", TokenOf(principal))};
  }));
  const std::shared_ptr<grpc::Channel> channel = world.daemon().NewChannel();
  RunMatrix({
      {"no token", {channel, ""}, StatusCode::UNAUTHENTICATED},
      {"unknown token",
       {channel, "Bearer not-a-known-token"},
       StatusCode::UNAUTHENTICATED},
      {"malformed header",
       {channel, "Basic cmVjZXB0aW9uOnB3"},
       StatusCode::UNAUTHENTICATED},
  });
}

// Under mutual TLS every principal presents a certificate with its name as
// CN; bearer headers play no part.
TEST_F(AuthzMatrixTest, MutualTls) {
  std::filesystem::create_directories(dir_ + "/ca");
  std::filesystem::create_directories(dir_ + "/other-ca");
  absl::StatusOr<TestPki> pki = TestPki::Create(dir_ + "/ca", "matrix CA");
  RP_ASSERT_OK(pki);
  absl::StatusOr<TestPki> other_pki =
      TestPki::Create(dir_ + "/other-ca", "another CA");
  RP_ASSERT_OK(other_pki);
  absl::StatusOr<CertFiles> server = pki->IssueServer();
  RP_ASSERT_OK(server);
  std::map<std::string, CertFiles> certs;
  for (const auto* group : {&MatrixPrincipals(), &StagePrincipals()}) {
    for (const ScopedPrincipal& principal : *group) {
      absl::StatusOr<CertFiles> cert = pki->IssueClient(principal.name);
      RP_ASSERT_OK(cert);
      certs[principal.name] = *cert;
    }
  }
  absl::StatusOr<CertFiles> stranger = pki->IssueClient("stranger");
  RP_ASSERT_OK(stranger);
  absl::StatusOr<CertFiles> foreign = other_pki->IssueClient("witness");
  RP_ASSERT_OK(foreign);

  DaemonOptions options;
  options.extra_flags = {"--tls_cert=" + server->cert_file,
                         "--tls_key=" + server->key_file,
                         "--tls_client_ca=" + pki->ca_cert_file()};
  options.credentials = TlsCredentials(pki->ca_pem(), &certs.at("witness"));
  world_.emplace();
  World& world = *world_;
  auto channel_with = [&](const std::string& ca_pem, const CertFiles* cert) {
    return grpc::CreateChannel(world.daemon().address(),
                               TlsCredentials(ca_pem, cert));
  };
  RP_ASSERT_OK(world.Start(options, [&](const std::string& principal) {
    return Caller{channel_with(pki->ca_pem(), &certs.at(principal)), ""};
  }));
  RunMatrix({
      {"no client certificate",
       {channel_with(pki->ca_pem(), nullptr), ""},
       StatusCode::UNAVAILABLE},
      {"certificate of another CA",
       {channel_with(pki->ca_pem(), &*foreign), ""},
       StatusCode::UNAVAILABLE},
      {"unknown CN",
       {channel_with(pki->ca_pem(), &*stranger), ""},
       StatusCode::UNAUTHENTICATED},
  });
}

// The matrix covers every RPC the services declare: a new RPC (principal
// management, say) fails here until it has rows in AllowedRoleRows() and a
// call in rpc_calls.cc.
TEST(AuthzMatrixCoverage, EveryRpcOfTheServicesHasRows) {
  std::set<std::string> labelled;
  for (const Row& row : AllowedRoleRows()) {
    labelled.insert(row.rpc.substr(0, row.rpc.find(' ')));
    EXPECT_TRUE(RpcCalls().contains(row.rpc)) << "no call for " << row.rpc;
  }
  for (const char* service :
       {"PathwayService", "TaskService", "AuditService", "AdminService"}) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            absl::StrCat("returnpath.v1.", service));
    ASSERT_NE(descriptor, nullptr) << service;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      const std::string rpc =
          absl::StrCat(service, ".", descriptor->method(i)->name());
      EXPECT_TRUE(labelled.contains(rpc)) << rpc << " has no rows";
    }
  }
}

}  // namespace
}  // namespace returnpath::integration
