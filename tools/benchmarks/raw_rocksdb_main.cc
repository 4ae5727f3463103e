// Suite 1: the raw RocksDB floor. One writer puts 300-byte values under
// 8-byte big-endian keys (as the event log does) in batches of 1, 16, 64 and
// 1,000, each batch one WriteBatch written with sync=true (one fdatasync).
// Default RocksDB options, as the engine's store uses them.

#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "tools/benchmarks/common.h"

namespace returnpath::bench {
namespace {

constexpr size_t kValueBytes = 300;
constexpr int kBatches[] = {1, 16, 64, 1000};

std::string Key(uint64_t n) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8) key[i] = static_cast<char>(n & 0xff);
  return key;
}

absl::Status Run(SuiteReport& report) {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const absl::Duration each = quick ? absl::Seconds(2) : absl::Seconds(8);
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("raw-rocksdb"));
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir.path() + "/db", &raw);
  if (!s.ok()) return absl::InternalError(s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const std::string value(kValueBytes, 'v');
  uint64_t next = 1;
  for (int batch : kBatches) {
    // A short warm-up, not measured.
    const absl::Time warm = absl::Now() + absl::Milliseconds(300);
    LatencySamples latency;
    uint64_t puts = 0;
    bool measuring = false;
    absl::Time start = absl::Now();
    for (;;) {
      const absl::Time now = absl::Now();
      if (!measuring && now >= warm) {
        measuring = true;
        start = now;
      }
      if (measuring && now - start >= each) break;
      rocksdb::WriteBatch wb;
      for (int i = 0; i < batch; ++i) wb.Put(Key(next++), value);
      const absl::Time t0 = absl::Now();
      s = db->Write(sync, &wb);
      if (!s.ok()) return absl::InternalError(s.ToString());
      if (measuring) {
        latency.Add(absl::Now() - t0);
        puts += batch;
      }
    }
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    const std::string name = absl::StrCat("batch ", batch);
    report.Add(absl::StrCat(name, " puts/s"), puts / seconds, "puts/s");
    report.Add(absl::StrCat(name, " writes/s"),
               static_cast<double>(latency.count()) / seconds, "writes/s");
    report.AddLatency(absl::StrCat(name, " write latency"),
                      latency.Summarize());
  }
  report.Note(absl::StrCat(
      "Single writer, closed loop, ", absl::FormatDuration(each),
      " per batch size after a 300 ms warm-up; each write is one WriteBatch "
      "with sync=true, so puts/s = batch size x fdatasyncs/s until the batch's "
      "bytes start to cost more than the sync."));
  return absl::OkStatus();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(argc, argv, 1, "Raw RocksDB floor",
                                      returnpath::bench::Run);
}
