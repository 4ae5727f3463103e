// admin ...: the daemon's clock (advancing it works only with --clock=manual)
// and its principals (who may call it).

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/lib/enum_text.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

int PrintClock(absl::StatusOr<v1::ClockResponse> response, Session& s) {
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  const absl::Time now = client::FromTimestamp(response->now());
  s.out() << client::TimeText(now) << " Europe/Oslo ("
          << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone())
          << ")\n";
  return kExitOk;
}

int RunNow(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<absl::Time> now = client->Now();
  if (!now.ok()) return s.Fail(now.status());
  v1::ClockResponse response;
  *response.mutable_now() = client::ToTimestamp(*now);
  return PrintClock(response, s);
}

int RunAdvance(const Args& args, Session& s) {
  if (args.Has("by") == args.Has("until"))
    return s.Usage("give exactly one of --by, --until");
  int exit = kExitOk;
  v1::AdvanceClockRequest request;
  if (args.Has("by")) {
    std::optional<absl::Duration> by = s.DurationOption(args, "by", &exit);
    if (exit != kExitOk) return exit;
    *request.mutable_by() = client::ToDurationProto(*by);
  } else {
    std::optional<absl::Time> until = s.TimeOption(args, "until", false, &exit);
    if (exit != kExitOk) return exit;
    *request.mutable_until() = client::ToTimestamp(*until);
  }
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  return PrintClock(client->AdvanceClock(request), s);
}

int RunBackup(const Args& args, Session& s) {
  v1::BackupRequest request;
  request.set_to(args.Get("to"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::BackupResponse> backup = client->Backup(request);
  if (!backup.ok()) return s.Fail(backup.status());
  if (s.json()) return s.Json(*backup);
  s.out() << "backup " << backup->backup_id() << " in "
          << (request.to().empty() ? "the backup directory" : request.to())
          << ": every event up to position " << backup->covers_position()
          << ", " << backup->files() << " files, " << backup->bytes()
          << " bytes (shared ones included), in "
          << absl::FormatDuration(client::FromDurationProto(backup->took()))
          << "\n";
  return kExitOk;
}

const Option kName = {"name", "NAME", "the principal's name", true};

std::string RoleText(v1::Role role) {
  return client::EnumText(v1::Role_descriptor(), "ROLE_", role);
}

std::string Credential(const v1::PrincipalSummary& principal) {
  if (!principal.cert_subject().empty())
    return absl::StrCat("certificate ", principal.cert_subject());
  return principal.has_token() ? "token" : "-";
}

// "added kari (reception; centre/Oslo-1)" and, when there is one, the token.
int PrintPrincipal(absl::StatusOr<v1::PrincipalResponse> response,
                   absl::string_view done, Session& s) {
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  const v1::PrincipalSummary& principal = response->principal();
  s.out() << done << " " << principal.name() << " ("
          << RoleText(principal.role()) << "; "
          << (principal.scopes().empty()
                  ? "no scopes"
                  : absl::StrJoin(principal.scopes(), ", "))
          << ")\n";
  if (!response->token().empty()) {
    s.out() << "token (shown only now; the daemon keeps its digest): "
            << response->token() << "\n";
  }
  return kExitOk;
}

int RunPrincipalsAdd(const Args& args, Session& s) {
  v1::AddPrincipalRequest request;
  request.set_name(args.Get("name"));
  absl::StatusOr<int> role = client::ParseEnum(v1::Role_descriptor(), "ROLE_",
                                               args.Get("role"), "--role");
  if (!role.ok()) return s.Usage(role.status().message());
  request.set_role(static_cast<v1::Role>(*role));
  for (const std::string& scope : args.GetAll("scope"))
    request.add_scopes(scope);
  for (const std::string& type : args.GetAll("event-type"))
    request.add_allowed_event_types(type);
  request.set_cert_subject(args.Get("cert-subject"));
  int exit = kExitOk;
  std::optional<absl::Time> expires =
      s.TimeOption(args, "expires", false, &exit);
  if (exit != kExitOk) return exit;
  if (expires.has_value())
    *request.mutable_expires() = client::ToTimestamp(*expires);
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  return PrintPrincipal(client->AddPrincipal(request), "added", s);
}

int RunPrincipalsList(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::ListPrincipalsResponse> response =
      client->ListPrincipals();
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  Table table({"NAME", "ROLE", "CREDENTIAL", "EXPIRES", "SCOPES"});
  for (const v1::PrincipalSummary& principal : response->principals()) {
    table.AddRow(
        {principal.name(), RoleText(principal.role()), Credential(principal),
         principal.has_expires() ? client::TimeText(principal.expires())
                                 : "never",
         absl::StrJoin(principal.scopes(), ", ")});
  }
  table.Print(s.out());
  s.out() << response->principals_size() << " principals\n";
  return kExitOk;
}

int RunPrincipalsRevoke(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  return PrintPrincipal(client->RevokePrincipal(args.Get("name")), "revoked",
                        s);
}

int RunPrincipalsRotate(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  return PrintPrincipal(client->RotateToken(args.Get("name")), "new token for",
                        s);
}

void AddPrincipalCommands(CommandTable* table) {
  table->Add(
      {"admin principals add",
       "let someone call the daemon: a role, scopes, and a client "
       "certificate or a generated token (administrators only)",
       {kName,
        {"role", "ROLE", client::EnumChoices(v1::Role_descriptor(), "ROLE_"),
         true},
        {"scope", "SCOPE",
         "centre/<id>, region/<REGION>, queue/<queue>, "
         "queue/<prefix>/* or *",
         false, true},
        {"event-type", "TYPE",
         "narrows what its role records (the policy's grants) to these "
         "types, e.g. returnpath.v1.Departed",
         false, true},
        {"cert-subject", "CN",
         "its client certificate's subject CN (mutual TLS); without "
         "it the daemon generates a token"},
        {"expires", "DATE|TIME", "refused from then on (default never)"}},
       "The token is printed once; the daemon stores only its SHA-256 "
       "digest. Takes effect on the next call, without a restart.",
       "",
       RunPrincipalsAdd});
  table->Add({"admin principals list",
              "who may call the daemon (never their tokens)",
              {},
              "",
              "",
              RunPrincipalsList});
  table->Add({"admin principals revoke",
              "remove a principal; its next call is refused",
              {kName},
              "",
              "",
              RunPrincipalsRevoke});
  table->Add({"admin principals rotate",
              "give a principal a new token; the old one stops working",
              {kName},
              "",
              "",
              RunPrincipalsRotate});
}

}  // namespace

void AddAdminCommands(CommandTable* table) {
  AddPrincipalCommands(table);
  table->Add({"admin now", "the daemon's clock", {}, "", "", RunNow});
  table->Add({"admin backup",
              "an online backup of the store now, while writes go on "
              "(administrators only)",
              {{"to", "NAME",
                "a directory inside the daemon's --backup_dir (default: "
                "--backup_dir itself, with the scheduled backups)"}},
              "Backups in one directory share unchanged files. A large store "
              "takes a while: give --timeout (e.g. 30m). docs/operations.md "
              "says how to restore.",
              "",
              RunBackup});
  table->Add({"admin advance-clock",
              "move the daemon's test clock forward; timers that come due fire "
              "(only with "
              "returnpathd --clock=manual)",
              {{"by", "DURATION", "e.g. 22d, 36h"},
               {"until", "DATE|TIME", "e.g. 2026-04-01 (00:00 Europe/Oslo)"}},
              "Give exactly one of --by, --until.",
              "",
              RunAdvance});
}

}  // namespace returnpath::returnctl
