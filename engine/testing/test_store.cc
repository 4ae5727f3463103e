#include "engine/testing/test_store.h"

#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/digest.h"
#include "engine/read_file.h"
#include "libpq-fe.h"

namespace returnpath::engine::testing {
namespace {

constexpr char kServerFile[] = "RETURNPATH_TEST_POSTGRES";

// The server's base URI ("postgresql://postgres@127.0.0.1:5432/rptest"), as
// the fixture wrote it.
std::string ServerUri() {
  absl::StatusOr<std::string> text = ReadFileText(getenv(kServerFile), "the test PostgreSQL server's address");
  if (!text.ok()) {
    ABSL_RAW_LOG(FATAL, "%s=%s: %s", kServerFile, getenv(kServerFile),
                 std::string(text.status().message()).c_str());
  }
  return std::string(absl::StripAsciiWhitespace(*text));
}

// Runs `sql` on the server; fatal on failure (a test cannot go on).
void Exec(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // "drop cascades to ..."
  PGresult* result = PQstatus(conn) == CONNECTION_OK
                         ? PQexec(conn, sql.c_str())
                         : nullptr;
  const bool ok =
      result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
  const std::string error = PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (!ok) {
    ABSL_RAW_LOG(FATAL, "the test PostgreSQL server (%s): %s: %s", uri.c_str(),
                 sql.c_str(), error.c_str());
  }
}

absl::Mutex schemas_mu(absl::kConstInit);
std::vector<std::string>* schemas ABSL_GUARDED_BY(schemas_mu) = nullptr;

void DropSchemas() {
  absl::MutexLock lock(&schemas_mu);
  const std::string uri = ServerUri();
  for (const std::string& schema : *schemas) {
    Exec(uri, absl::StrCat("DROP SCHEMA IF EXISTS ", schema, " CASCADE"));
  }
}

}  // namespace

bool TestStoreIsPostgres() {
  const char* file = getenv(kServerFile);
  return file != nullptr && *file != '\0';
}

std::string TestStorePath(const std::string& dir) {
  if (!TestStoreIsPostgres()) return dir;
  const std::string uri = ServerUri();
  const std::string schema = absl::StrCat(
      "t", absl::BytesToHexString(Sha256(dir)).substr(0, 24));
  Exec(uri, absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", schema));
  {
    absl::MutexLock lock(&schemas_mu);
    if (schemas == nullptr) {
      schemas = new std::vector<std::string>();
      atexit(DropSchemas);
    }
    schemas->push_back(schema);
  }
  // The store's tables go into the first schema on the search path.
  return absl::StrCat(uri, "?options=-csearch_path%3D", schema);
}

}  // namespace returnpath::engine::testing
