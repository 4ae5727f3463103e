// show and list: a person's pathway, and pathways by stage, centre, region
// or next due date.

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "clients/lib/enum_text.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/pathway_text.h"
#include "clients/returnctl/session.h"
#include "returnpath/v1/pathway_state.pb.h"

namespace returnpath::returnctl {
namespace {

int RunShow(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::PathwayView> view = client->GetPathway(args.Get("person"));
  if (!view.ok()) return s.Fail(view.status());
  if (s.json()) return s.Json(*view);
  PrintPathway(*view, s.out());
  return kExitOk;
}

// "final-rejection" -> "FINAL_REJECTION" (the stage index's spelling).
std::string StageKey(absl::string_view text) {
  std::string out = absl::AsciiStrToUpper(text);
  absl::StrReplaceAll({{"-", "_"}, {" ", "_"}}, &out);
  absl::string_view view = out;
  absl::ConsumePrefix(&view, "STAGE_");
  return std::string(view);
}

// Sets the request's index selection from exactly one of the options.
int Select(const Args& args, Session& s, v1::ListPathwaysRequest* request) {
  int chosen = 0;
  if (args.Has("stage")) {
    absl::StatusOr<int> stage = client::ParseEnum(
        v1::Stage_descriptor(), "STAGE_", args.Get("stage"), "stage");
    if (!stage.ok()) return s.Usage(stage.status().message());
    request->set_index_prefix(
        absl::StrCat("stage/", StageKey(args.Get("stage"))));
    ++chosen;
  }
  if (args.Has("centre")) {
    request->set_index_prefix(absl::StrCat("centre/", args.Get("centre")));
    ++chosen;
  }
  if (args.Has("region")) {
    absl::StatusOr<int> region = client::ParseEnum(
        v1::Region_descriptor(), "REGION_", args.Get("region"), "region");
    if (!region.ok()) return s.Usage(region.status().message());
    request->set_index_prefix(absl::StrCat(
        "region/",
        v1::Region_Name(static_cast<v1::Region>(*region)).substr(7)));
    ++chosen;
  }
  if (args.Has("due-from") || args.Has("due-to")) {
    if (!args.Has("due-from") || !args.Has("due-to")) {
      return s.Usage("give both --due-from and --due-to");
    }
    for (const char* name : {"due-from", "due-to"}) {
      absl::StatusOr<v1::Date> date = client::ParseDate(args.Get(name));
      if (!date.ok())
        return s.Usage(absl::StrCat("--", name, ": ", date.status().message()));
    }
    request->set_from_key(absl::StrCat("due/", args.Get("due-from")));
    request->set_to_key(absl::StrCat("due/", args.Get("due-to")));
    ++chosen;
  }
  if (args.Has("index")) {
    request->set_index_prefix(args.Get("index"));
    ++chosen;
  }
  if (chosen != 1) {
    return s.Usage(
        "give exactly one of --stage, --centre, --region, --due-from/--due-to, "
        "--index");
  }
  return kExitOk;
}

std::string NextDue(const v1::PathwayView& view) {
  for (const std::string& key : view.index_keys()) {
    if (key.rfind("due/", 0) == 0) return key.substr(4);
  }
  return "-";
}

std::string IndexValue(const v1::PathwayView& view, absl::string_view index) {
  const std::string prefix = absl::StrCat(index, "/");
  for (const std::string& key : view.index_keys()) {
    if (key.rfind(prefix, 0) == 0) return key.substr(prefix.size());
  }
  return "-";
}

int RunList(const Args& args, Session& s) {
  v1::ListPathwaysRequest request;
  int exit = Select(args, s, &request);
  if (exit != kExitOk) return exit;
  std::optional<uint64_t> page_size = s.NumberOption(args, "page-size", &exit);
  if (exit != kExitOk) return exit;
  if (page_size.has_value())
    request.set_page_size(static_cast<int32_t>(*page_size));
  request.set_page_token(args.Get("page-token"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();

  Table table(
      {"PERSON", "STAGE", "CENTRE", "REGION", "NEXT DUE", "TASKS", "VERSION"});
  std::string next;
  do {
    absl::StatusOr<v1::ListPathwaysResponse> page =
        client->ListPathways(request);
    if (!page.ok()) return s.Fail(page.status());
    if (s.json()) {
      exit = s.Json(*page);
      if (exit != kExitOk) return exit;
    }
    for (const v1::PathwayView& view : page->pathways()) {
      table.AddRow({view.person_id(), StageOf(view), IndexValue(view, "centre"),
                    IndexValue(view, "region"), NextDue(view),
                    absl::StrCat(view.open_tasks_size()),
                    absl::StrCat(view.version())});
    }
    next = page->next_page_token();
    request.set_page_token(next);
  } while (args.Has("all") && !next.empty());
  if (s.json()) return kExitOk;
  table.Print(s.out());
  s.out() << table.size() << (table.size() == 1 ? " pathway" : " pathways");
  if (!next.empty()) s.out() << MorePages(next);
  s.out() << "\n";
  return kExitOk;
}

}  // namespace

void AddPathwayCommands(CommandTable* table) {
  table->Add({"show",
              "a person's pathway: stage, deadlines with the rule behind each, "
              "decisions, open "
              "tasks, flags and household",
              {{"person", "ID", "the person (case number)", true}},
              "",
              "",
              RunShow});
  table->Add(
      {"list",
       "pathways by stage, centre, region or next due date, as a table",
       {{"stage", "STAGE",
         absl::StrCat("e.g. overstayed (",
                      client::EnumChoices(v1::Stage_descriptor(), "STAGE_"),
                      ")")},
        {"centre", "CENTRE", "reception centre"},
        {"region", "REGION",
         client::EnumChoices(v1::Region_descriptor(), "REGION_")},
        {"due-from", "DATE", "next due date from (inclusive)"},
        {"due-to", "DATE", "next due date to (inclusive)"},
        {"index", "KEY", "a raw index key prefix, e.g. stage/OVERSTAYED"},
        {"page-size", "N", "rows per page (default 50, at most 1000)"},
        {"page-token", "TOKEN", "continue after an earlier page"},
        {"all", "", "follow every page"}},
       "Give exactly one of --stage, --centre, --region, --due-from with "
       "--due-to, --index.",
       "",
       RunList});
}

}  // namespace returnpath::returnctl
