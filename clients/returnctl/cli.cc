#include "clients/returnctl/cli.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace returnpath::returnctl {
namespace {

std::string Canonical(absl::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

const Option* Find(const std::vector<Option>& options, absl::string_view name) {
  for (const Option& option : options) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

bool IsHelp(absl::string_view arg) { return arg == "--help" || arg == "-h"; }

// Parses the options from argv[*i] on until a word or "--" or the end.
// Options of `command` go to `command_args`, global ones to `global_args`
// (either list may be null). Stops at the first non-option; returns an error.
std::string ParseSome(const std::vector<Option>* command,
                      const std::vector<Option>* globals,
                      const std::vector<std::string>& argv, size_t* i,
                      Args* command_args, Args* global_args, bool* help,
                      bool stop_at_unknown) {
  while (*i < argv.size()) {
    const std::string& arg = argv[*i];
    if (IsHelp(arg)) {
      *help = true;
      ++*i;
      continue;
    }
    if (arg == "--" || !absl::StartsWith(arg, "--")) return "";
    std::string name, value;
    bool has_value = false;
    absl::string_view body = absl::string_view(arg).substr(2);
    const size_t eq = body.find('=');
    if (eq != absl::string_view::npos) {
      name = Canonical(body.substr(0, eq));
      value = std::string(body.substr(eq + 1));
      has_value = true;
    } else {
      name = Canonical(body);
    }
    const Option* option = nullptr;
    Args* target = nullptr;
    if (command != nullptr && (option = Find(*command, name)) != nullptr) {
      target = command_args;
    } else if (globals != nullptr &&
               (option = Find(*globals, name)) != nullptr) {
      target = global_args;
    } else {
      if (stop_at_unknown) return "";
      return absl::StrCat("unknown option --", name);
    }
    ++*i;
    if (option->value_name.empty()) {
      if (has_value)
        return absl::StrCat("--", name, " is a switch and takes no value");
      value = "true";
    } else if (!has_value) {
      if (*i >= argv.size() || absl::StartsWith(argv[*i], "--")) {
        return absl::StrCat("--", name, " needs a value (", option->value_name,
                            ")");
      }
      value = argv[(*i)++];
    }
    if (!option->repeated && target->Has(name)) {
      return absl::StrCat("--", name, " is given twice");
    }
    target->Add(name, value);
  }
  return "";
}

std::string MissingRequired(const std::vector<Option>& options,
                            const Args& args) {
  for (const Option& option : options) {
    if (option.required && !args.Has(option.name)) {
      return absl::StrCat("missing --", option.name, " (", option.help, ")");
    }
  }
  return "";
}

std::vector<std::string> Words(const Command& command) {
  return absl::StrSplit(command.path, ' ');
}

bool StartsWithWords(const std::vector<std::string>& words,
                     const std::vector<std::string>& prefix) {
  if (prefix.size() > words.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), words.begin());
}

}  // namespace

void Args::Add(absl::string_view name, absl::string_view value) {
  values_[name].emplace_back(value);
}

bool Args::Has(absl::string_view name) const { return values_.contains(name); }

std::string Args::Get(absl::string_view name,
                      absl::string_view fallback) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::string(fallback);
  return it->second.back();
}

std::vector<std::string> Args::GetAll(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

void CommandTable::Add(Command command) {
  commands_.push_back(std::move(command));
}

Invocation CommandTable::Parse(const std::vector<std::string>& argv) const {
  Invocation inv;
  size_t i = 0;
  // Global options and command words, until the words name a command that
  // no longer one extends.
  while (i < argv.size()) {
    const std::string& arg = argv[i];
    if (absl::StartsWith(arg, "--") || IsHelp(arg)) {
      if (arg == "--") break;
      size_t before = i;
      inv.error = ParseSome(nullptr, &globals_, argv, &i, nullptr, &inv.globals,
                            &inv.help,
                            /*stop_at_unknown=*/true);
      if (!inv.error.empty()) return inv;
      if (i == before) break;  // a command option: the words are complete
      continue;
    }
    if (arg == "help" && inv.words.empty()) {
      inv.help = true;
      ++i;
      continue;
    }
    inv.words.push_back(arg);
    ++i;
    bool exact = false, longer = false;
    for (const Command& command : commands_) {
      const std::vector<std::string> words = Words(command);
      if (words == inv.words) exact = true;
      if (words.size() > inv.words.size() && StartsWithWords(words, inv.words))
        longer = true;
    }
    if (exact && !longer) break;
  }
  for (const Command& command : commands_) {
    if (Words(command) == inv.words) inv.command = &command;
  }
  if (inv.command == nullptr) {
    bool group = inv.words.empty();
    for (const Command& command : commands_) {
      if (StartsWithWords(Words(command), inv.words)) group = true;
    }
    if (!group) {
      inv.error =
          absl::StrCat("unknown command '", absl::StrJoin(inv.words, " "), "'");
    } else if (!inv.help) {
      inv.error = inv.words.empty()
                      ? "no command given"
                      : absl::StrCat("'", absl::StrJoin(inv.words, " "),
                                     "' needs a subcommand");
    }
    return inv;
  }
  // The command's options (globals may appear among them).
  while (i < argv.size()) {
    inv.error = ParseSome(&inv.command->options, &globals_, argv, &i, &inv.args,
                          &inv.globals, &inv.help, /*stop_at_unknown=*/false);
    if (!inv.error.empty()) {
      inv.error = absl::StrCat(inv.command->path, ": ", inv.error);
      return inv;
    }
    if (i >= argv.size()) break;
    if (argv[i] == "--") {
      if (inv.command->rest_usage.empty()) {
        inv.error = absl::StrCat(inv.command->path, " takes nothing after --");
        return inv;
      }
      inv.args.rest().assign(argv.begin() + i + 1, argv.end());
      if (std::find_if(inv.args.rest().begin(), inv.args.rest().end(),
                       IsHelp) != inv.args.rest().end()) {
        inv.help = true;
      }
      break;
    }
    if (!inv.command->operand.empty() && inv.args.operand().empty() &&
        !absl::StartsWith(argv[i], "-")) {
      inv.args.set_operand(argv[i++]);
      continue;
    }
    inv.error = absl::StrCat(inv.command->path, ": unexpected argument '",
                             argv[i], "'");
    return inv;
  }
  if (!inv.help && !inv.command->operand.empty() &&
      inv.args.operand().empty()) {
    inv.error =
        absl::StrCat(inv.command->path, ": missing ", inv.command->operand);
    return inv;
  }
  if (!inv.help) {
    std::string missing = MissingRequired(inv.command->options, inv.args);
    if (!missing.empty())
      inv.error = absl::StrCat(inv.command->path, ": ", missing);
  }
  return inv;
}

std::string ParseOptions(const std::vector<Option>& options,
                         const std::vector<std::string>& argv, size_t begin,
                         Args* out) {
  size_t i = begin;
  bool help = false;
  std::string error = ParseSome(&options, nullptr, argv, &i, out, nullptr,
                                &help, /*stop_at_unknown=*/false);
  if (!error.empty()) return error;
  if (i < argv.size())
    return absl::StrCat("unexpected argument '", argv[i], "'");
  return MissingRequired(options, *out);
}

std::string OptionLines(const std::vector<Option>& options) {
  std::vector<std::pair<std::string, std::string>> lines;
  size_t width = 0;
  for (const Option& option : options) {
    std::string left = absl::StrCat("  --", option.name);
    if (!option.value_name.empty())
      absl::StrAppend(&left, " ", option.value_name);
    std::string right = option.help;
    if (option.required) absl::StrAppend(&right, " [required]");
    if (option.repeated) absl::StrAppend(&right, " [repeatable]");
    width = std::max(width, left.size());
    lines.emplace_back(std::move(left), std::move(right));
  }
  std::string out;
  for (const auto& [left, right] : lines) {
    absl::StrAppend(&out, left, std::string(width + 2 - left.size(), ' '),
                    right, "\n");
  }
  return out;
}

std::string CommandTable::Help(const Command& command) const {
  std::string out = absl::StrCat("usage: returnctl ", command.path);
  if (!command.operand.empty()) absl::StrAppend(&out, " ", command.operand);
  if (!command.options.empty()) absl::StrAppend(&out, " [options]");
  if (!command.rest_usage.empty())
    absl::StrAppend(&out, " ", command.rest_usage);
  absl::StrAppend(&out, "\n\n", command.summary, "\n");
  if (!command.details.empty())
    absl::StrAppend(&out, "\n", command.details, "\n");
  if (!command.options.empty()) {
    absl::StrAppend(&out, "\nOptions:\n", OptionLines(command.options));
  }
  absl::StrAppend(&out, "\nGlobal options (returnctl --help for all):\n",
                  "  --as ROLE, --token TOKEN, --token_file FILE, --server "
                  "HOST:PORT, --json, "
                  "--timeout DURATION, --ca/--cert/--key FILE\n");
  return out;
}

std::string CommandTable::GroupHelp(
    const std::vector<std::string>& words) const {
  std::string out;
  if (words.empty()) {
    absl::StrAppend(&out,
                    "returnctl: the return pathway from the command line\n\n"
                    "usage: returnctl [global options] <command> [options]\n"
                    "       returnctl <command> --help\n\nCommands:\n");
  } else {
    absl::StrAppend(&out, "usage: returnctl ", absl::StrJoin(words, " "),
                    " <command> [options]\n\nCommands:\n");
  }
  size_t width = 0;
  for (const Command& command : commands_) {
    if (StartsWithWords(Words(command), words))
      width = std::max(width, command.path.size());
  }
  for (const Command& command : commands_) {
    if (!StartsWithWords(Words(command), words)) continue;
    absl::StrAppend(&out, "  ", command.path,
                    std::string(width + 2 - command.path.size(), ' '),
                    command.summary, "\n");
  }
  if (words.empty()) {
    absl::StrAppend(&out, "\nGlobal options:\n", OptionLines(globals_));
  }
  return out;
}

}  // namespace returnpath::returnctl
