// The PostgreSQL server the tests labelled `postgres` share
// (engine/testing/test_store.h), as a ctest fixture:
//
//   pg_test_server start <dir>   initdb in <dir> (emptied first), start the
//                                server, write its URI to <dir>/uri, leave
//                                it running
//   pg_test_server stop <dir>    stop it
//
// Tests do not measure durability here: the server runs without fsync.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/testing/pg_cluster.h"

namespace {

namespace fs = std::filesystem;
using returnpath::engine::testing::PgCluster;
using returnpath::engine::testing::PgClusterOptions;

int Start(const std::string& dir) {
  std::error_code ignored;
  PgCluster::StopIn(dir).IgnoreError();  // one a failed run left behind
  fs::remove_all(dir, ignored);
  fs::create_directories(dir);
  PgClusterOptions options;
  options.settings = {"fsync=off", "synchronous_commit=off",
                      "full_page_writes=off", "max_connections=400"};
  auto cluster = PgCluster::Create(dir, options);
  if (!cluster.ok()) {
    std::cerr << "pg_test_server: " << cluster.status() << "\n";
    return 1;
  }
  const std::string uri = absl::StrCat("postgresql://postgres@127.0.0.1:",
                                       (*cluster)->port(), "/postgres");
  std::ofstream(dir + "/uri") << uri << "\n";
  (*cluster)->Leave();
  std::cout << "PostgreSQL for the tests at " << uri << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string verb = argc == 3 ? argv[1] : "";
  if (verb == "start") return Start(argv[2]);
  if (verb == "stop") {
    absl::Status stopped = PgCluster::StopIn(argv[2]);
    if (stopped.ok()) return 0;
    std::cerr << "pg_test_server: " << stopped << "\n";
    return 1;
  }
  std::cerr << "usage: pg_test_server start|stop <dir>\n";
  return 2;
}
