#include "clients/returnctl/session.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/output.h"

namespace returnpath::returnctl {

std::vector<Option> GlobalOptions() {
  return {
      {"server", "HOST:PORT",
       "the daemon (default $RETURNPATH_SERVER or 127.0.0.1:7443)"},
      {"as", "ROLE",
       "use the dev token <data_dir>/tokens/ROLE.token (reception, adviser, "
       "police, auditor, "
       "admin)"},
      {"token", "TOKEN", "the bearer token"},
      {"token-file", "FILE", "read the bearer token from FILE"},
      {"data-dir", "DIR", "where --as finds tokens/ (default ./data)"},
      {"ca", "FILE", "TLS: CA certificates (PEM) to verify the daemon"},
      {"cert", "FILE", "mutual TLS: client certificate (PEM)"},
      {"key", "FILE", "mutual TLS: client key (PEM)"},
      {"tls", "", "use TLS with the system's CA certificates"},
      {"timeout", "DURATION", "deadline of each call (default 10s)"},
      {"purpose", "TEXT",
       "why you read (shown in the access log beside each read)"},
      {"json", "", "print protobuf JSON, one message per line, for scripts"},
  };
}

Session::Session(const CommandTable& table, const Command& command,
                 const Args& globals, std::ostream& out, std::ostream& err)
    : table_(table),
      command_(command),
      globals_(globals),
      out_(out),
      err_(err),
      json_(globals.Has("json")) {}

client::Client* Session::client() {
  if (client_ != nullptr) return client_.get();
  client::ConnectionOptions options;
  const char* env_server = std::getenv("RETURNPATH_SERVER");
  options.server = globals_.Get(
      "server", env_server != nullptr ? env_server : options.server);
  options.ca_file = globals_.Get("ca");
  options.cert_file = globals_.Get("cert");
  options.key_file = globals_.Get("key");
  options.tls = globals_.Has("tls");
  options.token = globals_.Get("token");
  options.token_file = globals_.Get("token-file");
  options.as_role = globals_.Get("as");
  options.data_dir = globals_.Get("data-dir", options.data_dir);
  options.purpose = globals_.Get("purpose");
  if (globals_.Has("timeout")) {
    absl::StatusOr<absl::Duration> timeout =
        client::ParseDuration(globals_.Get("timeout"));
    if (!timeout.ok()) {
      exit_code_ =
          Usage(absl::StrCat("--timeout: ", timeout.status().message()));
      return nullptr;
    }
    options.timeout = *timeout;
  }
  absl::StatusOr<std::unique_ptr<client::Client>> made =
      client::Client::Connect(options);
  if (!made.ok()) {
    if (absl::IsInvalidArgument(made.status())) {
      exit_code_ = Usage(made.status().message());
    } else {
      err_ << "returnctl: cannot connect to " << options.server << ": "
           << made.status().message() << "\n";
      exit_code_ = kExitCannotConnect;
    }
    return nullptr;
  }
  client_ = *std::move(made);
  return client_.get();
}

int Session::Usage(absl::string_view message) {
  err_ << "returnctl: " << message << "\n\n" << table_.Help(command_);
  return kExitUsage;
}

int Session::Fail(const absl::Status& status) {
  if (absl::IsUnavailable(status)) {
    err_ << "returnctl: cannot connect to the daemon (UNAVAILABLE): "
         << status.message() << "\n";
    return kExitCannotConnect;
  }
  err_ << "returnctl: " << absl::StatusCodeToString(status.code()) << ": "
       << status.message() << "\n";
  if (absl::IsUnauthenticated(status) && client_ != nullptr &&
      client_->token().empty()) {
    err_ << "returnctl: no token was sent: give --as=ROLE, --token, "
            "--token_file or set "
            "RETURNPATH_TOKEN\n";
  }
  return kExitRefused;
}

int Session::Json(const google::protobuf::Message& message) {
  absl::Status printed = PrintJson(message, out_);
  if (printed.ok()) return kExitOk;
  err_ << "returnctl: " << printed.message() << "\n";
  return kExitRefused;
}

std::optional<absl::Time> Session::TimeOption(const Args& args,
                                              absl::string_view name,
                                              bool end_of_day, int* exit) {
  if (!args.Has(name)) return std::nullopt;
  const std::string text = args.Get(name);
  absl::StatusOr<absl::Time> time = client::ParseTime(text);
  if (!time.ok()) {
    *exit = Usage(absl::StrCat("--", name, ": ", time.status().message()));
    return std::nullopt;
  }
  if (end_of_day && text.size() == 10) {
    const absl::CivilDay next =
        absl::ToCivilDay(*time, client::OsloTimeZone()) + 1;
    return absl::FromCivil(next, client::OsloTimeZone()) - absl::Nanoseconds(1);
  }
  return *time;
}

std::optional<absl::Duration> Session::DurationOption(const Args& args,
                                                      absl::string_view name,
                                                      int* exit) {
  if (!args.Has(name)) return std::nullopt;
  absl::StatusOr<absl::Duration> duration =
      client::ParseDuration(args.Get(name));
  if (!duration.ok()) {
    *exit = Usage(absl::StrCat("--", name, ": ", duration.status().message()));
    return std::nullopt;
  }
  return *duration;
}

std::optional<uint64_t> Session::NumberOption(const Args& args,
                                              absl::string_view name,
                                              int* exit) {
  if (!args.Has(name)) return std::nullopt;
  uint64_t value = 0;
  if (!absl::SimpleAtoi(args.Get(name), &value)) {
    *exit = Usage(absl::StrCat("--", name, ": '", args.Get(name),
                               "' is not a number >= 0"));
    return std::nullopt;
  }
  return value;
}

std::string Session::DefaultWorker() {
  const char* user = std::getenv("USER");
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(user != nullptr && *user != '\0' ? user : "worker", "@",
                      host[0] != '\0' ? host : "localhost");
}

}  // namespace returnpath::returnctl
