#include "clients/lib/connection.h"

#include <arpa/inet.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/read_file.h"

namespace returnpath::client {
namespace {

absl::StatusOr<ResolvedToken> FromFile(const std::string& path) {
  absl::StatusOr<std::string> text = engine::ReadFileText(path, "token file");
  if (!text.ok()) return text.status();
  std::string token(absl::StripAsciiWhitespace(*text));
  if (token.empty())
    return absl::NotFoundError(absl::StrCat("token file ", path, " is empty"));
  return ResolvedToken{token, path};
}

bool IsRole(absl::string_view role) {
  return role == "reception" || role == "adviser" || role == "police" ||
         role == "auditor" || role == "admin";
}

// The host of a target "host", "host:port" or "[v6]:port"; empty when the
// target is none of these.
std::string TargetHost(absl::string_view target) {
  if (absl::ConsumePrefix(&target, "[")) {
    const size_t close = target.find(']');
    if (close == absl::string_view::npos) return "";
    const absl::string_view after = target.substr(close + 1);
    if (!after.empty() && !absl::StartsWith(after, ":")) return "";
    return std::string(target.substr(0, close));
  }
  const size_t colon = target.find(':');
  if (colon != absl::string_view::npos && target.rfind(':') != colon) {
    return std::string(target);  // a bare IPv6 address
  }
  return std::string(target.substr(0, colon));
}

}  // namespace

absl::StatusOr<ResolvedToken> ResolveToken(const ConnectionOptions& options) {
  const int explicit_sources = !options.token.empty() +
                               !options.token_file.empty() +
                               !options.as_role.empty();
  if (explicit_sources > 1) {
    return absl::InvalidArgumentError(
        "give only one of --token, --token_file and --as");
  }
  if (!options.token.empty()) return ResolvedToken{options.token, "--token"};
  if (!options.token_file.empty()) return FromFile(options.token_file);
  if (!options.as_role.empty()) {
    if (!IsRole(options.as_role)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--as=", options.as_role,
          ": not a role (reception, adviser, police, auditor, admin)"));
    }
    std::string dir = options.data_dir.empty() ? "." : options.data_dir;
    return FromFile(absl::StrCat(dir, "/tokens/", options.as_role, ".token"));
  }
  if (options.use_env_token) {
    const char* env = std::getenv("RETURNPATH_TOKEN");
    if (env != nullptr && *env != '\0') {
      return ResolvedToken{std::string(absl::StripAsciiWhitespace(env)),
                           "$RETURNPATH_TOKEN"};
    }
  }
  return ResolvedToken{};
}

bool IsLoopbackAddress(const std::string& server) {
  absl::string_view s = server;
  if (absl::StartsWith(s, "unix:")) return true;
  absl::ConsumePrefix(&s, "dns:");
  absl::ConsumePrefix(&s, "ipv4:");
  absl::ConsumePrefix(&s, "ipv6:");
  absl::ConsumePrefix(&s, "///");
  // The host is parsed, not prefix-matched: "127.x.example" is a network name.
  const std::string host = TargetHost(s);
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 &&
         IN6_IS_ADDR_LOOPBACK(&v6);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const ConnectionOptions& options) {
  const bool tls = options.tls || !options.ca_file.empty() ||
                   !options.cert_file.empty() || !options.key_file.empty();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!tls) {
    if (!IsLoopbackAddress(options.server)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to talk to ", options.server,
          " in clear text: give --ca (TLS) or use a loopback address"));
    }
    credentials = grpc::InsecureChannelCredentials();
  } else {
    if (options.cert_file.empty() != options.key_file.empty()) {
      return absl::InvalidArgumentError(
          "--cert and --key must be given together");
    }
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      absl::StatusOr<std::string> ca =
          engine::ReadFileText(options.ca_file, "CA file");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
    }
    if (!options.cert_file.empty()) {
      absl::StatusOr<std::string> cert =
          engine::ReadFileText(options.cert_file, "certificate file");
      if (!cert.ok()) return cert.status();
      absl::StatusOr<std::string> key =
          engine::ReadFileText(options.key_file, "key file");
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(ssl);
  }
  return grpc::CreateCustomChannel(options.server, credentials, args);
}

}  // namespace returnpath::client
