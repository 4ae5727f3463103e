#ifndef RETURNPATH_ENGINE_TESTING_TEST_STORE_H_
#define RETURNPATH_ENGINE_TESTING_TEST_STORE_H_

// Where a test's store lives. ctest runs the store, engine, runtime and
// integration tests twice: on the embedded store in the test's directory,
// and (label `postgres`, tests named "postgres/...") on a PostgreSQL server
// that a ctest fixture starts once for the whole run
// (engine/testing/pg_test_server.cc), whose address is in the file the
// environment variable RETURNPATH_TEST_POSTGRES names. Test-only.

#include <string>

namespace returnpath::engine::testing {

// Whether this test runs on PostgreSQL (RETURNPATH_TEST_POSTGRES is set).
bool TestStoreIsPostgres();

// The store path (StoreOptions::path) for a store in `dir`: `dir` itself,
// or on PostgreSQL the URI of a schema of its own for `dir` (the same `dir`
// gives the same schema, so a reopen finds what was written), created if
// missing and dropped when the test process exits. A test that cannot reach
// the server fails at once, naming the file and the error.
std::string TestStorePath(const std::string& dir);

// Skips the running test on PostgreSQL, saying why (what it checks is the
// embedded store's own: its files, its disk, its log).
#define RP_SKIP_ON_POSTGRES(why)                                    \
  do {                                                              \
    if (::returnpath::engine::testing::TestStoreIsPostgres()) {     \
      GTEST_SKIP() << "the embedded store's own behaviour: " << why; \
    }                                                               \
  } while (0)

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_TEST_STORE_H_
