// WritePrivateFile and CheckPrivateFile of engine/private_file.h.

#include "engine/private_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace returnpath::engine {

absl::Status WritePrivateFile(const std::string& path, absl::string_view text) {
  auto failed = [&path](absl::string_view step) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot write ", path, " (", step, ": ", std::strerror(errno), ")"));
  };
  std::string temporary = path + ".XXXXXX";
  const int fd = mkstemp(temporary.data());  // mode 0600
  if (fd < 0) return failed("create a temporary file beside it");
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    written += static_cast<size_t>(n);
  }
  const bool complete = written == text.size() && fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  errno = saved;
  if (!complete || rename(temporary.c_str(), path.c_str()) != 0) {
    absl::Status status = failed(complete ? "rename" : "write and fsync");
    unlink(temporary.c_str());
    return status;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  const int dir_fd =
      open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd < 0 || fsync(dir_fd) != 0) {
    absl::Status status = failed("fsync the directory");
    if (dir_fd >= 0) close(dir_fd);
    return status;
  }
  close(dir_fd);
  return absl::OkStatus();
}

absl::Status CheckPrivateFile(const std::string& path, absl::string_view what) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " ", path, ": cannot read it (", std::strerror(errno), ")"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s %s: others than its owner may read it (mode %04o); chmod 600 it",
        what, path, st.st_mode & 07777));
  }
  return absl::OkStatus();
}

}  // namespace returnpath::engine
