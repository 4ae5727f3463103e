// Append throughput with sync=true at 1, 16 and 64 concurrent callers.
//
//   event_store_bench [--store_dir=DIR] [benchmark flags]
//
// The store lives in a fresh directory under DIR (default $TMPDIR or /tmp),
// removed at exit; put DIR on the disk you mean to measure. Each caller
// appends one event (about 200 payload bytes) to its own stream and waits
// until it is durable. "events/s" counts events over wall time, all callers
// together; "events/commit" is the mean group size seen by caller 0.

#include <stdlib.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "google/protobuf/wrappers.pb.h"

namespace returnpath::engine {
namespace {

EventStore* g_store = nullptr;
std::atomic<uint64_t> g_commits{0};

AppendRequest MakeRequest(int thread, uint64_t n) {
  google::protobuf::StringValue text;
  text.set_value(std::string(200, 'x'));
  AppendRequest request;
  request.stream_id = absl::StrCat("bench-", thread);
  request.principal = "bench";
  request.correlation_id = absl::StrCat("c-", thread, "-", n);
  request.events.push_back({absl::Now(), {}});
  request.events[0].payload.PackFrom(text);
  return request;
}

void BM_Append(benchmark::State& state) {
  const uint64_t commits_before = g_commits.load();
  const uint64_t position_before = g_store->LastPosition();
  uint64_t n = 0;
  for (auto _ : state) {
    absl::StatusOr<AppendResult> r =
        g_store->Append(MakeRequest(state.thread_index(), n++));
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
  }
  state.counters["events/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    uint64_t commits = g_commits.load() - commits_before;
    uint64_t events = g_store->LastPosition() - position_before;
    state.counters["events/commit"] =
        commits == 0 ? 0.0 : static_cast<double>(events) / commits;
  }
}
BENCHMARK(BM_Append)->Threads(1)->Threads(16)->Threads(64)->UseRealTime();

}  // namespace
}  // namespace returnpath::engine

int main(int argc, char** argv) {
  using returnpath::engine::EventStore;
  std::string base;
  if (const char* tmp = getenv("TMPDIR")) base = tmp;
  if (base.empty()) base = "/tmp";
  // Take --store_dir out of argv before the benchmark library parses it.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    constexpr char kFlag[] = "--store_dir=";
    if (strncmp(argv[i], kFlag, sizeof(kFlag) - 1) == 0) {
      base = argv[i] + sizeof(kFlag) - 1;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);

  std::string tmpl = base + "/event_store_bench.XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    fprintf(stderr, "cannot create a directory under %s\n", base.c_str());
    return 1;
  }
  auto clock = returnpath::engine::NewSystemClock();
  returnpath::engine::StoreOptions options;
  options.path = tmpl;
  options.clock = clock.get();
  options.sync = true;
  auto store = EventStore::Open(options);
  if (!store.ok()) {
    fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  (*store)->AddCommitListener(
      [](uint64_t) { returnpath::engine::g_commits.fetch_add(1); });
  returnpath::engine::g_store = store->get();
  fprintf(stderr, "store: %s\n", tmpl.c_str());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  store->reset();
  std::filesystem::remove_all(tmpl);
  return 0;
}
