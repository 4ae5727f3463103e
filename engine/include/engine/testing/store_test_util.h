#ifndef RETURNPATH_ENGINE_TESTING_STORE_TEST_UTIL_H_
#define RETURNPATH_ENGINE_TESTING_STORE_TEST_UTIL_H_

// Helpers for event store tests: a temporary directory, payloads and
// requests in one line each. Test-only.

#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engine/event_store.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"

namespace returnpath::engine::testing {

// A fresh directory under the test's temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "/rp_store_XXXXXX";
    path_ = mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline absl::Time Day(int d) {
  return absl::FromCivil(absl::CivilDay(2026, 3, 1) + (d - 1),
                         absl::UTCTimeZone());
}

// A payload the tests can read back: a StringValue packed in Any.
inline google::protobuf::Any Text(const std::string& text) {
  google::protobuf::StringValue value;
  value.set_value(text);
  google::protobuf::Any any;
  any.PackFrom(value);
  return any;
}

inline std::string TextOf(const returnpath::v1::EventEnvelope& event) {
  google::protobuf::StringValue value;
  event.payload().UnpackTo(&value);
  return value.value();
}

// A request appending one event per text, effective on Day(1).
inline AppendRequest Req(const std::string& stream,
                         const std::vector<std::string>& texts,
                         std::optional<uint64_t> expected = std::nullopt,
                         const std::string& key = "") {
  AppendRequest r;
  r.stream_id = stream;
  r.expected_version = expected;
  r.idempotency_key = key;
  r.principal = "user:test";
  for (const std::string& t : texts) r.events.push_back({Day(1), Text(t)});
  return r;
}

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_STORE_TEST_UTIL_H_
