#include "core/store.h"

#include <rocksdb/db.h>
#include <rocksdb/utilities/debug.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <type_traits>

#include "core/internal/disk_space.h"
#include "core/internal/ingest_epoch.h"
#include "core/internal/rocks_ingest.h"
#include "core/internal/rocks_open.h"
#include "core/internal/store_dir.h"

namespace backpack {
namespace {

using rocks::FamilyOptions;
using rocks::FromRocks;
using rocks::FromSlice;
using rocks::OpenedDb;
using rocks::OpenRocks;
using rocks::ToSlice;

using SnapshotPtr = std::shared_ptr<const rocksdb::Snapshot>;

// How far a ScanExtent::kWhole iterator reads ahead of itself.
constexpr size_t kWholeScanReadahead = 2u << 20;
// CountVersions stops counting here.
constexpr size_t kMaxCountedVersions = 16;

// CheckOpenSpace for the database in `dir` (which may not exist yet).
Status OpenSpaceCheck(const std::string& dir, uint64_t min_free_bytes, const std::string& advice) {
  if (min_free_bytes == 0) return OkStatus();
  auto free_bytes = disk_space::FreeBytes(dir);
  if (!free_bytes) return OkStatus();  // unknown: let RocksDB try
  return disk_space::CheckOpenSpace(*free_bytes, min_free_bytes, disk_space::WalBytes(dir), advice);
}

// Where IngestBatch writes its table files before they are moved into the
// database in `db_dir`, each call in a directory of its own; a crash may leave
// some there, which opening removes.
std::string IngestDirOf(const std::string& db_dir) { return db_dir + "/bulk-ingest"; }

// Holds the store's shared lock for its lifetime, so the database cannot be
// reopened under it, and the snapshot it reads at (if any).
class RocksIterator final : public StoreIterator {
 public:
  RocksIterator(std::shared_lock<std::shared_mutex> lock, SnapshotPtr snapshot,
                rocksdb::Iterator* it)
      : lock_(std::move(lock)), snapshot_(std::move(snapshot)), it_(it) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(ByteView key) override { it_->Seek(ToSlice(key)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  ByteView key() const override { return FromSlice(it_->key()); }
  ByteView value() const override { return FromSlice(it_->value()); }
  Status status() const override { return FromRocks(it_->status(), "iterator"); }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  SnapshotPtr snapshot_;
  std::unique_ptr<rocksdb::Iterator> it_;  // destroyed before snapshot_ and lock_
};

class RocksStore final : public Store {
 public:
  RocksStore(std::string path, StoreOptions options, OpenedDb opened)
      : path_(std::move(path)), options_(std::move(options)) {
    Adopt(opened);
  }

  ~RocksStore() override { CloseDb(); }

  Result<std::optional<Bytes>> Get(std::string_view family, ByteView key, ReadView view) override {
    std::shared_lock lock(families_mu_);
    ASSIGN_OR_RETURN(auto* handle, Handle(family));  // before KnownEmpty: kUnavailable if closed
    if (KnownEmpty(family)) return std::optional<Bytes>();
    rocksdb::PinnableSlice value;
    rocksdb::Status s = ReadAt(view, [&](const SnapshotPtr& snapshot) {
      rocksdb::ReadOptions read;
      read.snapshot = snapshot.get();
      return ingest_epoch_.Outside([&] {
        value.Reset();
        return db_->Get(read, handle, ToSlice(key), &value);
      });
    });
    if (s.IsNotFound()) return std::optional<Bytes>();
    RETURN_IF_ERROR(FromRocks(s, "read"));
    ByteView v = FromSlice(value);
    return std::optional<Bytes>(Bytes(v.begin(), v.end()));
  }

  Status Write(WriteBatch& batch, bool sync) override;
  Status WriteUnlogged(WriteBatch& batch) override;
  Status FlushUnlogged() override;
  Status SyncWal() override;

  Result<std::unique_ptr<StoreIterator>> NewIterator(std::string_view family, ReadView view,
                                                     ScanExtent extent) override {
    std::shared_lock lock(families_mu_);
    ASSIGN_OR_RETURN(auto* handle, Handle(family));
    SnapshotPtr snapshot;
    std::unique_ptr<rocksdb::Iterator> it = ReadAt(view, [&](const SnapshotPtr& at) {
      snapshot = at;
      rocksdb::ReadOptions read;
      read.snapshot = at.get();
      if (extent == ScanExtent::kWhole) {
        read.fill_cache = false;
        read.readahead_size = kWholeScanReadahead;
      }
      return ingest_epoch_.Outside(
          [&] { return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(read, handle)); });
    });
    return std::unique_ptr<StoreIterator>(
        new RocksIterator(std::move(lock), std::move(snapshot), it.release()));
  }

  Status EnsureColumnFamilies(const std::vector<std::string>& names) override {
    std::unique_lock lock(families_mu_);
    if (!db_) return ClosedError();
    std::vector<rocksdb::ColumnFamilyDescriptor> absent;
    for (const std::string& name : names) {
      const bool listed =
          std::any_of(absent.begin(), absent.end(), [&](const auto& d) { return d.name == name; });
      if (!families_.contains(name) && !listed) {
        absent.emplace_back(name, FamilyOptions(name, options_));
      }
    }
    if (absent.empty()) return OkStatus();
    std::vector<rocksdb::ColumnFamilyHandle*> created;
    RETURN_IF_ERROR(
        FromRocks(db_->CreateColumnFamilies(absent, &created), "create column families"));
    for (auto* handle : created) {
      families_[handle->GetName()] = handle;
      known_empty_[handle->GetName()] = true;
    }
    return OkStatus();
  }

  Status ResetColumnFamilies(const std::vector<std::string>& names) override {
    std::unique_lock lock(families_mu_);
    if (!db_) return ClosedError();
    std::vector<rocksdb::ColumnFamilyHandle*> existing;
    for (const auto& name : names) {
      auto it = families_.find(name);
      if (it != families_.end()) existing.push_back(it->second);
    }
    if (!existing.empty()) {
      RETURN_IF_ERROR(FromRocks(db_->DropColumnFamilies(existing), "drop column families"));
      for (auto* handle : existing) {
        families_.erase(handle->GetName());
        db_->DestroyColumnFamilyHandle(handle);
      }
    }
    std::vector<rocksdb::ColumnFamilyHandle*> created;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names) descriptors.emplace_back(name, FamilyOptions(name, options_));
    RETURN_IF_ERROR(
        FromRocks(db_->CreateColumnFamilies(descriptors, &created), "create column families"));
    for (auto* handle : created) {
      families_[handle->GetName()] = handle;
      known_empty_[handle->GetName()] = true;
    }
    return OkStatus();
  }

  std::vector<std::string> ColumnFamilyNames() const override {
    std::shared_lock lock(families_mu_);
    if (!db_) return closed_families_;
    std::vector<std::string> names;
    for (auto& [name, handle] : families_) names.push_back(name);
    return names;
  }

  Status FlushAndCompact(std::string_view name) override {
    std::shared_lock lock(families_mu_);
    ASSIGN_OR_RETURN(auto* handle, Handle(name));
    // Flushing every family lets RocksDB delete write-ahead log files that
    // still hold the deleted values.
    RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), AllHandles()), "flush"));
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    RETURN_IF_ERROR(FromRocks(db_->CompactRange(compact, handle, nullptr, nullptr), "compact"));
    return FromRocks(db_->FlushWAL(true), "flush wal");
  }

  Result<size_t> CountVersions(std::string_view name, ByteView key) override {
    std::shared_lock lock(families_mu_);
    ASSIGN_OR_RETURN(auto* handle, Handle(name));
    rocksdb::Slice slice(reinterpret_cast<const char*>(key.data()), key.size());
    std::vector<rocksdb::KeyVersion> versions;
    RETURN_IF_ERROR(FromRocks(
        rocksdb::GetAllKeyVersions(db_.get(), handle, slice, slice, kMaxCountedVersions, &versions),
        "count versions"));
    return versions.size();
  }

  Status Resume() override {
    std::unique_lock lock(families_mu_);
    return ReopenLocked();
  }

  Status CheckSpaceFor(const WriteBatch& batch) const override {
    return CheckSpaceFor(batch.ByteSize());
  }

  Status Writable() const override {
    {
      std::lock_guard lock(closed_mu_);
      if (closed_why_) return ClosedErrorLocked();
    }
    if (broken_) {
      return UnavailableError("a write to the store failed; the next write reopens it");
    }
    return CheckSpaceFor(0);
  }

  std::optional<uint64_t> FreeBytes() const override { return disk_space::FreeBytes(path_); }

  const std::string& path() const override { return path_; }

 private:
  // Requires families_mu_ held exclusively (or no other user yet).
  void Adopt(OpenedDb& opened) {
    db_.reset(opened.db);
    for (auto* h : opened.handles) {
      families_[h->GetName()] = h;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), h));
      it->SeekToFirst();
      known_empty_[h->GetName()] = !it->Valid() && it->status().ok();
    }
  }

  // Whether `family` has held nothing since it was found empty. Requires
  // families_mu_ held (shared or exclusive).
  bool KnownEmpty(std::string_view family) const {
    auto it = known_empty_.find(family);
    return it != known_empty_.end() && it->second.load(std::memory_order_acquire);
  }

  // Called before `batch` reaches the database, so that no reader can find a
  // family known empty once it holds anything. Requires families_mu_ held.
  void ForgetEmptiness(const WriteBatch& batch) {
    for (const std::string& family : batch.Families()) {
      auto it = known_empty_.find(family);
      if (it != known_empty_.end()) it->second.store(false, std::memory_order_release);
    }
  }

  // Runs `read` (a point read, or an iterator's creation) with the snapshot
  // `view` reads at, and returns what it returned. Null means "read the
  // latest": for kLatest, or for kDurable while no write waits for a sync.
  // RocksDB picks the latest state only once `read` runs, and an unsynced
  // write may begin in between, so a kDurable read of the latest state is
  // run again (at the snapshot pinned before that write) unless no unsynced
  // write began from before it to after it. Requires families_mu_ held.
  template <typename Read>
  std::invoke_result_t<const Read&, const SnapshotPtr&> ReadAt(ReadView view,
                                                               const Read& read) const {
    if (view == ReadView::kLatest) return read(SnapshotPtr());
    for (;;) {
      SnapshotPtr snapshot;
      uint64_t pins_before = 0;
      {
        std::lock_guard lock(durable_mu_);
        snapshot = durable_;
        pins_before = durable_pins_;
      }
      auto result = read(snapshot);
      if (snapshot) return result;
      std::lock_guard lock(durable_mu_);
      if (durable_pins_ == pins_before) return result;
    }
  }

  // Requires families_mu_ held (shared or exclusive).
  SnapshotPtr TakeSnapshot() {
    rocksdb::DB* db = db_.get();
    return SnapshotPtr(db->GetSnapshot(),
                       [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
  }

  // Pins kDurable reads to the current state before the first unsynced write
  // after a durable point. Requires write_mu_ and families_mu_ (shared).
  void PinDurableBeforeUnsyncedWrite() {
    std::lock_guard lock(durable_mu_);
    if (durable_) return;
    durable_ = TakeSnapshot();
    ++durable_pins_;
  }

  // Everything up to `synced` is durable now. Requires write_mu_ and families_mu_ (shared).
  void PublishDurable(const SnapshotPtr& synced) {
    std::lock_guard lock(durable_mu_);
    if (synced->GetSequenceNumber() == db_->GetLatestSequenceNumber()) {
      durable_ = nullptr;  // nothing unsynced: read the latest
    } else if (durable_ && durable_->GetSequenceNumber() < synced->GetSequenceNumber()) {
      durable_ = synced;
    }
  }

  // Closes the database, if open, remembering its families for the reopen.
  // Requires families_mu_ held exclusively (or no other user left).
  void CloseDb() {
    if (!db_) return;
    {
      std::lock_guard lock(durable_mu_);
      durable_ = nullptr;  // snapshots must go before the database
    }
    closed_families_.clear();
    for (auto& [name, handle] : families_) {
      closed_families_.push_back(name);
      db_->DestroyColumnFamilyHandle(handle);
    }
    families_.clear();
    known_empty_.clear();
    db_->Close().PermitUncheckedError();
    db_.reset();
  }

  // Closes and reopens the database: RocksDB cannot write again after a
  // write-ahead log error. Not DB::Resume(): a failed fsync leaves RocksDB no
  // background error, so it would go on appending to a log whose unsynced
  // pages the kernel may have dropped; opening replays what the files really
  // hold and flushes it into freshly synced table files. Nothing is closed
  // unless the disk has room for that replay. If opening fails the store
  // stays closed (every call kUnavailable) until a later call succeeds.
  // Requires families_mu_ held exclusively.
  Status ReopenLocked() {
    if (!broken_) return OkStatus();
    RETURN_IF_ERROR(
        OpenSpaceCheck(path_, options_.min_free_bytes, "the store reopens once space returns"));
    CloseDb();
    StoreOptions reopen = options_;
    reopen.create_if_missing = false;  // it exists: never create an empty one in its place
    auto opened = OpenRocks(path_, reopen, closed_families_);
    if (!opened) {
      std::lock_guard lock(closed_mu_);
      closed_why_ = opened.error().message();
      return ClosedErrorLocked();
    }
    Adopt(*opened);
    {
      std::lock_guard lock(closed_mu_);
      closed_why_.reset();
    }
    broken_ = false;
    return OkStatus();
  }

  Status ClosedError() const {
    std::lock_guard lock(closed_mu_);
    return ClosedErrorLocked();
  }
  // Requires closed_mu_ held.
  Status ClosedErrorLocked() const {
    return UnavailableError("the store is closed: reopening it failed (" +
                            closed_why_.value_or("") + "); the next write tries again");
  }

  Status CheckSpaceFor(uint64_t batch_bytes) const {
    if (options_.min_free_bytes == 0) return OkStatus();
    auto free_bytes = disk_space::FreeBytes(path_);
    if (!free_bytes) return OkStatus();  // unknown: let RocksDB try
    return disk_space::CheckWriteSpace(*free_bytes, options_.min_free_bytes, batch_bytes);
  }

  // `batch` bound to this database's handles, in key order. Requires
  // families_mu_ held (shared or exclusive).
  Result<rocksdb::WriteBatch> ToRocksBatch(const WriteBatch& batch) const;
  // Write and WriteUnlogged: applies `batch` with `options`, keeping kDurable
  // reads to what a sync (or a later SyncWal/FlushUnlogged) made durable.
  Status ApplyBatch(const WriteBatch& batch, const rocksdb::WriteOptions& options);
  // ApplyBatch for a bulk batch (StoreOptions::bulk_write_bytes): syncs the log (so
  // that no earlier write can be lost while this one survives), then ingests
  // the batch as table files. Durable and visible to kDurable reads on return.
  Status IngestBatch(const WriteBatch& batch);
  // IngestBatch, with the table files written under `dir`. Takes
  // families_mu_ (shared) and write_mu_.
  Status WriteAndIngest(const WriteBatch& batch, const std::string& dir);
  bool IsBulk(const WriteBatch& batch, const rocksdb::WriteOptions& options) const {
    uint64_t threshold =
        options.disableWAL ? options_.bulk_unlogged_bytes : options_.bulk_write_bytes;
    return threshold > 0 && batch.ByteSize() >= threshold;
  }
  // SyncWal and FlushUnlogged: syncs the log (after flushing every memtable
  // if `flush_memtables`) and publishes what that made durable.
  Status MakeDurable(bool flush_memtables);

  // Requires families_mu_ held (shared or exclusive).
  std::vector<rocksdb::ColumnFamilyHandle*> AllHandles() const {
    std::vector<rocksdb::ColumnFamilyHandle*> all;
    for (const auto& [name, handle] : families_) all.push_back(handle);
    return all;
  }

  // kUnavailable while the store is closed. Requires families_mu_ held
  // (shared or exclusive).
  Result<rocksdb::ColumnFamilyHandle*> Handle(std::string_view name) const {
    if (!db_) return Err(ClosedError());
    auto it = families_.find(name);
    if (it == families_.end()) {
      return Err(NotFoundError("no column family '" + std::string(name) + "'"));
    }
    return it->second;
  }

  std::string path_;
  StoreOptions options_;
  std::atomic<bool> broken_{false};   // a write failed; reopen before the next
  std::atomic<uint64_t> ingests_{0};  // IngestBatch calls so far, naming their directories
  IngestEpoch ingest_epoch_;          // Get and NewIterator read outside ingestions
  std::unique_ptr<rocksdb::DB> db_;
  // Orders writes with the snapshots taken around them, so that a snapshot
  // never includes an unsynced write by accident.
  std::mutex write_mu_;
  mutable std::mutex durable_mu_;
  SnapshotPtr durable_;  // guarded by durable_mu_; see ReadAt
  // How many times durable_ was pinned (an unsynced write began while
  // everything was durable); guarded by durable_mu_.
  uint64_t durable_pins_ = 0;
  mutable std::shared_mutex families_mu_;
  // guarded by families_mu_
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families_;
  // Families found empty when opened (or created or reset since) and not
  // written since: a point read of one needs no lookup. A first import reads
  // hundreds of thousands of keys that cannot exist yet, and so does a
  // rebuild until its lanes write out. The map is guarded by families_mu_;
  // a flag is cleared, under the shared lock, before a write reaches its family.
  std::map<std::string, std::atomic<bool>, std::less<>> known_empty_;
  // The families of the database when it was last closed: what a reopen
  // opens (guarded by families_mu_).
  std::vector<std::string> closed_families_;
  // Why the last reopen failed, while the store is closed (db_ null after a
  // failure); nullopt while open. Guarded by closed_mu_, which Writable takes
  // without waiting for families_mu_.
  mutable std::mutex closed_mu_;
  std::optional<std::string> closed_why_;
};

}  // namespace

Result<rocksdb::WriteBatch> RocksStore::ToRocksBatch(const WriteBatch& batch) const {
  // Room for every key and value plus RocksDB's per-write header.
  rocksdb::WriteBatch rocks_batch(batch.ByteSize() + 24 * batch.Count());
  // Writes come grouped by family: look each family up once.
  std::string_view family_name;
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  RETURN_IF_ERROR(batch.AppendSortedTo([&](std::string_view family, std::string_view key,
                                           std::optional<std::string_view> value) -> Status {
    if (!handle || family != family_name) {
      ASSIGN_OR_RETURN(handle, Handle(family));
      family_name = family;
    }
    return FromRocks(value ? rocks_batch.Put(handle, key, *value) : rocks_batch.Delete(handle, key),
                     "batch");
  }));
  return rocks_batch;
}

Status RocksStore::Write(WriteBatch& batch, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return ApplyBatch(batch, options);
}

Status RocksStore::WriteUnlogged(WriteBatch& batch) {
  rocksdb::WriteOptions options;
  options.disableWAL = true;
  return ApplyBatch(batch, options);
}

Status RocksStore::ApplyBatch(const WriteBatch& batch, const rocksdb::WriteOptions& options) {
  RETURN_IF_ERROR(CheckSpaceFor(batch.ByteSize()));
  if (broken_) {
    std::unique_lock exclusive(families_mu_);
    RETURN_IF_ERROR(ReopenLocked());
  }
  if (IsBulk(batch, options)) return IngestBatch(batch);
  std::shared_lock lock(families_mu_);
  if (!db_) return ClosedError();  // another writer's reopen failed meanwhile
  ForgetEmptiness(batch);
  ASSIGN_OR_RETURN(rocksdb::WriteBatch rocks_batch, ToRocksBatch(batch));
  std::lock_guard order(write_mu_);
  if (!options.sync) PinDurableBeforeUnsyncedWrite();
  Status written = FromRocks(db_->Write(options, &rocks_batch), "write");
  if (written.code() == StatusCode::kUnavailable) broken_ = true;
  if (written.ok() && options.sync) PublishDurable(TakeSnapshot());
  return written;
}

Status RocksStore::IngestBatch(const WriteBatch& batch) {
  // Lanes of a rebuild write side by side: each call has its own directory.
  const std::string dir = IngestDirOf(path_) + "/" + std::to_string(ingests_++);
  Status ingested = WriteAndIngest(batch, dir);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return ingested;
}

Status RocksStore::WriteAndIngest(const WriteBatch& batch, const std::string& dir) {
  auto lookup = [this](std::string_view family) -> Result<rocks::FamilyRef> {
    ASSIGN_OR_RETURN(auto* handle, Handle(family));
    return rocks::FamilyRef{handle, FamilyOptions(family, options_)};
  };
  std::shared_lock lock(families_mu_);
  if (!db_) return ClosedError();  // another writer's reopen failed meanwhile
  ForgetEmptiness(batch);
  ASSIGN_OR_RETURN(auto files, rocks::WriteTableFiles(batch, dir, lookup));
  std::lock_guard order(write_mu_);
  Status ingested = FromRocks(db_->SyncWAL(), "sync write-ahead log");
  if (ingested.ok()) {
    // Nothing unsynced is left to hide, so no snapshot needs to be open: then
    // RocksDB puts files that overlap nothing into the last level with
    // sequence number 0. Under a snapshot it would give them the ingestion's
    // own number, and later rewrite them all to drop it (after a large
    // import, about a core-second of compaction taken from whatever runs next).
    PublishDurable(TakeSnapshot());
    IngestEpoch::UnderWay under_way(ingest_epoch_);
    ingested = FromRocks(db_->IngestExternalFiles(files), "ingest");
  }
  if (ingested.code() == StatusCode::kUnavailable) broken_ = true;
  return ingested;
}

Status RocksStore::SyncWal() { return MakeDurable(/*flush_memtables=*/false); }

Status RocksStore::FlushUnlogged() { return MakeDurable(/*flush_memtables=*/true); }

Status RocksStore::MakeDurable(bool flush_memtables) {
  std::shared_lock lock(families_mu_);
  if (!db_) return ClosedError();
  SnapshotPtr covered;
  {
    std::lock_guard order(write_mu_);
    covered = TakeSnapshot();  // every write so far is in a memtable and, if logged, the log file
  }
  Status done;
  if (flush_memtables) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    done = FromRocks(db_->Flush(flush, AllHandles()), "flush");
  }
  if (done.ok()) done = FromRocks(db_->SyncWAL(), "sync write-ahead log");
  if (!done.ok()) {
    broken_ = true;
    return done;
  }
  std::lock_guard order(write_mu_);
  PublishDurable(covered);
  return OkStatus();
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  RETURN_IF_ERROR(CheckOpenable(dir, options));
  std::error_code ec;
  // Opening for writing writes (a new write-ahead log, the manifest, the
  // table files the old log is replayed into), and an open that runs out of
  // room fails having written table files that only a later open deletes.
  if (!options.read_only) {
    RETURN_IF_ERROR(
        OpenSpaceCheck(dir, options.min_free_bytes, "free some space before opening the store"));
  }
  ASSIGN_OR_RETURN(OpenedDb opened, OpenRocks(dir, options, {}));
  if (!options.read_only) std::filesystem::remove_all(IngestDirOf(dir), ec);
  return std::unique_ptr<Store>(new RocksStore(dir, options, opened));
}

Status Store::CheckOpenable(const std::string& dir, const StoreOptions& options) {
  return store_dir::CheckBeforeOpen(dir, options);
}

bool Store::InUseByAnotherProcess(const std::string& dir) {
  return store_dir::LockedByAnotherProcess(dir);
}

}  // namespace backpack
