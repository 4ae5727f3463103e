#include "engine/rpc/listen_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace returnpath::engine {
namespace {

absl::Status BadAddress(absl::string_view address, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("listen address \"", address.substr(0, 256), "\" ", why,
                   ": give host:port, [v6]:port or unix:path"));
}

bool IsIpv6(const std::string& host, in6_addr* out) {
  return inet_pton(AF_INET6, host.c_str(), out) == 1;
}

}  // namespace

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address) {
  ListenAddress parsed;
  absl::string_view rest = address;
  if (absl::ConsumePrefix(&rest, "unix:")) {
    if (rest.empty()) return BadAddress(address, "has no socket path");
    parsed.unix_socket = true;
    parsed.host = std::string(rest);
    return parsed;
  }
  const size_t colon = rest.rfind(':');
  if (colon == absl::string_view::npos) {
    return BadAddress(address, "has no port");
  }
  absl::string_view host = rest.substr(0, colon);
  const absl::string_view port = rest.substr(colon + 1);
  if (absl::ConsumePrefix(&host, "[")) {
    in6_addr ignored;
    if (!absl::ConsumeSuffix(&host, "]") ||
        !IsIpv6(std::string(host), &ignored))
      return BadAddress(address, "has a malformed [IPv6] host");
  } else if (host.empty() || absl::StrContains(host, ':')) {
    return BadAddress(address, "has no host (IPv6 goes in brackets)");
  }
  if (port.empty() || !absl::SimpleAtoi(port, &parsed.port) ||
      parsed.port < 0 || parsed.port > 65535 ||
      port.find_first_not_of("0123456789") != absl::string_view::npos) {
    return BadAddress(address, "has no port number (0 to 65535)");
  }
  parsed.host = std::string(host);
  return parsed;
}

bool IsLoopback(absl::string_view address) {
  absl::StatusOr<ListenAddress> parsed = ParseListenAddress(address);
  if (!parsed.ok()) return false;
  if (parsed->unix_socket || parsed->host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, parsed->host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  return IsIpv6(parsed->host, &v6) && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string WhyCannotBind(const ListenAddress& address) {
  if (address.unix_socket) return "";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(address.port);
  const int error =
      getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found);
  if (error != 0) {
    return absl::StrCat("cannot resolve ", address.host, ": ",
                        gai_strerror(error));
  }
  std::string why;
  const int fd = ::socket(found->ai_family, found->ai_socktype, 0);
  const int on = 1;  // as gRPC binds: a port in TIME_WAIT is not "in use"
  if (fd < 0) {
    why = std::strerror(errno);
  } else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
             ::bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
    why = errno == EADDRINUSE
              ? absl::StrCat("address in use (another process listens on port ",
                             address.port, ")")
              : std::strerror(errno);
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  return why;
}

}  // namespace returnpath::engine
