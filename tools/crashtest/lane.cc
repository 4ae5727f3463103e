#include "tools/crashtest/lane.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/lib/event_kinds.h"
#include "server/input_bounds.h"

namespace returnpath::crashtest {
namespace {

enum Step { kRegister, kFinalRejection, kRelocation, kIom, kDeparture, kSteps };

const char* StepName(int step) {
  static const char* const kNames[kSteps] = {"register", "final-rejection",
                                             "relocation", "iom-application",
                                             "departure"};
  return kNames[step];
}

// The answer of a daemon that went away mid-call (killed, or failing its
// writes as the power goes): the call may or may not have taken effect.
bool CutOff(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool Lane::InDoubt(const absl::Status& status) {
  if (CutOff(status)) return true;
  if (retry_data_loss_ && absl::IsDataLoss(status)) {
    if (data_loss_answers_++ == 0) {
      first_data_loss_ = absl::StrCat(Key(), ": ", status.ToString());
    }
    return true;
  }
  return false;
}

Lane::Lane(int index)
    : index_(index),
      centre_(absl::StrCat("Crash-", index)),
      worker_(absl::StrCat("crashtest-", index)) {
  std::string error;
  absl::ParseTime(absl::RFC3339_full, kClockStart, &start_, &error);
}

std::string Lane::Person() const {
  return absl::StrCat("CT-", index_, "-", person_);
}

std::string Lane::Key() const {
  return absl::StrCat("ct/", Person(), "/", StepName(step_));
}

absl::Status Lane::Run(const Desk& desk, Ledger& ledger,
                       const std::atomic<bool>& stop) {
  while (!stop.load()) {
    absl::StatusOr<bool> moved = Step(desk, ledger);
    if (!moved.ok()) return moved.status();
    if (!*moved) {
      ++in_doubt_;
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Lane::Step(const Desk& desk, Ledger& ledger) {
  if (step_ == kRelocation) return CompleteRelocation(desk.reception, ledger);
  const std::string person = Person();
  absl::StatusOr<client::BuiltEvent> event;
  switch (step_) {
    case kRegister:
      event = client::BuildEvent("register", {{"person", person},
                                              {"household", "H-" + person},
                                              {"born", "1990-05-01"},
                                              {"nationality", "AF"},
                                              {"centre", centre_},
                                              {"region", "oslo"}});
      break;
    case kFinalRejection:
      event =
          client::BuildEvent("final-rejection", {{"notified", "2026-03-02"}});
      break;
    case kIom:
      event = client::BuildEvent("iom-application", {{"programme", "irrana"}});
      break;
    default:
      event =
          client::BuildEvent("departure", {{"kind", "assisted"}, {"to", "AF"}});
      break;
  }
  if (!event.ok()) return event.status();
  client::RecordOptions options;
  options.idempotency_key = Key();
  if (!event->legal_date.has_value()) options.effective_time = start_;
  client::Client& recorder = step_ == kIom ? desk.adviser : desk.reception;
  const absl::Time started = absl::Now();
  absl::StatusOr<v1::RecordEventResponse> recorded =
      recorder.Record(person, *event, options);
  if (InDoubt(recorded.status())) return false;
  if (!recorded.ok()) {
    return absl::Status(recorded.status().code(),
                        absl::StrCat(Key(), ": ", recorded.status().message()));
  }
  ledger.Add({person, Key(), engine::EventTypeName(event->event),
              recorded->position(), recorded->version(), started});
  if (++step_ == kSteps) {
    step_ = 0;
    ++person_;
  }
  return true;
}

absl::StatusOr<bool> Lane::CompleteRelocation(client::Client& reception,
                                              Ledger& ledger) {
  if (!task_.has_value()) {
    absl::StatusOr<v1::TaskRef> leased = LeaseRelocation(reception);
    if (InDoubt(leased.status())) return false;
    if (!leased.ok()) return leased.status();
    task_ = *leased;
  }
  v1::CompleteTaskRequest complete;
  *complete.mutable_task() = *task_;
  complete.set_outcome("relocated");
  complete.set_idempotency_key(Key());
  const absl::Time started = absl::Now();
  absl::StatusOr<v1::CompleteTaskResponse> done = reception.Complete(complete);
  if (InDoubt(done.status())) return false;
  if (done.status().code() == absl::StatusCode::kFailedPrecondition) {
    // The lease was not durable (power lost before it was synced) and the
    // completion never happened: lease the task again.
    ++leases_lost_;
    task_.reset();
    return true;
  }
  if (!done.ok()) {
    return absl::Status(done.status().code(),
                        absl::StrCat(Key(), ": ", done.status().message()));
  }
  ledger.Add({Person(), Key(), "returnpath.v1.TaskCompleted", done->position(),
              0, started});
  task_.reset();
  ++step_;
  return true;
}

absl::StatusOr<v1::TaskRef> Lane::LeaseRelocation(client::Client& reception) {
  v1::TaskRef ref;
  ref.set_person_id(Person());
  ref.set_worker(worker_);
  // Already leased to this lane when a crash took the answer to its poll.
  absl::StatusOr<v1::PathwayView> view = reception.GetPathway(Person());
  if (!view.ok()) return view.status();
  const v1::Task* open = nullptr;
  for (const v1::Task& task : view->open_tasks()) {
    if (task.kind() == "relocation") open = &task;
  }
  if (open == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(Key(), ": the person has no open relocation task"));
  }
  // The daemon names the holder "<principal>/<worker>".
  if (absl::EndsWith(open->lease_owner(), "/" + worker_)) {
    ref.set_task_id(open->id());
    return ref;
  }
  v1::PollTasksRequest poll;
  poll.set_queue(absl::StrCat("reception/", centre_));
  poll.set_worker(worker_);
  poll.mutable_lease()->set_seconds(3600);
  // A long poll, as workers make: one without a wait may answer before the
  // queue's poll thread has seen the commit that opened the task.
  poll.mutable_wait()->set_seconds(5);
  absl::StatusOr<v1::PollTasksResponse> polled = reception.Poll(poll);
  if (!polled.ok()) return polled.status();
  if (!polled->has_task() && retry_empty_polls_) {
    ++empty_polls_;
    return absl::UnavailableError(
        absl::StrCat(Key(), ": the poll came back empty; polling again"));
  }
  if (!polled->has_task() || polled->task().id() != open->id() ||
      polled->task().stream_id() != Person()) {
    return absl::FailedPreconditionError(
        absl::StrCat(Key(), ": polling for ", open->id(), " leased ",
                     polled->has_task() ? polled->task().id() : "nothing"));
  }
  ref.set_task_id(open->id());
  return ref;
}

}  // namespace returnpath::crashtest
