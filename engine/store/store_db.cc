#include "store/store_db.h"

#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_manager.h"
#include "rocksdb/table.h"
#include "store/file_scope_errors.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

// One block cache for every column family (RocksDB's default is a small one
// per family).
constexpr size_t kBlockCacheBytes = size_t{512} << 20;

// Most reads are point lookups, many of keys that do not exist (idempotency
// keys, timers and tasks a transition closes): a bloom filter answers those
// without reading a block from every level.
rocksdb::ColumnFamilyOptions FamilyOptions(
    const rocksdb::Options& base,
    const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions family(base);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.format_version = 5;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  family.level_compaction_dynamic_level_bytes = true;
  return family;
}

// Leaves recovery from background errors to DB::Resume, called by the store
// (WriteGate), so that there is one way back, on the store's clock.
class ManualRecovery final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/,
                            rocksdb::Status /*bg_error*/,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

}  // namespace

std::string WithoutPaths(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const bool starts_path =
        text[i] == '/' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '(');
    if (!starts_path) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && text[end] != ' ' && text[end] != ':' &&
           text[end] != ')') {
      ++end;
    }
    absl::string_view path = text.substr(i, end - i);
    const size_t slash = path.find_last_of('/');
    absl::StrAppend(&out, path.substr(slash + 1));
    i = end;
  }
  return out;
}

absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message =
      absl::StrCat(what, ": ", WithoutPaths(status.ToString()));
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsBusy() || status.IsTimedOut() || status.IsTryAgain()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<std::unique_ptr<StoreDb>> StoreDb::Open(
    const std::string& path, std::shared_ptr<rocksdb::FileSystem> file_system,
    uint64_t reserved_bytes) {
  if (keys::ColumnFamilies().size() != kTableCount) {
    return absl::InternalError(
        "the column family list and the Table enum disagree");
  }
  if (file_system == nullptr) file_system = rocksdb::FileSystem::Default();
  file_system = WithFileScopeErrors(std::move(file_system));
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(file_system);
  rocksdb::Options options;
  options.env = env.get();
  options.sst_file_manager.reset(
      rocksdb::NewSstFileManager(env.get(), file_system));
  options.sst_file_manager->SetCompactionBufferSize(reserved_bytes);
  options.max_bgerror_resume_count = 0;
  auto listener = std::make_shared<ManualRecovery>();
  options.listeners.push_back(listener);
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.paranoid_checks = true;
  // Group commit already batches; keep RocksDB's own write path simple.
  options.enable_pipelined_write = false;
  // RocksDB keeps a log file until every column family with data in it has
  // flushed, so rarely written families let the log grow to gigabytes, all
  // replayed at the next open (8.5 s for 735 MiB measured). Past this size
  // the oldest families are flushed, which bounds the replay. 128 MiB left
  // 113 MiB to replay on the 20M-event data set (2.9 s, over the 2 s target);
  // 64 MiB leaves 29 MiB on the quick set (0.33 s instead of 1.0 s) for no
  // measured write cost (docs/benchmarks.md).
  options.max_total_wal_size = uint64_t{64} << 20;
  // The MANIFEST logs every table file's first and last keys, and keys may
  // name what an erasure removes (an index key holds a centre). Past this
  // size each change of the file set starts a new MANIFEST holding only the
  // live files: with 1 byte, every flush and compaction does, so once an
  // erasure's compactions are done no MANIFEST remembers the old files
  // (docs/privacy.md). A snapshot of the live files costs tens of KiB.
  options.max_manifest_file_size = 1;

  const std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(kBlockCacheBytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           FamilyOptions(options, cache));
  for (const std::string& name : keys::ColumnFamilies()) {
    descriptors.emplace_back(name, FamilyOptions(options, cache));
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(options), path,
                                        descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", path));

  auto store = std::unique_ptr<StoreDb>(new StoreDb());
  store->env_ = std::move(env);
  store->listener_ = std::move(listener);
  store->db_.reset(raw);
  // handles[0] is `default`, which the store does not use.
  s = raw->DestroyColumnFamilyHandle(handles[0]);
  store->handles_.assign(handles.begin() + 1, handles.end());
  if (!s.ok()) return FromRocks(s, "releasing the default column family");
  return store;
}

StoreDb::~StoreDb() { Close().IgnoreError(); }

absl::StatusOr<std::string> StoreDb::Get(
    Table table, absl::string_view key,
    const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db_->Get(ro, cf(table), ToSlice(key), &value);
  if (s.IsNotFound()) return absl::NotFoundError("not found");
  if (!s.ok()) return FromRocks(s, "reading");
  return value;
}

absl::Status StoreDb::Close() {
  if (db_ == nullptr) return absl::OkStatus();
  absl::Status result;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    result.Update(FromRocks(db_->DestroyColumnFamilyHandle(handle),
                            "releasing a column family"));
  }
  handles_.clear();
  result.Update(FromRocks(db_->Close(), "closing the database"));
  db_.reset();
  return result;
}

}  // namespace returnpath::engine
