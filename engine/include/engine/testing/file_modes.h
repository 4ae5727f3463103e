#ifndef RETURNPATH_ENGINE_TESTING_FILE_MODES_H_
#define RETURNPATH_ENGINE_TESTING_FILE_MODES_H_

// For tests of files that must stay private (keys, tokens): write one with a
// given mode, read a file's mode back. Header-only, so a small test links
// nothing of the engine for it.

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace returnpath::engine::testing {

// Writes `text` to `path` and gives it `mode`; fails the test if it cannot.
inline void WriteWithMode(const std::string& path, absl::string_view text,
                          mode_t mode) {
  std::ofstream(path) << text;
  ASSERT_EQ(chmod(path.c_str(), mode), 0) << path;
}

// The permission bits of `path` (e.g. 0600).
inline mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_FILE_MODES_H_
