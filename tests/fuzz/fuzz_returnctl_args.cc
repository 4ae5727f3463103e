// Fuzzes returnctl's command line: the words (split at NUL bytes) go through
// the command table's parser, the options after `--`, the event builders the
// record commands use, and the date, time and duration parsers. Nothing runs
// against a server.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "clients/lib/event_kinds.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/cli.h"
#include "clients/returnctl/commands.h"

namespace client = returnpath::client;
namespace returnctl = returnpath::returnctl;

namespace {

client::EventArgs ToEventArgs(const returnctl::Args& args) {
  client::EventArgs out;
  for (const auto& [name, values] : args.values()) {
    for (const std::string& value : values) out.Add(name, value);
  }
  return out;
}

// The event after `record correction --`, parsed as cmd_record.cc parses it.
std::optional<client::BuiltEvent> Replacement(const returnctl::Args& args) {
  if (args.rest().empty()) return std::nullopt;
  const client::EventKind* kind = client::FindEventKind(args.rest()[0]);
  if (kind == nullptr) return std::nullopt;
  std::vector<returnctl::Option> options;
  for (const client::EventArgSpec& spec : kind->args) {
    options.push_back(returnctl::Option{spec.name, spec.value_name, spec.help,
                                        spec.required, spec.repeated});
  }
  returnctl::Args parsed;
  if (!returnctl::ParseOptions(options, args.rest(), 1, &parsed).empty())
    return std::nullopt;
  auto built = client::BuildEvent(*kind, ToEventArgs(parsed));
  if (!built.ok()) return std::nullopt;
  return *std::move(built);
}

// The event a `register` or `record <kind>` command line describes.
void BuildFromCommand(const returnctl::Invocation& invocation) {
  absl::string_view kind = invocation.command->path;
  if (!absl::ConsumePrefix(&kind, "record ") && kind != "register") return;
  const std::optional<client::BuiltEvent> replacement =
      Replacement(invocation.args);
  auto built = client::BuildEvent(kind, ToEventArgs(invocation.args),
                                  replacement ? &*replacement : nullptr);
  if (built.ok()) {
    const absl::Time now = absl::FromUnixSeconds(1780000000);
    client::ResolveEffectiveTime(*built, std::nullopt, now).IgnoreError();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const returnctl::CommandTable* table =
      new returnctl::CommandTable(returnctl::AllCommands());
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> argv =
      absl::StrSplit(text, absl::ByChar('\0'));

  const returnctl::Invocation invocation = table->Parse(argv);
  if (invocation.command != nullptr) {
    table->Help(*invocation.command);
    if (invocation.error.empty()) BuildFromCommand(invocation);
  } else {
    table->GroupHelp(invocation.words);
  }

  for (const std::string& word : argv) {
    client::ParseDate(word).IgnoreError();
    client::ParseTime(word).IgnoreError();
    client::ParseDuration(word).IgnoreError();
  }
  return 0;
}
