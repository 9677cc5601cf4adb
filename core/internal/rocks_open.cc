#include "core/internal/rocks_open.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "core/internal/rocks_info_log.h"

namespace backpack::rocks {
namespace {

// One block cache for every family of every store in the process.
std::shared_ptr<rocksdb::Cache> SharedBlockCache() {
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(256ull << 20);
  return cache;
}

// The prefix of a key in a sequenced family (StoreOptions): all but its
// last 8 bytes, the number that grows within the group.
class SequenceGroup final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "backpack.SequenceGroup"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 8; }
};

}  // namespace

size_t BlockCacheUsage() { return SharedBlockCache()->GetUsage(); }

// Bloom filters let a point read skip every file that cannot hold the key:
// projections look up keys that usually do not exist yet (a new note id, a
// first read of a student), which without filters searches each level.
rocksdb::ColumnFamilyOptions FamilyOptions(std::string_view name, const StoreOptions& store) {
  rocksdb::ColumnFamilyOptions options;
  const auto& sequenced = store.sequenced_families;
  if (std::find(sequenced.begin(), sequenced.end(), name) != sequenced.end()) {
    static const auto group = std::make_shared<const SequenceGroup>();
    options.memtable_insert_with_hint_prefix_extractor = group;
  }
  options.compression = rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = SharedBlockCache();
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return OkStatus();
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFoundError(message);
  if (s.IsCorruption()) return DataLossError(message);
  if (s.IsIOError() || s.IsNoSpace() || s.IsBusy() || s.IsTimedOut() || s.IsAborted()) {
    return UnavailableError(message);
  }
  if (s.IsInvalidArgument()) return InvalidArgumentError(message);
  return UnavailableError(message);
}

namespace {

// A read-only open beside a writer (`verify` or `checkpoint` beside a
// running server) can find a table file that the manifest it read still
// named already deleted by the writer's compaction. Opening again reads the
// manifest again, which names the files that replaced it.
constexpr int kReadOnlyOpenAttempts = 5;

bool FileVanished(const rocksdb::Status& s) {
  return !s.ok() && s.ToString().find("No such file or directory") != std::string::npos;
}

// The database options of every store. Creates `dir` first if the store may
// be created there, so that the info log has a directory to write to.
rocksdb::DBOptions DbOptionsFor(const std::string& dir, const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  if (options.test_env) db_options.env = options.test_env->env.get();
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  // Table files are opened on the opening thread. With more, RocksDB starts
  // helper threads without handling a failed start: under a tight `ulimit
  // -v` (no room for a 16th stack) the process ended in std::terminate
  // instead of the open failing.
  db_options.max_file_opening_threads = 1;
  // Flush the families that pin the oldest write-ahead log once the logs
  // pass 256 MiB; otherwise (about 30 families x 64 MiB memtables) gigabytes
  // of log could pile up and be replayed at every open.
  db_options.max_total_wal_size = 256ull << 20;
  db_options.WAL_ttl_seconds = 0;
  db_options.WAL_size_limit_MB = 0;
  // RocksDB's own LOG writer aborts on the line after a failed write (a full
  // disk); this one drops what it cannot write.
  std::error_code ec;
  if (options.create_if_missing && !options.read_only) std::filesystem::create_directories(dir, ec);
  db_options.info_log = NewInfoLog(dir);
  return db_options;
}

// The families to open: every one the database in `dir` has, then those
// `options` and `extra_families` want that it lacks (kNotFound for one
// lacking if read-only, as nothing can be created then).
Result<std::vector<rocksdb::ColumnFamilyDescriptor>> FamiliesToOpen(
    const rocksdb::DBOptions& db_options, const std::string& dir, const StoreOptions& options,
    const std::vector<std::string>& extra_families) {
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, dir, &names);
  if (!listed.ok()) names = {rocksdb::kDefaultColumnFamilyName};
  std::vector<std::string> wanted = options.column_families;
  wanted.insert(wanted.end(), extra_families.begin(), extra_families.end());
  for (const auto& name : wanted) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      if (options.read_only) return Err(NotFoundError("store lacks column family " + name));
      names.push_back(name);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, FamilyOptions(name, options));
  return descriptors;
}

// Opens the database into `opened`, read-only if `options` say so; a
// read-only open is tried again while a table file vanishes under it
// (kReadOnlyOpenAttempts).
rocksdb::Status OpenDb(const rocksdb::DBOptions& db_options, const std::string& dir,
                       const StoreOptions& options,
                       const std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors,
                       OpenedDb& opened) {
  rocksdb::Status s;
  for (int attempt = 1;; ++attempt) {
    opened.handles.clear();
    s = options.read_only
            ? rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &opened.handles,
                                           &opened.db)
            : rocksdb::DB::Open(db_options, dir, descriptors, &opened.handles, &opened.db);
    if (!options.read_only || !FileVanished(s) || attempt == kReadOnlyOpenAttempts) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
  }
  return s;
}

}  // namespace

Result<OpenedDb> OpenRocks(const std::string& dir, const StoreOptions& options,
                           const std::vector<std::string>& extra_families) {
  const rocksdb::DBOptions db_options = DbOptionsFor(dir, options);
  ASSIGN_OR_RETURN(auto descriptors, FamiliesToOpen(db_options, dir, options, extra_families));
  OpenedDb opened;
  rocksdb::Status s = OpenDb(db_options, dir, options, descriptors, opened);
  if (s.IsIOError() && s.ToString().find("lock file") != std::string::npos) {
    // RocksDB's LOCK is held: say so rather than "Resource temporarily unavailable".
    return Err(UnavailableError("the store at " + dir +
                                " is in use by another process (a running `backpack serve`?)"));
  }
  RETURN_IF_ERROR(FromRocks(s, "open " + dir));
  return opened;
}

}  // namespace backpack::rocks
