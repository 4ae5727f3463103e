#include "tests/integration/fixture.h"

#include "absl/strings/str_cat.h"
#include "clients/lib/time_text.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::integration {

void IntegrationTest::SetUp() {
  if (ReturnpathdPath().empty()) {
    GTEST_SKIP() << "returnpathd is not a target of this build yet";
  }
  client::LinkDomainMessages();
  absl::StatusOr<std::unique_ptr<Daemon>> daemon = Daemon::Start(Options());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  daemon_ = *std::move(daemon);
}

void IntegrationTest::TearDown() {
  clients_.clear();
  if (daemon_ == nullptr) return;
  daemon_->Stop();
  if (HasFailure()) {
    std::cerr << "---- returnpathd log (tail) ----\n"
              << daemon_->LogTail() << "\n----\n";
  }
  daemon_.reset();
}

client::Client& IntegrationTest::As(const std::string& role) {
  auto it = clients_.find(role);
  if (it == clients_.end()) {
    it = clients_
             .emplace(role, std::make_unique<client::Client>(
                                daemon_->NewChannel(), daemon_->Token(role),
                                absl::Seconds(10)))
             .first;
  }
  return *it->second;
}

std::unique_ptr<client::Client> IntegrationTest::WithToken(
    const std::string& token) {
  return std::make_unique<client::Client>(daemon_->NewChannel(), token,
                                          absl::Seconds(10));
}

absl::StatusOr<v1::RecordEventResponse> IntegrationTest::Register(
    const PersonSpec& person) {
  absl::StatusOr<client::BuiltEvent> event = RegistrationEvent(person);
  if (!event.ok()) return event.status();
  return As("reception").Record(person.id, *event);
}

absl::StatusOr<v1::RecordEventResponse> IntegrationTest::Record(
    const std::string& person, const std::string& kind,
    const client::EventArgs& args, const std::string& role) {
  absl::StatusOr<client::BuiltEvent> event = client::BuildEvent(kind, args);
  if (!event.ok()) return event.status();
  return As(role).Record(person, *event);
}

absl::StatusOr<absl::Time> IntegrationTest::AdvanceBy(absl::Duration by) {
  v1::AdvanceClockRequest request;
  *request.mutable_by() = client::ToDurationProto(by);
  absl::StatusOr<v1::ClockResponse> response =
      As("admin").AdvanceClock(request);
  if (!response.ok()) return response.status();
  return client::FromTimestamp(response->now());
}

absl::StatusOr<absl::Time> IntegrationTest::AdvanceUntil(absl::Time until) {
  v1::AdvanceClockRequest request;
  *request.mutable_until() = client::ToTimestamp(until);
  absl::StatusOr<v1::ClockResponse> response =
      As("admin").AdvanceClock(request);
  if (!response.ok()) return response.status();
  return client::FromTimestamp(response->now());
}

absl::StatusOr<v1::PathwayView> IntegrationTest::View(
    const std::string& person) {
  return As("reception").GetPathway(person);
}

absl::StatusOr<v1::PathwayState> IntegrationTest::State(
    const std::string& person) {
  absl::StatusOr<v1::PathwayView> view = View(person);
  if (!view.ok()) return view.status();
  v1::PathwayState state;
  if (!view->state().UnpackTo(&state)) {
    return absl::InternalError(absl::StrCat(
        "PathwayView.state is not a PathwayState: ", view->state().type_url()));
  }
  return state;
}

absl::StatusOr<std::vector<v1::EventEnvelope>> IntegrationTest::History(
    const std::string& person) {
  std::vector<v1::EventEnvelope> events;
  v1::HistoryRequest request;
  request.set_person_id(person);
  absl::Status status =
      As("auditor").History(request, [&](const v1::EventEnvelope& e) {
        events.push_back(e);
        return true;
      });
  if (!status.ok()) return status;
  return events;
}

absl::StatusOr<std::vector<v1::Task>> IntegrationTest::QueueTasks(
    const std::string& role, const std::string& queue) {
  v1::ListTasksRequest request;
  request.set_queue(queue);
  absl::StatusOr<v1::ListTasksResponse> response = As(role).ListTasks(request);
  if (!response.ok()) return response.status();
  return std::vector<v1::Task>(response->tasks().begin(),
                               response->tasks().end());
}

absl::StatusOr<v1::EventEnvelope> IntegrationTest::WaitForEvent(
    const std::string& person,
    const std::function<bool(const v1::EventEnvelope&)>& match,
    absl::Duration timeout) {
  return integration::WaitForEvent(
      daemon_->NewChannel(), daemon_->Token("auditor"), person, match, timeout);
}

absl::StatusOr<v1::EventEnvelope> IntegrationTest::WaitForTimer(
    const std::string& person, const std::string& kind) {
  return WaitForEvent(person, [&kind](const v1::EventEnvelope& e) {
    return IsTimerFired(e, kind);
  });
}

ProcessResult IntegrationTest::Ctl(const std::vector<std::string>& args,
                                   const std::vector<std::string>& extra_env) {
  std::vector<std::string> argv = {ReturnctlPath(), "--server",
                                   daemon_->address(), "--data-dir",
                                   daemon_->data_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, absl::Seconds(30), extra_env);
}

absl::StatusOr<client::BuiltEvent> RegistrationEvent(const PersonSpec& person) {
  client::EventArgs args = {
      {"person", person.id},
      {"household", person.household.empty() ? absl::StrCat("H-", person.id)
                                             : person.household},
      {"born", person.born},
      {"nationality", person.nationality},
      {"centre", person.centre},
      {"region", person.region}};
  for (const std::string& flag : person.switches) args.Add(flag, "true");
  return client::BuildEvent("register", args);
}

absl::StatusOr<v1::EventEnvelope> WaitForEvent(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
    const std::string& person,
    const std::function<bool(const v1::EventEnvelope&)>& match,
    absl::Duration timeout) {
  auto stub = v1::AuditService::NewStub(channel);
  grpc::ClientContext ctx;
  if (!token.empty())
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::SubscribeEventsRequest request;
  request.set_from_position(1);
  auto reader = stub->SubscribeEvents(&ctx, request);
  v1::EventEnvelope event;
  std::optional<v1::EventEnvelope> found;
  while (reader->Read(&event)) {
    if (event.stream_id() == person && match(event)) {
      found = event;
      ctx.TryCancel();
      break;
    }
  }
  while (reader->Read(&event)) {
  }
  grpc::Status status = reader->Finish();
  if (found.has_value()) return *found;
  if (status.ok())
    return absl::NotFoundError("the subscription ended without the event");
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat("waiting for an event of ", person, ": ",
                                   status.error_message()));
}

DaemonOptions WithPrincipals(const std::vector<PrincipalSpec>& principals) {
  DaemonOptions options;
  for (const PrincipalSpec& principal : principals) {
    v1::PrincipalEntry& entry = options.principals.emplace_back();
    entry.set_name(principal.name);
    entry.set_role(principal.role);
    for (const std::string& scope : principal.scopes) entry.add_scopes(scope);
  }
  return options;
}

DaemonOptions NationalTeam() {
  return WithPrincipals({{"reception", v1::ROLE_RECEPTION, {"*"}},
                         {"adviser", v1::ROLE_ADVISER, {"*"}},
                         {"police", v1::ROLE_POLICE, {"*"}},
                         {"auditor", v1::ROLE_AUDITOR, {"*"}},
                         {"admin", v1::ROLE_ADMIN, {}}});
}

std::vector<std::string> FollowPages(
    const std::function<absl::StatusOr<std::string>(const std::string&)>&
        page) {
  std::vector<std::string> tokens;
  std::string token;
  do {
    absl::StatusOr<std::string> next = page(token);
    EXPECT_TRUE(next.ok()) << next.status();
    if (!next.ok() || tokens.size() == 20) break;
    token = *next;
    tokens.push_back(token);
  } while (!token.empty());
  return tokens;
}

std::vector<v1::Task> TasksOfKind(const v1::PathwayView& view,
                                  const std::string& kind) {
  std::vector<v1::Task> out;
  for (const v1::Task& task : view.open_tasks()) {
    if (task.kind() == kind) out.push_back(task);
  }
  return out;
}

std::string PayloadType(const v1::EventEnvelope& event) {
  const std::string& url = event.payload().type_url();
  return url.substr(url.rfind('/') + 1);
}

bool IsTimerFired(const v1::EventEnvelope& event, const std::string& kind) {
  v1::TimerFired fired;
  return event.payload().UnpackTo(&fired) && fired.kind() == kind;
}

absl::Time Utc(const std::string& rfc3339) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &time, &error)) {
    ADD_FAILURE() << "bad time in test: " << rfc3339;
  }
  return time;
}

}  // namespace returnpath::integration
