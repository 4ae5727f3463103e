// audit approve-erasure, admin erase: erasing a person takes two people, an
// auditor who approves and an administrator who erases; audit hold and
// lift-hold: an auditor's legal hold stops any erasure.

#include "absl/strings/str_cat.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

const Option kPerson = {"person", "ID", "the person (case number)", true};
const Option kReason = {
    "reason", "TEXT",
    "why their data may be erased, e.g. \"residence permit granted\" (it "
    "stays in the log: no personal data)",
    true};

int RunApprove(const Args& args, Session& s) {
  v1::ApproveErasureRequest request;
  request.set_person_id(args.Get("person"));
  request.set_reason(args.Get("reason"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::ApproveErasureResponse> approved =
      client->ApproveErasure(request);
  if (!approved.ok()) return s.Fail(approved.status());
  if (s.json()) return s.Json(*approved);
  s.out() << "approved the erasure of " << request.person_id()
          << "; an administrator other than you may erase them until "
          << client::TimeText(approved->expires_at())
          << " (returnctl admin erase)\n";
  return kExitOk;
}

int PrintHold(absl::StatusOr<v1::LegalHoldResponse> response,
              absl::string_view what, Session& s) {
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  const v1::LegalHold& hold = response->hold();
  s.out() << what << " the legal hold on " << hold.stream_id() << " (placed by "
          << hold.placed_by() << " on " << client::TimeText(hold.placed_at())
          << ": " << hold.reason() << ")\n";
  return kExitOk;
}

int RunHold(const Args& args, Session& s) {
  v1::LegalHoldRequest request;
  request.set_person_id(args.Get("person"));
  request.set_reason(args.Get("reason"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  return PrintHold(client->PlaceLegalHold(request), "placed", s);
}

int RunLiftHold(const Args& args, Session& s) {
  v1::LegalHoldRequest request;
  request.set_person_id(args.Get("person"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  return PrintHold(client->LiftLegalHold(request), "lifted", s);
}

int RunErase(const Args& args, Session& s) {
  v1::EraseRequest request;
  request.set_person_id(args.Get("person"));
  request.set_reason(args.Get("reason"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::EraseResponse> erased = client->Erase(request);
  if (!erased.ok()) return s.Fail(erased.status());
  if (s.json()) return s.Json(*erased);
  s.out() << "erased " << request.person_id() << ": the personal fields of "
          << erased->events_erased()
          << " events are unreadable for good, their pathway and tasks are "
             "gone; approved by "
          << erased->approved_by() << "; the erasure is event "
          << erased->position() << " in the log\n";
  return kExitOk;
}

}  // namespace

void AddErasureCommands(CommandTable* table) {
  table->Add({"audit approve-erasure",
              "approve erasing a person's data (auditors); an administrator "
              "then erases them",
              {kPerson, kReason},
              "The approval holds for 7 days; a new one replaces it.",
              "",
              RunApprove});
  table->Add({"audit hold",
              "place a legal hold on a person (auditors): nothing erases "
              "their data, by hand or by the retention policy, until lifted",
              {kPerson,
               {"reason", "TEXT",
                "why their data must be kept, e.g. a court case number", true}},
              "",
              "",
              RunHold});
  table->Add({"audit lift-hold",
              "lift a person's legal hold (auditors)",
              {kPerson},
              "",
              "",
              RunLiftHold});
  table->Add({"admin erase",
              "erase a person's data an auditor approved erasing "
              "(administrators; not the approver)",
              {kPerson, kReason},
              "Destroys the key of their personal fields: their history "
              "keeps its dates, kinds and hashes and reads \"erased\" for "
              "the rest; their pathway, index entries, timers and tasks are "
              "removed; statistics keep what they counted. It cannot be "
              "undone.",
              "",
              RunErase});
}

}  // namespace returnpath::returnctl
