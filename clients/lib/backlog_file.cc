#include "clients/lib/backlog_file.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/lib/event_kinds.h"
#include "clients/lib/time_text.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace returnpath::client {
namespace {

// One line as the file gave it, before the event is built.
struct RawLine {
  size_t line = 0;
  std::string person;
  std::string event;
  std::string effective;  // empty: not given
  // Each field given, with its values as text (a JSON bool: true, false).
  std::vector<std::pair<std::string, std::vector<std::string>>> fields;
};

// Persons' ids: what case numbers look like, and safe in every key.
bool IsPersonId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

// ---- JSON lines -------------------------------------------------------------

std::optional<std::string> ScalarText(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return value.string_value();
    case google::protobuf::Value::kNumberValue: {
      const double n = value.number_value();
      if (n == std::floor(n) && std::fabs(n) < 1e15)
        return absl::StrCat(static_cast<int64_t>(n));
      return absl::StrCat(n);
    }
    default:
      return std::nullopt;
  }
}

// The field's values into `out`; an error names the field.
std::string AddJsonField(const std::string& name,
                         const google::protobuf::Value& value, RawLine* out) {
  std::vector<std::string> values;
  switch (value.kind_case()) {
    case google::protobuf::Value::kBoolValue:
      values.push_back(value.bool_value() ? "true" : "false");
      break;
    case google::protobuf::Value::kNullValue:
      return "";
    case google::protobuf::Value::kListValue:
      for (const google::protobuf::Value& item : value.list_value().values()) {
        std::optional<std::string> text = ScalarText(item);
        if (!text.has_value())
          return absl::StrCat("fields.", name, ": a list of texts or numbers");
        values.push_back(*std::move(text));
      }
      break;
    default: {
      std::optional<std::string> text = ScalarText(value);
      if (!text.has_value())
        return absl::StrCat("fields.", name, ": not a text, number or list");
      values.push_back(*std::move(text));
    }
  }
  out->fields.emplace_back(name, std::move(values));
  return "";
}

std::string ParseJsonLine(absl::string_view text, RawLine* out) {
  google::protobuf::Struct object;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(std::string(text), &object);
  if (!parsed.ok()) {
    return absl::StrCat("not a JSON object: ", parsed.message().ToString());
  }
  for (const auto& [key, value] : object.fields()) {
    if (key == "fields") {
      if (value.kind_case() != google::protobuf::Value::kStructValue)
        return "fields: an object of field names and values";
      std::vector<std::string> names;
      for (const auto& field : value.struct_value().fields())
        names.push_back(field.first);
      std::sort(names.begin(), names.end());  // a map's order is not the file's
      for (const std::string& name : names) {
        std::string error =
            AddJsonField(name, value.struct_value().fields().at(name), out);
        if (!error.empty()) return error;
      }
      continue;
    }
    std::string* target = key == "person"      ? &out->person
                          : key == "event"     ? &out->event
                          : key == "effective" ? &out->effective
                                               : nullptr;
    if (target == nullptr) {
      return absl::StrCat("unknown key '", key,
                          "' (a line has person, event, effective, fields)");
    }
    if (value.kind_case() != google::protobuf::Value::kStringValue)
      return absl::StrCat(key, ": a text");
    *target = value.string_value();
  }
  return "";
}

void ReadJsonLines(absl::string_view text, std::vector<RawLine>* lines,
                   std::vector<BacklogError>* errors) {
  size_t number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    RawLine raw;
    raw.line = number;
    std::string error = ParseJsonLine(line, &raw);
    if (!error.empty()) {
      errors->push_back({number, std::move(error)});
      continue;
    }
    lines->push_back(std::move(raw));
  }
}

// ---- CSV --------------------------------------------------------------------

struct CsvRecord {
  size_t line = 0;  // where it starts
  std::vector<std::string> cells;
};

// RFC 4180: quoted cells may hold commas, quotes ("") and line breaks.
std::vector<CsvRecord> SplitCsv(absl::string_view text,
                                std::vector<BacklogError>* errors) {
  std::vector<CsvRecord> records;
  CsvRecord record{1, {}};
  std::string cell;
  bool quoted = false, any = false;
  size_t line = 1;
  auto end_record = [&](size_t next_line) {
    if (any || !cell.empty() || !record.cells.empty()) {
      record.cells.push_back(std::move(cell));
      records.push_back(std::move(record));
    }
    record = CsvRecord{next_line, {}};
    cell.clear();
    any = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      record.cells.push_back(std::move(cell));
      cell.clear();
      any = true;
    } else if (c == '\n') {
      ++line;
      end_record(line);
    } else if (c != '\r') {
      cell += c;
    }
  }
  if (quoted) errors->push_back({record.line, "a quoted cell is not closed"});
  end_record(line);
  return records;
}

void ReadCsv(absl::string_view text, std::vector<RawLine>* lines,
             std::vector<BacklogError>* errors) {
  std::vector<CsvRecord> records = SplitCsv(text, errors);
  if (records.empty()) return;
  const std::vector<std::string>& header = records.front().cells;
  std::vector<std::string> names;
  for (const std::string& column : header)
    names.push_back(std::string(absl::StripAsciiWhitespace(column)));
  for (const char* required : {"person", "event"}) {
    if (std::find(names.begin(), names.end(), required) == names.end()) {
      errors->push_back(
          {1, absl::StrCat("the header has no column '", required, "'")});
      return;
    }
  }
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    if (record.cells.size() == 1 &&
        absl::StripAsciiWhitespace(record.cells[0]).empty())
      continue;
    if (record.cells.size() != names.size()) {
      errors->push_back({record.line, absl::StrCat(record.cells.size(),
                                                   " cells, the header "
                                                   "has ",
                                                   names.size())});
      continue;
    }
    RawLine raw;
    raw.line = record.line;
    std::string error;
    for (size_t c = 0; c < names.size() && error.empty(); ++c) {
      const std::string& name = names[c];
      const std::string value(absl::StripAsciiWhitespace(record.cells[c]));
      if (name == "person") {
        raw.person = value;
      } else if (name == "event") {
        raw.event = value;
      } else if (name == "effective") {
        raw.effective = value;
      } else if (!value.empty()) {
        std::vector<std::string> values;
        for (absl::string_view part : absl::StrSplit(value, '|'))
          values.emplace_back(absl::StripAsciiWhitespace(part));
        raw.fields.emplace_back(name, std::move(values));
      }
    }
    lines->push_back(std::move(raw));
  }
}

// ---- building and checking --------------------------------------------------

std::string FieldNames(const EventKind& kind) {
  std::vector<std::string> names;
  for (const EventArgSpec& spec : kind.args) names.push_back(spec.name);
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

// The event of one line, or what is wrong with it.
absl::StatusOr<v1::BacklogEvent> BuildLine(const RawLine& raw) {
  if (!IsPersonId(raw.person)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "person: '", raw.person,
        "' is not a person id (1-128 letters, digits, '-', '_', '.', '/')"));
  }
  if (raw.event.empty()) return absl::InvalidArgumentError("event is missing");
  const EventKind* kind = FindEventKind(raw.event);
  if (kind == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event: unknown kind '", raw.event, "' (see returnctl --help)"));
  }
  if (kind->takes_replacement || raw.event == "retraction") {
    return absl::InvalidArgumentError(absl::StrCat(
        "event: a ", raw.event,
        " names a stored position and cannot be imported; record it after "
        "the import"));
  }
  EventArgs args;
  for (const auto& [name, values] : raw.fields) {
    const auto spec = std::find_if(
        kind->args.begin(), kind->args.end(),
        [&field = name](const EventArgSpec& s) { return s.name == field; });
    if (spec == kind->args.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("fields: ", raw.event, " has no field '", name,
                       "' (its fields: ", FieldNames(*kind), ")"));
    }
    if (spec->value_name.empty()) {  // a switch
      const std::string value =
          values.size() == 1 ? absl::AsciiStrToLower(values[0]) : "";
      if (value == "true" || value == "yes" || value == "1") {
        args.Add(name, "true");
      } else if (value != "false" && value != "no" && value != "0") {
        return absl::InvalidArgumentError(
            absl::StrCat("fields: ", name, " is a switch: true or false"));
      }
      continue;
    }
    if (!spec->repeated && values.size() > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("fields: ", name, " takes one value"));
    }
    for (const std::string& value : values) args.Add(name, value);
  }
  args.Add("person", raw.person);
  absl::StatusOr<BuiltEvent> built = BuildEvent(*kind, args);
  if (!built.ok()) return built.status();
  std::optional<absl::Time> effective;
  if (!raw.effective.empty()) {
    absl::StatusOr<absl::Time> time = ParseTime(raw.effective);
    if (!time.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("effective: ", time.status().message()));
    }
    effective = *time;
  } else if (!built->legal_date.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "effective is required: ", raw.event, " has no date of its own"));
  }
  absl::StatusOr<absl::Time> time =
      ResolveEffectiveTime(*built, effective, absl::InfinitePast());
  if (!time.ok()) return time.status();
  v1::BacklogEvent event;
  *event.mutable_event() = std::move(built->event);
  *event.mutable_effective_time() = ToTimestamp(*time);
  event.set_line(static_cast<uint32_t>(raw.line));
  return event;
}

// Each person once registered, and registered before anything else.
void CheckPersons(const std::vector<v1::PersonBacklog>& persons,
                  std::vector<BacklogError>* errors) {
  const std::string registered = "returnpath.v1.PersonRegistered";
  for (const v1::PersonBacklog& person : persons) {
    std::vector<const v1::BacklogEvent*> registrations;
    const v1::BacklogEvent* earliest = nullptr;
    for (const v1::BacklogEvent& event : person.events()) {
      if (absl::EndsWith(event.event().type_url(), registered))
        registrations.push_back(&event);
      if (earliest == nullptr || FromTimestamp(event.effective_time()) <
                                     FromTimestamp(earliest->effective_time()))
        earliest = &event;
    }
    const size_t first = person.events(0).line();
    if (registrations.empty()) {
      errors->push_back({first, absl::StrCat("person ", person.person_id(),
                                             " has no register line")});
      continue;
    }
    for (size_t i = 1; i < registrations.size(); ++i) {
      errors->push_back({registrations[i]->line(),
                         absl::StrCat("person ", person.person_id(),
                                      " is registered again (first on line ",
                                      registrations[0]->line(), ")")});
    }
    const v1::BacklogEvent& registration = *registrations[0];
    for (const v1::BacklogEvent& event : person.events()) {
      if (&event != &registration &&
          FromTimestamp(event.effective_time()) <
              FromTimestamp(registration.effective_time())) {
        errors->push_back(
            {event.line(),
             absl::StrCat("effective before person ", person.person_id(),
                          "'s registration (line ", registration.line(), ")")});
      }
    }
  }
}

}  // namespace

absl::StatusOr<BacklogFormat> BacklogFormatOf(absl::string_view file_name,
                                              absl::string_view format) {
  if (format == "jsonl" || format == "json") return BacklogFormat::kJsonLines;
  if (format == "csv") return BacklogFormat::kCsv;
  if (!format.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--format: '", format, "' is not jsonl or csv"));
  }
  for (const char* ext : {".jsonl", ".ndjson", ".json"}) {
    if (absl::EndsWithIgnoreCase(file_name, ext))
      return BacklogFormat::kJsonLines;
  }
  if (absl::EndsWithIgnoreCase(file_name, ".csv")) return BacklogFormat::kCsv;
  return absl::InvalidArgumentError(
      absl::StrCat(file_name,
                   ": cannot tell the format from the name; give --format "
                   "jsonl or --format csv"));
}

Backlog ReadBacklog(absl::string_view text, BacklogFormat format) {
  Backlog backlog;
  std::vector<RawLine> lines;
  if (format == BacklogFormat::kJsonLines) {
    ReadJsonLines(text, &lines, &backlog.errors);
  } else {
    ReadCsv(text, &lines, &backlog.errors);
  }
  absl::flat_hash_map<std::string, size_t> index;
  for (const RawLine& raw : lines) {
    absl::StatusOr<v1::BacklogEvent> event = BuildLine(raw);
    if (!event.ok()) {
      backlog.errors.push_back(
          {raw.line, std::string(event.status().message())});
      continue;
    }
    auto [it, added] = index.try_emplace(raw.person, backlog.persons.size());
    if (added) {
      backlog.persons.emplace_back();
      backlog.persons.back().set_person_id(raw.person);
    }
    *backlog.persons[it->second].add_events() = *std::move(event);
    ++backlog.events;
  }
  CheckPersons(backlog.persons, &backlog.errors);
  if (lines.empty() && backlog.errors.empty())
    backlog.errors.push_back({0, "the file holds no event"});
  std::stable_sort(backlog.errors.begin(), backlog.errors.end(),
                   [](const BacklogError& a, const BacklogError& b) {
                     return a.line < b.line;
                   });
  return backlog;
}

}  // namespace returnpath::client
