#ifndef RETURNPATH_ENGINE_TESTING_RUNTIME_TEST_UTIL_H_
#define RETURNPATH_ENGINE_TESTING_RUNTIME_TEST_UTIL_H_

// Test-only: a scripted fake workflow and a store fixture for the runtime
// tests (timer loop, task queue, replay), so they do not depend on the
// domain workflow.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/proto_time.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "engine/workflow.h"
#include "gtest/gtest.h"

namespace returnpath::engine::testing {

// Driven by its payload text, words separated by spaces:
//   arm:<id>:<day>            a "deadline" timer due on Day(day)
//   armbad:<id>:<day>         a "bad" timer: firing it fails until "fix"
//   armopen:<id>:<day>:<task>:<queue>   firing it opens <task> in <queue>
//   cancel:<id>               cancels a timer
//   open:<id>:<queue>:<priority>:<day>  opens a task due on Day(day)
//   update:<id>:<queue>:<priority>:<day>  the same task, updated in place
//   pause:<id>:<queue>:<priority>:<day>   an update that pauses it (an
//                             update or open without it resumes it)
//   openpaused:<id>:<queue>:<priority>:<day>  opens a task paused
//   close:<id>                cancels a task
//   complete:<id>:<outcome>   completes a task with that outcome
//   fail                      the event is refused (FAILED_PRECONDITION)
//   to:<stream>:<text>        a related event on <stream> (any version) whose
//                             text is <text> with ',' for ' ' (so it may
//                             itself hold "to:..." words)
//   tov:<stream>:<version>:<text>   the same, expecting <stream> at <version>
//   fix  deaf                 flags: "bad" timers fire; completions are
//                             no longer closed by the workflow
//   depart:<group>            counts as ("departure", group) in statistics
//   retain:<day>              the retention policy lets the stream go on
//                             Day(day) (the last such word counts)
//   undepart:<day>            takes back the departure the state before it
//                             counted (in its group), on Day(day)
// The state is every applied text, each after a '|'. A TaskCompleted closes
// its task (unless deaf). Index keys: {"last/<first word's verb>"}.
class FakeWorkflow final : public Workflow {
 public:
  // Set before the store opens.
  size_t max_related_streams = 3;
  size_t MaxRelatedStreams() const override { return max_related_streams; }

  absl::StatusOr<std::string> PolicyVersionAt(absl::Time) const override {
    return "fake-1";
  }

  absl::StatusOr<Transition> Apply(absl::string_view state,
                                   const returnpath::v1::EventEnvelope& event,
                                   const EventLookup&) const override {
    Transition t;
    returnpath::v1::TaskCompleted completed;
    returnpath::v1::TimerFired fired;
    if (event.payload().UnpackTo(&completed)) {
      t.next_state = absl::StrCat(state, "|done:", completed.task_id());
      if (!absl::StrContains(state, "|deaf")) {
        t.tasks_to_close.push_back(completed.task_id());
      }
      t.index_keys = {"last/completed"};
      return t;
    }
    if (event.payload().UnpackTo(&fired)) {
      if (fired.kind() == "bad" && !absl::StrContains(state, "|fix")) {
        return absl::FailedPreconditionError(
            absl::StrCat("the fake refuses timer ", fired.timer_id()));
      }
      t.next_state = absl::StrCat(state, "|fired:", fired.timer_id());
      t.index_keys = {"last/fired"};
      if (fired.kind() == "open") {
        absl::Status run = Run(fired.payload(), event, &t);
        if (!run.ok()) return run;
      }
      return t;
    }
    const std::string text = TextOf(event);
    t.next_state = absl::StrCat(state, "|", text);
    absl::Status run = Run(text, event, &t);
    if (!run.ok()) return run;
    std::string verb =
        std::vector<std::string>(absl::StrSplit(text, absl::ByAnyChar(" :")))
            .front();
    t.index_keys = {absl::StrCat("last/", verb)};
    return t;
  }

  absl::StatusOr<std::optional<Retention>> RetentionDue(
      absl::string_view state) const override {
    const size_t at = state.rfind("retain:");
    if (at == absl::string_view::npos) return std::nullopt;
    int day = 0;
    const absl::string_view rest = state.substr(at + 7);
    if (!absl::SimpleAtoi(rest.substr(0, rest.find_first_of(" |")), &day)) {
      return absl::DataLossError("retain:<day> needs a day");
    }
    return Retention{Day(day), "the fake's retain word", "fake-1"};
  }

  std::string StatisticsTimeZone() const override {
    return statistics_time_zone;
  }
  std::string statistics_time_zone = "UTC";

  std::vector<StatisticKey> Classify(
      absl::string_view state_before, absl::string_view /*state_after*/,
      const returnpath::v1::EventEnvelope& event,
      const EventLookup& /*log*/) const override {
    std::vector<StatisticKey> keys;
    returnpath::v1::TimerFired fired;
    if (event.payload().UnpackTo(&fired)) {
      return {{"timer", fired.kind(), 1, std::nullopt}};
    }
    for (absl::string_view word :
         absl::StrSplit(TextOf(event), ' ', absl::SkipEmpty())) {
      std::vector<std::string> f = absl::StrSplit(word, ':');
      if (f[0] == "depart")
        keys.push_back({"departure", f[1], 1, std::nullopt});
      if (f[0] == "undepart") {
        const size_t at = state_before.rfind("depart:");
        if (at == absl::string_view::npos) continue;
        absl::string_view group = state_before.substr(at + 7);
        group = group.substr(0, group.find_first_of(" |"));
        keys.push_back({"departure", std::string(group), -1, Day(Num(f[1]))});
      }
    }
    return keys;
  }

 private:
  static int Num(absl::string_view s) {
    int n = 0;
    EXPECT_TRUE(absl::SimpleAtoi(s, &n)) << s;
    return n;
  }

  static absl::Status Run(absl::string_view text,
                          const returnpath::v1::EventEnvelope& event,
                          Transition* t) {
    for (absl::string_view word :
         absl::StrSplit(text, ' ', absl::SkipEmpty())) {
      std::vector<std::string> f = absl::StrSplit(word, ':');
      if (f[0] == "fail") {
        return absl::FailedPreconditionError("the fake refuses this event");
      } else if (f[0] == "arm") {
        t->timers_to_arm.push_back({f[1], "deadline", Day(Num(f[2])), "p"});
      } else if (f[0] == "armbad") {
        t->timers_to_arm.push_back({f[1], "bad", Day(Num(f[2])), ""});
      } else if (f[0] == "armopen") {
        t->timers_to_arm.push_back(
            {f[1], "open", Day(Num(f[2])),
             absl::StrCat("open:", f[3], ":", f[4], ":100:", f[2])});
      } else if (f[0] == "cancel") {
        t->timers_to_cancel.push_back(f[1]);
      } else if (f[0] == "open" || f[0] == "update" || f[0] == "pause" ||
                 f[0] == "openpaused") {
        TaskSpec spec;
        spec.id = f[1];
        spec.queue = f[2];
        spec.priority = Num(f[3]);
        spec.due = Day(Num(f[4]));
        spec.kind = "visit";
        spec.title = absl::StrCat("Visit for ", event.stream_id());
        spec.rule = "fake_rule";
        spec.caused_by_versions = {event.stream_version()};
        if (f[0] == "pause" || f[0] == "openpaused") {
          spec.paused_since = FromTimestamp(event.effective_time());
        }
        const bool opens = f[0] == "open" || f[0] == "openpaused";
        (opens ? t->tasks_to_open : t->tasks_to_update)
            .push_back(std::move(spec));
      } else if (f[0] == "close") {
        t->tasks_to_close.push_back(f[1]);
      } else if (f[0] == "complete") {
        t->tasks_to_complete.push_back({f[1], f[2]});
      } else if (f[0] == "to" || f[0] == "tov") {
        RelatedEvent related;
        related.stream_id = f[1];
        size_t text_from = 2;
        if (f[0] == "tov") related.expected_version = Num(f[text_from++]);
        std::vector<std::string> rest(f.begin() + text_from, f.end());
        related.effective_time = FromTimestamp(event.effective_time());
        related.payload =
            Text(absl::StrReplaceAll(absl::StrJoin(rest, ":"), {{",", " "}}));
        t->related_events.push_back(std::move(related));
      }
    }
    return absl::OkStatus();
  }
};

// A store over a temp dir with the fake workflow and a manual clock that
// starts on Day(1). Reopen() closes and opens it again, as a restart does.
class RuntimeTest : public ::testing::Test {
 protected:
  RuntimeTest() : clock_(Day(1)) { Open(); }

  void Open() {
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    options.workflow = &workflow_;
    options.sync = false;
    options.on_append = on_append_;
    absl::StatusOr<std::unique_ptr<EventStore>> store =
        EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void Reopen() {
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    Open();
  }

  // Appends one event with `text` effective at `effective`.
  AppendResult Append(const std::string& stream, const std::string& text,
                      absl::Time effective = Day(1)) {
    AppendRequest request = Req(stream, {text});
    request.events[0].effective_time = effective;
    absl::StatusOr<AppendResult> result = store_->Append(std::move(request));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : AppendResult{};
  }

  std::vector<returnpath::v1::EventEnvelope> Events(const std::string& stream) {
    absl::StatusOr<std::vector<returnpath::v1::EventEnvelope>> events =
        store_->ReadStream(stream, 1, 100000);
    return events.ok() ? *events : std::vector<returnpath::v1::EventEnvelope>{};
  }

  // How many TimerFired events the stream has for `timer_id`.
  int Fired(const std::string& stream, const std::string& timer_id) {
    int n = 0;
    for (const auto& event : Events(stream)) {
      returnpath::v1::TimerFired fired;
      if (event.payload().UnpackTo(&fired) && fired.timer_id() == timer_id) ++n;
    }
    return n;
  }

  TempDir dir_;
  ManualClock clock_;
  FakeWorkflow workflow_;
  AppendObserver on_append_;  // set before Reopen()
  std::unique_ptr<EventStore> store_;
};

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_RUNTIME_TEST_UTIL_H_
