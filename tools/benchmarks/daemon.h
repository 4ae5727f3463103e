#ifndef RETURNPATH_TOOLS_BENCHMARKS_DAEMON_H_
#define RETURNPATH_TOOLS_BENCHMARKS_DAEMON_H_

// Starting the real returnpathd for the end-to-end suites, and talking to it.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "grpcpp/grpcpp.h"
#include "returnpath/v1/policy.pb.h"
#include "returnpath/v1/services.pb.h"
#include "testing/health.h"
#include "tools/benchmarks/common.h"

namespace returnpath::bench {

// A returnpathd child listening on 127.0.0.1 with a port chosen by the
// kernel. Stops it (SIGTERM) when destroyed.
struct Daemon {
  ChildProcess process;
  std::string data_dir;
  std::string port_file;
  int port = 0;
  absl::Time spawned;       // just before fork
  absl::Time port_written;  // when the port file was first seen
};

// Starts returnpathd on `data_dir` (its store is <data_dir>/store) with
// `extra_flags`, appending its log to `log_path`, and waits up to `timeout`
// for the port file.
absl::StatusOr<Daemon> StartDaemon(const std::string& data_dir,
                                   const std::vector<std::string>& extra_flags,
                                   const std::string& log_path,
                                   absl::Duration timeout);

// The development token of `role` ("reception", "auditor", ...).
absl::StatusOr<std::string> DevToken(const std::string& data_dir,
                                     const std::string& role);

// The bearer header ("Bearer <token>") of the national principal whose role
// records an event under the policy in force now (its recording grants):
// reception, adviser or police, as a deployment's callers would be.
class RecordingBearers {
 public:
  static absl::StatusOr<RecordingBearers> Load(const std::string& data_dir);
  // Reception's when no role may (the daemon then says why).
  const std::string& For(const google::protobuf::Any& event) const;

 private:
  returnpath::v1::Policy policy_;
  std::map<std::string, std::string, std::less<>> bearers_;  // by role
};

// A channel of its own (no shared connection) to 127.0.0.1:port.
std::shared_ptr<grpc::Channel> OwnChannel(int port);

// The RecordEvent call a client would make for `request`.
returnpath::v1::RecordEventRequest ToRecordEvent(
    const engine::AppendRequest& request);

using process::WaitForServing;

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_DAEMON_H_
