// Fuzzes every RPC of the four services as the daemon runs them, without a
// network: the daemon's parts (store, workflow, timers, task queues,
// principals, the services) are wired once as tools/returnpathd/main.cc wires
// them, behind an in-process gRPC channel. Each input is
//   byte 0: the RPC (kMethods order: the services' declaration order),
//   byte 1: the caller (a development principal of each role, or none),
//   rest:   the request's wire bytes, sent as they are (grpc::GenericStub),
// so decoding, authentication, every validation and the store all run. The
// answer must be a deliberate refusal or success: never INTERNAL, UNKNOWN or
// DATA_LOSS, and a request that does not decode gets INVALID_ARGUMENT.

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/rpc/wake_signal.h"
#include "engine/task_queue.h"
#include "engine/timer_loop.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "server/access_log.h"
#include "server/admin_service.h"
#include "server/audit_service.h"
#include "server/dev_principals.h"
#include "server/pathway_service.h"
#include "server/principal_registry.h"
#include "server/task_service.h"
#include "tests/testing/raw_rpc.h"
#include "workflows/return_pathway/compliance/compliance_checker.h"
#include "workflows/return_pathway/return_pathway_workflow.h"
#include "workflows/return_pathway/what_if.h"

namespace {

using namespace returnpath;  // NOLINT: wires many parts, as the daemon's main

struct Method {
  testing::Rpc rpc;
  bool waits;  // a subscription or long poll: it ends by the caller's deadline
};

std::vector<Method> Methods() {
  std::vector<Method> methods;
  for (testing::Rpc& rpc : testing::EveryRpc()) {
    const std::string& name = rpc.method->name();
    const bool waits =
        name == "Subscribe" || name == "SubscribeEvents" || name == "Poll";
    methods.push_back({std::move(rpc), waits});
  }
  return methods;
}

template <typename T>
T Must(absl::StatusOr<T> value, const char* what) {
  if (!value.ok()) {
    fprintf(stderr, "fuzz_services: %s: %s\n", what,
            value.status().ToString().c_str());
    abort();
  }
  return *std::move(value);
}

// The daemon's parts, alive for the whole run.
struct Daemon {
  std::string dir;
  std::unique_ptr<engine::ManualClock> clock;
  std::unique_ptr<engine::PrincipalRegistry> principals;
  std::unique_ptr<engine::Workflow> workflow;
  std::unique_ptr<engine::HistoryChecker> checker;
  std::unique_ptr<engine::EventStore> store;
  std::unique_ptr<engine::TimerLoop> timers;
  std::unique_ptr<engine::TaskQueue> tasks;
  std::unique_ptr<engine::Executor> executor;
  std::unique_ptr<engine::WakeSignal> commits;
  std::unique_ptr<engine::AccessLog> access_log;
  std::unique_ptr<engine::SigningKey> signing_key;
  std::unique_ptr<engine::PathwayService> pathway;
  std::unique_ptr<engine::TaskService> task;
  std::unique_ptr<engine::AuditService> audit;
  std::unique_ptr<engine::AdminService> admin;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<grpc::GenericStub> stub;
  std::vector<std::string> tokens;  // by caller byte; "" calls without one
  std::vector<Method> methods;
};

std::string ReadToken(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
    token.pop_back();
  return token;
}

Daemon* StartDaemon() {
  auto* d = new Daemon;
  // tmpfs when there is one: the store syncs every commit.
  std::string dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  dir += "/rp_fuzz_services.XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) abort();
  d->dir = dir;

  d->clock = std::make_unique<engine::ManualClock>(
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0),
                      absl::UTCTimeZone()));
  const std::string principals_file = Must(
      engine::EnsureDevPrincipals(dir),
      "principals");
  d->principals =
      Must(engine::PrincipalRegistry::Open(principals_file, d->clock.get()),
           "principal registry");
  d->workflow = Must(return_pathway::NewReturnPathwayWorkflow(POLICY_DIR),
                     "policy");
  d->checker = Must(return_pathway::NewComplianceChecker(POLICY_DIR),
                    "compliance checker");
  engine::StoreOptions options;
  options.path = dir + "/store";
  options.clock = d->clock.get();
  options.workflow = d->workflow.get();
  d->store = Must(engine::EventStore::Open(options), "store");
  d->timers = Must(engine::TimerLoop::Start(d->store.get(), d->clock.get()),
                   "timers");
  d->tasks = Must(engine::TaskQueue::Create(d->store.get(), d->clock.get()),
                  "tasks");
  d->executor = std::make_unique<engine::Executor>(2);
  d->commits = std::make_unique<engine::WakeSignal>(d->executor.get());
  d->store->AddCommitListener(
      [commits = d->commits.get()](uint64_t) { commits->Notify(); });
  d->access_log = std::make_unique<engine::AccessLog>(d->store.get());
  const engine::ServiceDeps deps{
      d->store.get(),
      d->workflow.get(),
      d->principals->authenticator(),
      d->executor.get(),
      d->clock.get(),
      d->access_log.get(),
      d->checker.get(),
      return_pathway::WorkflowForPolicyIn(POLICY_DIR)};
  d->pathway = std::make_unique<engine::PathwayService>(deps);
  d->task = std::make_unique<engine::TaskService>(deps, d->tasks.get());
  d->signing_key = engine::SigningKey::Generate();
  d->audit = std::make_unique<engine::AuditService>(deps, d->commits.get(),
                                                    d->signing_key.get());
  d->admin = std::make_unique<engine::AdminService>(deps, d->clock.get(),
                                                    d->principals.get());

  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(4 << 20);  // as GrpcServerOptions
  builder.RegisterService(d->pathway.get());
  builder.RegisterService(d->task.get());
  builder.RegisterService(d->audit.get());
  builder.RegisterService(d->admin.get());
  d->server = builder.BuildAndStart();
  if (d->server == nullptr) abort();
  d->stub = std::make_unique<grpc::GenericStub>(
      d->server->InProcessChannel(grpc::ChannelArguments()));

  for (const char* name : {"reception", "adviser", "police", "auditor", "admin"})
    d->tokens.push_back(ReadToken(absl::StrCat(dir, "/tokens/", name, ".token")));
  d->tokens.push_back("");
  d->methods = Methods();
  return d;
}

// At exit, as the daemon shuts down: no thread of ours may outlive the
// libraries' static objects.
void StopDaemon(Daemon* d) {
  d->server->Shutdown(std::chrono::system_clock::now());
  d->tasks->Stop();
  d->timers->Stop();
  d->executor.reset();
  d->store->Close().IgnoreError();
}

bool Decodes(const Method& method, const uint8_t* data, size_t size) {
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method.rpc.method->input_type())
          ->New());
  return message->ParseFromArray(data, static_cast<int>(size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Daemon* daemon = [] {
    Daemon* d = StartDaemon();
    static Daemon* stopping = d;
    atexit([] { StopDaemon(stopping); });
    return d;
  }();
  if (size < 2) return 0;
  const Method& method = daemon->methods[data[0] % daemon->methods.size()];
  const std::string& token = daemon->tokens[data[1] % daemon->tokens.size()];
  testing::RawCall call(*daemon->stub, method.rpc.path, token, data + 2,
                        size - 2,
                        method.waits ? std::chrono::milliseconds(50)
                                     : std::chrono::seconds(30));
  const grpc::Status status = call.Wait();

  const grpc::StatusCode code = status.error_code();
  const bool decodes = Decodes(method, data + 2, size - 2);
  bool expected = code != grpc::StatusCode::INTERNAL &&
                  code != grpc::StatusCode::UNKNOWN &&
                  code != grpc::StatusCode::DATA_LOSS &&
                  code != grpc::StatusCode::UNIMPLEMENTED;
  if (!decodes) expected = code == grpc::StatusCode::INVALID_ARGUMENT;
  if (code == grpc::StatusCode::DEADLINE_EXCEEDED && !method.waits)
    expected = false;
  if (!expected) {
    fprintf(stderr, "fuzz_services: %s answered %d: %s (request decodes: %d)\n",
            method.rpc.path.c_str(), static_cast<int>(code),
            status.error_message().c_str(), decodes);
    abort();
  }
  return 0;
}
