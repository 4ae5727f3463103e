#ifndef RETURNPATH_CLIENTS_RETURNCTL_CLI_H_
#define RETURNPATH_CLIENTS_RETURNCTL_CLI_H_

// A small subcommand parser. Each command declares its options once; the
// parser checks them (unknown, missing, repeated, a value where none is
// taken) and the help text is generated from the same declarations.
//
// Syntax: returnctl [global options] <words...> [options] [-- rest]
// Options are --name=value or --name value; a switch is --name. Dashes and
// underscores in names are the same (--token_file, --token-file).

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace returnpath::returnctl {

class Session;

struct Option {
  std::string name;        // "person"
  std::string value_name;  // "ID"; empty for a switch
  std::string help;
  bool required = false;
  bool repeated = false;
};

// Option values by canonical name (dashes). A switch holds "true".
class Args {
 public:
  void Add(absl::string_view name, absl::string_view value);
  bool Has(absl::string_view name) const;
  std::string Get(absl::string_view name,
                  absl::string_view fallback = "") const;
  std::vector<std::string> GetAll(absl::string_view name) const;
  const absl::flat_hash_map<std::string, std::vector<std::string>>& values()
      const {
    return values_;
  }
  // The command's one word that is not an option (Command::operand).
  const std::string& operand() const { return operand_; }
  void set_operand(std::string operand) { operand_ = std::move(operand); }
  std::vector<std::string>& rest() { return rest_; }
  const std::vector<std::string>& rest() const { return rest_; }

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> rest_;  // the words after "--"
  std::string operand_;
};

struct Command {
  std::string path;     // "tasks poll"
  std::string summary;  // one line
  std::vector<Option> options;
  std::string details;     // more help: exclusive options, examples
  std::string rest_usage;  // e.g. "-- <event> [options]"; empty: no `--`
  std::function<int(const Args& args, Session& session)> run;
  // The name of one required word after the command that is not an option
  // ("FILE" in `admin import FILE`); empty: none. In Args::operand().
  std::string operand = "";
};

// What the command line asked for. `command` is null for help on a group
// (`words`, possibly empty for the top level).
struct Invocation {
  const Command* command = nullptr;
  std::vector<std::string> words;
  Args args;     // the command's options
  Args globals;  // the global options
  bool help = false;
  std::string error;  // a usage error; empty if none
};

class CommandTable {
 public:
  explicit CommandTable(std::vector<Option> globals)
      : globals_(std::move(globals)) {}

  void Add(Command command);
  const std::vector<Command>& commands() const { return commands_; }
  const std::vector<Option>& globals() const { return globals_; }

  Invocation Parse(const std::vector<std::string>& argv) const;

  // "usage: returnctl tasks poll [options]" with every option, then globals.
  std::string Help(const Command& command) const;
  // The commands under `words` ("" words: everything), with their summaries.
  std::string GroupHelp(const std::vector<std::string>& words) const;

 private:
  std::vector<Option> globals_;
  std::vector<Command> commands_;
};

// Parses options only, against `options`, into `out` (used for the event
// after `record correction --`). Returns a usage error or "".
std::string ParseOptions(const std::vector<Option>& options,
                         const std::vector<std::string>& argv, size_t begin,
                         Args* out);

// "  --person ID          the person (case number) [required]" lines.
std::string OptionLines(const std::vector<Option>& options);

}  // namespace returnpath::returnctl

#endif  // RETURNPATH_CLIENTS_RETURNCTL_CLI_H_
