#ifndef RETURNPATH_CLIENTS_RETURNCTL_SESSION_H_
#define RETURNPATH_CLIENTS_RETURNCTL_SESSION_H_

// What every command handler gets: the global options, a client connected
// on first use, the output streams and the exit-code conventions.
//
// Exit codes: 0 ok; 1 cannot connect (daemon unreachable, token or TLS files
// unreadable); 2 usage error (the help text follows); 3 the server said no
// (its gRPC code and message are printed); 4 verify or replay-check found a
// problem, or an import file has errors.

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/lib/client.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/cli.h"
#include "google/protobuf/message.h"

namespace returnpath::returnctl {

enum ExitCode : int {
  kExitOk = 0,
  kExitCannotConnect = 1,
  kExitUsage = 2,
  kExitRefused = 3,
  kExitProblemFound = 4,
};

// The global options every command accepts.
std::vector<Option> GlobalOptions();

// Not thread-safe; lives for one command.
class Session {
 public:
  Session(const CommandTable& table, const Command& command,
          const Args& globals, std::ostream& out, std::ostream& err);

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  bool json() const { return json_; }

  // The client, connected on first use; null after printing why it could not
  // be made (then return exit_code()).
  client::Client* client();
  int exit_code() const { return exit_code_; }

  // Prints "returnctl: <message>" and the command's help to stderr; returns 2.
  int Usage(absl::string_view message);
  // A failed call: prints the gRPC code and message; returns 1 when the
  // daemon cannot be reached, 3 otherwise.
  int Fail(const absl::Status& status);
  // Prints `message` as JSON, or reports why not; returns 0 or 3.
  int Json(const google::protobuf::Message& message);

  // A time or date option: a date means `end_of_day` ? the last instant of that
  // day : its first (00:00 Europe/Oslo). nullopt (after a usage message in
  // *exit) when malformed or absent.
  std::optional<absl::Time> TimeOption(const Args& args, absl::string_view name,
                                       bool end_of_day, int* exit);
  std::optional<absl::Duration> DurationOption(const Args& args,
                                               absl::string_view name,
                                               int* exit);
  std::optional<uint64_t> NumberOption(const Args& args, absl::string_view name,
                                       int* exit);

  // Who holds task leases when --worker is not given: $USER@host.
  static std::string DefaultWorker();

 private:
  const CommandTable& table_;
  const Command& command_;
  const Args& globals_;
  std::ostream& out_;
  std::ostream& err_;
  const bool json_;
  std::unique_ptr<client::Client> client_;
  int exit_code_ = kExitOk;
};

// --from and --to (a date: its first instant) into the request's from and
// to; the exit code (after a usage message if one is malformed).
template <typename Request>
int SetTimeRange(const Args& args, Session& s, Request* request) {
  int exit = kExitOk;
  std::optional<absl::Time> from = s.TimeOption(args, "from", false, &exit);
  if (exit != kExitOk) return exit;
  std::optional<absl::Time> to = s.TimeOption(args, "to", false, &exit);
  if (exit != kExitOk) return exit;
  if (from.has_value()) *request->mutable_from() = client::ToTimestamp(*from);
  if (to.has_value()) *request->mutable_to() = client::ToTimestamp(*to);
  return kExitOk;
}

}  // namespace returnpath::returnctl

#endif  // RETURNPATH_CLIENTS_RETURNCTL_SESSION_H_
