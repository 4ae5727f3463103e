#include "engine/rpc/listen_address.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::testing::HasSubstr;

TEST(ListenAddressTest, ParsesTheThreeForms) {
  absl::StatusOr<ListenAddress> v4 = ParseListenAddress("127.0.0.1:7443");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 7443);
  absl::StatusOr<ListenAddress> v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  absl::StatusOr<ListenAddress> unix_socket =
      ParseListenAddress("unix:/run/rp.sock");
  ASSERT_TRUE(unix_socket.ok());
  EXPECT_TRUE(unix_socket->unix_socket);
  EXPECT_EQ(unix_socket->host, "/run/rp.sock");
}

TEST(ListenAddressTest, RefusesMalformedAddresses) {
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:-1",
        "::1:7443", "[::1:7443", "[x]:1", ":7443", "unix:", "localhost:+80"}) {
    absl::StatusOr<ListenAddress> parsed = ParseListenAddress(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(ListenAddressTest, LoopbackOnlyWhenTheAddressSaysSo) {
  for (const char* loopback : {"127.0.0.1:7443", "127.255.3.4:1", "[::1]:7443",
                               "localhost:7443", "unix:/tmp/rp.sock"}) {
    EXPECT_TRUE(IsLoopback(loopback)) << loopback;
  }
  for (const char* network :
       {"127.x.example:7443", "127.0.0.1.evil.example:7443",
        "localhost.example:7443", "0.0.0.0:7443", "[::]:7443", "10.0.0.5:7443",
        "128.0.0.1:7443", "127.1:7443", "127.0.0.1"}) {
    EXPECT_FALSE(IsLoopback(network)) << network;
  }
}

TEST(ListenAddressTest, SaysWhenThePortIsInUse) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(bound);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&bound), sizeof(bound)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length), 0);
  ListenAddress address{false, "127.0.0.1", ntohs(bound.sin_port)};
  EXPECT_THAT(WhyCannotBind(address), HasSubstr("address in use"));
  close(fd);
  EXPECT_EQ(WhyCannotBind(address), "");
}

}  // namespace
}  // namespace returnpath::engine
