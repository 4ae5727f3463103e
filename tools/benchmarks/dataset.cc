#include "tools/benchmarks/dataset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/status_macros.h"
#include "engine/timer_loop.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/pathway_store.h"
#include "tools/benchmarks/pipeline.h"
#include "tools/benchmarks/population.h"
#include "tools/benchmarks/state_sizes.h"
#include "tools/benchmarks/write_cost.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::bench {
namespace {

namespace fs = std::filesystem;

constexpr char kHistoryPrefix[] = "SYN-P";
constexpr char kSurgePrefix[] = "SYN-S";
constexpr size_t kWindow = 4096;
// Armed timers a surge person leaves (escalations, deadline, review).
constexpr double kTimersPerSurgePerson = 4.5;
constexpr int kSurgeDays = 7;

std::string DatasetDir(const DatasetSpec& spec) {
  return absl::StrCat(absl::GetFlag(FLAGS_cache_dir), "/", spec.name);
}

std::string ManifestPath(const std::string& dir) {
  return absl::StrCat(dir, "/manifest.json");
}

std::string ProgressPath(const std::string& dir) {
  return absl::StrCat(dir, "/progress.json");
}

// Days between progress checkpoints (and every surge day).
constexpr int kCheckpointDays = 30;

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

// Records the data set day by day. Not thread-safe.
class Generator {
 public:
  // `progress`: where a stopped generation of the same store left off;
  // checkpoints go to `progress_path` (empty: none). `on_append` is told of
  // every append.
  Generator(const DatasetSpec& spec, std::string store_path,
            std::string progress_path, std::optional<DatasetProgress> progress,
            engine::AppendObserver on_append = nullptr)
      : spec_(spec),
        store_path_(std::move(store_path)),
        progress_path_(std::move(progress_path)),
        on_append_(std::move(on_append)),
        clock_(At(spec.first_day, 12)),
        progress_(std::move(progress)) {}

  absl::StatusOr<Dataset> Run() {
    // sync=false: the load is not what is measured.
    RP_ASSIGN_OR_RETURN(pathway_, OpenPathwayStore(store_path_, &clock_,
                                                   /*sync=*/false, on_append_));
    pipeline_ = std::make_unique<AppendPipeline>(pathway_.store.get(), kWindow);
    const absl::CivilDay surge_start = spec_.last_day - (kSurgeDays - 1);
    absl::CivilDay first = spec_.first_day;
    if (progress_.has_value()) {
      RP_ASSIGN_OR_RETURN(first, Resume());
    }
    start_ = absl::Now();
    for (absl::CivilDay day = first; day <= spec_.last_day; ++day) {
      RP_RETURN_IF_ERROR(AdvanceTo(day));
      if (day == surge_start) {
        RP_ASSIGN_OR_RETURN(surge_per_day_, SurgePerDay());
      }
      RecordHistoryDay(day);
      if (day >= surge_start) RecordSurge(day, surge_per_day_);
      pipeline_->Drain();
      if ((day - spec_.first_day) % 365 == 0 || day == spec_.last_day) {
        Progress(day);
      }
      if ((day - spec_.first_day) % kCheckpointDays == 0 ||
          day >= surge_start) {
        RP_RETURN_IF_ERROR(Checkpoint(day));
      }
    }
    // Top up on the last day if the surge fell short of either minimum.
    for (;;) {
      RP_ASSIGN_OR_RETURN(pending_timers_, Count(engine::Table::kTimers));
      const uint64_t events = pathway_.store->LastPosition();
      if (pending_timers_ >= spec_.min_pending_timers &&
          events >= spec_.min_events) {
        break;
      }
      uint64_t more = 1000;
      if (pending_timers_ < spec_.min_pending_timers) {
        more = std::max<uint64_t>(more,
                                  (spec_.min_pending_timers - pending_timers_) /
                                          kTimersPerSurgePerson +
                                      1);
      }
      if (events < spec_.min_events) {
        more = std::max<uint64_t>(more, (spec_.min_events - events) / 3 + 1);
      }
      RecordSurge(spec_.last_day, more);
      pipeline_->Drain();
      Progress(spec_.last_day);
    }
    Dataset out;
    out.set_name(spec_.name);
    out.set_state_schema(pathway_.workflow->StateSchema());
    out.set_load_seconds(earlier_seconds_ +
                         absl::ToDoubleSeconds(absl::Now() - start_));
    out.set_resumed(resumed_);
    out.set_events(pathway_.store->LastPosition());
    out.set_persons(next_person_ - 1 + next_surge_ - 1);
    out.set_surge_persons(next_surge_ - 1);
    out.set_pending_timers(pending_timers_);
    RP_ASSIGN_OR_RETURN(uint64_t ready, Count(engine::Table::kTaskReady));
    out.set_open_tasks(ready);
    out.set_refused(pipeline_->refused());
    for (const std::string& r : pipeline_->first_refusals())
      out.add_refusals(r);
    out.set_first_day(Day(spec_.first_day));
    out.set_last_day(Day(spec_.last_day));
    out.set_now(absl::FormatTime(absl::RFC3339_full, clock_.Now(),
                                 absl::UTCTimeZone()));
    out.set_timer_fired(fired_);
    RP_RETURN_IF_ERROR(pathway_.store->Close());
    return out;
  }

 private:
  // Restores what the stopped run had reached and plans the persons it had
  // registered again (plans are deterministic in the person's number).
  // Returns the first day to record.
  absl::StatusOr<absl::CivilDay> Resume() {
    absl::CivilDay done;
    if (!absl::ParseCivilTime(progress_->day_done(), &done) ||
        done < spec_.first_day || done > spec_.last_day) {
      return absl::DataLossError(absl::StrCat("progress.json: day_done \"",
                                              progress_->day_done(),
                                              "\" is not a day "
                                              "of the data set"));
    }
    fired_ = progress_->timer_fired();
    surge_per_day_ = progress_->surge_per_day();
    next_surge_ = std::max<uint64_t>(1, progress_->next_surge());
    earlier_seconds_ = progress_->load_seconds();
    resumed_ = progress_->resumed() + 1;
    const size_t days = static_cast<size_t>(done - spec_.first_day) + 1;
    schedule_.resize(days);
    for (size_t d = 0; d < days; ++d) {
      for (int i = 0; i < spec_.arrivals_per_day; ++i) {
        Plan(next_person_++, d, /*from=*/days);
      }
    }
    std::printf(
        "dataset %s: resuming after %s (%llu events stored)\n",
        spec_.name.c_str(), Day(done).c_str(),
        static_cast<unsigned long long>(pathway_.store->LastPosition()));
    std::fflush(stdout);
    return done + 1;
  }

  // Records where the generation stands, once `day` is recorded.
  absl::Status Checkpoint(absl::CivilDay day) {
    if (progress_path_.empty()) return absl::OkStatus();
    // sync=false: make the log durable before the checkpoint names it.
    RP_RETURN_IF_ERROR(pathway_.store->SyncLog());
    DatasetProgress p;
    p.set_day_done(Day(day));
    p.set_timer_fired(fired_);
    p.set_surge_per_day(surge_per_day_);
    p.set_next_surge(next_surge_);
    p.set_load_seconds(earlier_seconds_ +
                       absl::ToDoubleSeconds(absl::Now() - start_));
    p.set_resumed(resumed_);
    return WriteJsonFile(progress_path_, p);
  }

  // Registers person `number` on day index `registered` and schedules its
  // planned events from day index `from` on.
  void Plan(uint32_t number, size_t registered, size_t from) {
    registered_.push_back(static_cast<int32_t>(registered));
    const absl::CivilDay day = spec_.first_day + registered;
    const Person person = MakePerson(kHistoryPrefix, number, day);
    std::mt19937_64 rng(number);
    for (const Planned& p : PlanPathway(person, rng)) {
      const size_t at = registered + static_cast<size_t>(p.days);
      if (day + p.days > spec_.last_day) break;
      if (at < from) continue;
      if (schedule_.size() <= at) schedule_.resize(at + 1);
      schedule_[at].push_back({number, p.ev});
    }
  }

  // Fires whatever falls due by `day` 12:00. The timer loop runs only for
  // this: a running loop rescans the timers from the start on every commit,
  // past every fired timer's tombstone (reported in docs/benchmarks.md), which
  // would dominate the load.
  absl::Status AdvanceTo(absl::CivilDay day) {
    if ((day - spec_.first_day) % 7 == 0) RP_RETURN_IF_ERROR(CompactTimers());
    clock_.SetTime(At(day, 12));
    RP_ASSIGN_OR_RETURN(
        std::unique_ptr<engine::TimerLoop> timers,
        engine::TimerLoop::Start(pathway_.store.get(), &clock_));
    absl::Status idle = timers->WaitIdle(absl::Minutes(30));
    timers->Stop();
    fired_ += timers->stats().fired;
    return idle;
  }

  // Drops the fired timers' tombstones, which every timer round would
  // otherwise step over from the start of the column family.
  absl::Status CompactTimers() {
    RP_RETURN_IF_ERROR(pathway_.store->Compact(engine::Table::kTimers));
    return pathway_.store->Compact(engine::Table::kTimerIds);
  }

  absl::StatusOr<uint64_t> Count(engine::Table table) {
    RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::StoreView> view,
                        pathway_.store->Snapshot());
    uint64_t n = 0;
    RP_RETURN_IF_ERROR(
        view->Scan(table, "", "",
                          [&n](absl::string_view key, absl::string_view) {
                            // task_ready also holds the queue's hints, keyed
                            // from '\0'.
                            if (!key.empty() && key[0] != '\0') ++n;
                            return true;
                          }));
    return n;
  }

  absl::StatusOr<uint64_t> SurgePerDay() {
    RP_ASSIGN_OR_RETURN(uint64_t pending, Count(engine::Table::kTimers));
    const uint64_t events = pathway_.store->LastPosition();
    uint64_t persons = 0;
    if (pending < spec_.min_pending_timers) {
      persons = static_cast<uint64_t>((spec_.min_pending_timers - pending) /
                                      kTimersPerSurgePerson);
    }
    if (events < spec_.min_events) {
      persons = std::max<uint64_t>(persons, (spec_.min_events - events) / 3);
    }
    std::printf(
        "dataset %s: %llu events and %llu armed timers before the "
        "surge; %llu surge persons\n",
        spec_.name.c_str(), static_cast<unsigned long long>(events),
        static_cast<unsigned long long>(pending),
        static_cast<unsigned long long>(persons));
    return persons / kSurgeDays;
  }

  // New arrivals are planned; today's events of everyone are recorded.
  void RecordHistoryDay(absl::CivilDay day) {
    const size_t today = static_cast<size_t>(day - spec_.first_day);
    if (schedule_.size() <= today) schedule_.resize(today + 1);
    for (int i = 0; i < spec_.arrivals_per_day; ++i) {
      Plan(next_person_++, today, /*from=*/today);
    }
    for (const Item& item : schedule_[today]) {
      const absl::CivilDay registered =
          spec_.first_day + registered_[item.person - 1];
      const Person person = MakePerson(kHistoryPrefix, item.person, registered);
      Record(person, item.ev, day);
    }
    std::vector<Item>().swap(schedule_[today]);
  }

  // Surge persons: registered, rejected and appealed without deferred
  // implementation on one day, so each leaves its final rejection's timers.
  void RecordSurge(absl::CivilDay day, uint64_t persons) {
    for (uint64_t i = 0; i < persons; ++i) {
      const Person person = MakePerson(kSurgePrefix, next_surge_++, day);
      for (Ev ev :
           {Ev::kRegistered, Ev::kFirstRejection, Ev::kAppealNotDeferred}) {
        Record(person, ev, day);
      }
    }
  }

  void Record(const Person& person, Ev ev, absl::CivilDay day) {
    engine::AppendRequest request;
    request.stream_id = person.id;
    request.idempotency_key =
        absl::StrCat(person.id, "/", static_cast<int>(ev));
    request.principal = "synthetic:load";
    request.correlation_id = "synthetic-dataset";
    request.events.push_back({At(day, 10), Payload(ev, person)});
    pipeline_->Submit(std::move(request));
  }

  void Progress(absl::CivilDay day) {
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    const uint64_t events = pathway_.store->LastPosition();
    std::printf(
        "dataset %s: %s  %llu events (%llu fired timers)  %.0f s  "
        "%.0f events/s\n",
        spec_.name.c_str(), Day(day).c_str(),
        static_cast<unsigned long long>(events),
        static_cast<unsigned long long>(fired_), seconds,
        static_cast<double>(events) / seconds);
    std::fflush(stdout);
  }

  struct Item {
    uint32_t person;
    Ev ev;
  };

  const DatasetSpec spec_;
  const std::string store_path_;
  const std::string progress_path_;
  const engine::AppendObserver on_append_;
  engine::ManualClock clock_;
  PathwayStore pathway_;
  std::unique_ptr<AppendPipeline> pipeline_;
  std::vector<std::vector<Item>> schedule_;  // by day since first_day
  std::vector<int32_t> registered_;          // by person number - 1
  uint32_t next_person_ = 1;
  uint64_t next_surge_ = 1;
  uint64_t pending_timers_ = 0;
  uint64_t fired_ = 0;
  uint64_t surge_per_day_ = 0;
  std::optional<DatasetProgress> progress_;
  absl::Time start_;
  double earlier_seconds_ = 0;  // spent by the runs this one resumes
  uint32_t resumed_ = 0;
};

// The state schema of the workflow the suites run (--policy_dir).
absl::StatusOr<std::string> CurrentStateSchema() {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::Workflow> workflow,
                      return_pathway::NewReturnPathwayWorkflow(
                          absl::GetFlag(FLAGS_policy_dir)));
  return workflow->StateSchema();
}

uint64_t DiskBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

std::string GitOutput(const std::vector<std::string>& argv) {
  absl::StatusOr<std::string> out = RunProgram(argv);
  return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "?";
}

}  // namespace

std::string CodeVersion() {
  const std::string status =
      GitOutput({"git", "status", "--porcelain", "--", "engine", "workflows"});
  const size_t changes = status.empty() || status == "?"
                             ? 0
                             : static_cast<size_t>(std::count(
                                   status.begin(), status.end(), '\n')) +
                                   1;
  return absl::StrCat(
      GitOutput({"git", "rev-parse", "--short", "HEAD"}),
      " engine:", GitOutput({"git", "rev-parse", "--short", "HEAD:engine"}),
      " workflows:",
      GitOutput({"git", "rev-parse", "--short", "HEAD:workflows"}),
      " uncommitted:", changes);
}

std::string CodeVersionNote(const Dataset& dataset) {
  const std::string now = CodeVersion();
  if (now == dataset.code_version()) return "";
  return absl::StrCat("The data set was recorded by code ",
                      dataset.code_version(), "; this run is ", now,
                      ". Its log is replayed and extended by the current "
                      "engine and workflow.");
}

DatasetSpec StandardDataset(bool quick) {
  DatasetSpec spec;
  if (quick) {
    spec.name = "quick-v1";
    spec.min_events = 300'000;
    spec.min_pending_timers = 150'000;
    spec.first_day = absl::CivilDay(2025, 1, 6);
    spec.last_day = absl::CivilDay(2026, 11, 30);
    spec.arrivals_per_day = 20;
  } else {
    spec.name = "full-v1";
    spec.min_events = 20'000'000;
    spec.min_pending_timers = 10'000'000;
    spec.first_day = absl::CivilDay(2012, 1, 2);
    spec.last_day = absl::CivilDay(2026, 11, 30);
    spec.arrivals_per_day = 200;
  }
  return spec;
}

std::string DatasetDataDir(const DatasetSpec& spec) {
  return fs::absolute(absl::StrCat(DatasetDir(spec), "/data")).string();
}

namespace {

absl::StatusOr<Dataset> ReadManifest(const DatasetSpec& spec) {
  const std::string path = ManifestPath(DatasetDir(spec));
  if (!fs::exists(path)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data set ", spec.name, " is not generated (run bench_dataset)"));
  }
  return ReadJsonFile<Dataset>(path);
}

}  // namespace

absl::StatusOr<Dataset> LoadDataset(const DatasetSpec& spec) {
  RP_ASSIGN_OR_RETURN(Dataset dataset, ReadManifest(spec));
  if (!dataset.flushed()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data set ", spec.name, " is not finished (run bench_dataset)"));
  }
  // States of another schema would make every firing and append fail.
  RP_ASSIGN_OR_RETURN(std::string schema, CurrentStateSchema());
  if (dataset.state_schema() != schema) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data set ", spec.name, " holds states of schema \"",
        dataset.state_schema(), "\", the workflow keeps \"", schema,
        "\" (run bench_dataset, or tools/bench, to generate it again)"));
  }
  return dataset;
}

absl::StatusOr<absl::Time> DatasetNow(const Dataset& dataset) {
  absl::Time now;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, dataset.now(), &now, &error)) {
    return absl::DataLossError(absl::StrCat("manifest now: ", error));
  }
  return now;
}

std::string DatasetAsLeftStore(const DatasetSpec& spec) {
  return fs::absolute(absl::StrCat(DatasetDir(spec), "/as-left/store"))
      .string();
}

namespace {

absl::Status WriteManifest(const std::string& dir, const Dataset& dataset) {
  return WriteJsonFile(ManifestPath(dir), dataset);
}

// Moves the store as the engine left it to as-left/, and makes data/store a
// linked copy whose write-ahead log is replayed and every column family
// flushed.
absl::Status KeepAsLeftAndFlush(const DatasetSpec& spec, Dataset* dataset) {
  const std::string data_store = DatasetDataDir(spec) + "/store";
  const std::string as_left = DatasetAsLeftStore(spec);
  std::error_code error;
  if (!fs::exists(as_left)) {
    fs::create_directories(fs::path(as_left).parent_path(), error);
    fs::rename(data_store, as_left, error);
    if (error)
      return absl::InternalError(absl::StrCat("cannot move ", data_store));
  }
  fs::remove_all(data_store, error);
  RP_RETURN_IF_ERROR(LinkCopyStore(as_left, data_store));
  std::printf(
      "dataset %s: replaying the kept log (%llu MiB) into a flushed "
      "copy\n",
      spec.name.c_str(),
      static_cast<unsigned long long>(WalBytes(as_left) >> 20));
  std::fflush(stdout);
  RP_ASSIGN_OR_RETURN(const absl::Time now, DatasetNow(*dataset));
  engine::ManualClock clock(now);  // the data set's time, as it was written
  engine::StoreOptions options;
  options.path = data_store;
  options.clock = &clock;
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::EventStore> copy,
                      engine::EventStore::Open(options));
  RP_RETURN_IF_ERROR(copy->Flush());
  RP_RETURN_IF_ERROR(copy->Close());
  dataset->set_flushed(true);
  dataset->set_wal_bytes_as_left(WalBytes(as_left));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Dataset> EnsureDataset(const DatasetSpec& spec) {
  const std::string dir = DatasetDir(spec);
  absl::StatusOr<Dataset> cached = ReadManifest(spec);
  if (cached.ok()) {
    RP_ASSIGN_OR_RETURN(std::string schema, CurrentStateSchema());
    if (cached->state_schema() != schema) {
      std::printf(
          "dataset %s: its states were written under state schema \"%s\"; "
          "the workflow keeps \"%s\": generating it again\n",
          spec.name.c_str(), cached->state_schema().c_str(), schema.c_str());
      std::fflush(stdout);
      cached = absl::NotFoundError("stale");
      std::error_code error;
      fs::remove_all(dir, error);
    }
  }
  if (cached.ok() && cached->flushed()) return cached;
  if (cached.ok()) {  // generated, not yet split into as-left/ and data/
    RP_RETURN_IF_ERROR(KeepAsLeftAndFlush(spec, &*cached));
    RP_RETURN_IF_ERROR(WriteManifest(dir, *cached));
    return cached;
  }
  const std::string store = absl::StrCat(DatasetDataDir(spec), "/store");
  std::optional<DatasetProgress> progress;
  if (fs::exists(store)) {
    absl::StatusOr<DatasetProgress> read =
        ReadJsonFile<DatasetProgress>(ProgressPath(dir));
    if (read.ok()) progress = *std::move(read);
  }
  if (!progress.has_value()) {  // nothing to resume: start afresh
    std::error_code error;
    fs::remove_all(dir, error);
    fs::create_directories(absl::StrCat(dir, "/data"), error);
  }
  RP_ASSIGN_OR_RETURN(
      Dataset dataset,
      Generator(spec, store, ProgressPath(dir), std::move(progress)).Run());
  dataset.set_disk_bytes(DiskBytes(dir));
  dataset.set_code_version(CodeVersion());
  RP_RETURN_IF_ERROR(WriteManifest(dir, dataset));
  std::error_code error;
  fs::remove(ProgressPath(dir), error);
  RP_RETURN_IF_ERROR(KeepAsLeftAndFlush(spec, &dataset));
  RP_RETURN_IF_ERROR(WriteManifest(dir, dataset));
  return dataset;
}

absl::StatusOr<std::string> MeasureWriteCost(const DatasetSpec& spec) {
  RP_ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::Make("write_cost"));
  WriteCostTally tally;
  RP_ASSIGN_OR_RETURN(Dataset dataset,
                      Generator(spec, scratch.path() + "/store", "",
                                std::nullopt, tally.Observer())
                          .Run());
  RP_ASSIGN_OR_RETURN(const absl::Time now, DatasetNow(dataset));
  engine::ManualClock clock(now);  // the data set's time, as it was written
  RP_ASSIGN_OR_RETURN(
      PathwayStore stored,
      OpenPathwayStore(scratch.path() + "/store", &clock, false));
  RP_ASSIGN_OR_RETURN(std::string states, StateSizeReport(*stored.store));
  RP_RETURN_IF_ERROR(stored.store->Close());
  return absl::StrCat(
      "write cost of ", dataset.name(), " (", dataset.events(), " events, ",
      dataset.persons(),
      " persons), per append by the kind of its first event; keys are puts "
      "and deletes, bytes are keys and values:\n",
      tally.Report(), states);
}

}  // namespace returnpath::bench
