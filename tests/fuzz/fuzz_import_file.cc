// Fuzzes the backlog import file as `returnctl admin import` reads it
// (clients/lib/backlog_file.h): byte 0 picks the format (even, e.g. 'j': JSON
// lines; odd, e.g. 'c': CSV), the rest is the file. Whatever the text, the
// reader answers persons and errors that agree with it: every line it names
// is a line of the text, and the event count is the persons' events.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "clients/lib/backlog_file.h"

namespace client = returnpath::client;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const client::BacklogFormat format = data[0] % 2 == 0
                                           ? client::BacklogFormat::kJsonLines
                                           : client::BacklogFormat::kCsv;
  const absl::string_view text(reinterpret_cast<const char*>(data + 1),
                               size - 1);
  const client::Backlog backlog = client::ReadBacklog(text, format);

  const size_t lines = std::count(text.begin(), text.end(), '\n') + 1;
  size_t events = 0;
  for (const auto& person : backlog.persons) {
    for (const auto& event : person.events()) {
      if (event.line() < 1 || event.line() > lines) std::abort();
      ++events;
    }
  }
  if (events != backlog.events) std::abort();
  for (const client::BacklogError& error : backlog.errors) {
    if (error.line > lines || error.message.empty()) std::abort();
  }
  return 0;
}
