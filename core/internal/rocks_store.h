// RocksStore, the Store over RocksDB (Store::Open), shared by the files that
// define it: core/store.cc (opening, closing and reopening, free space,
// column families), rocks_store_reads.cc (durable-read visibility, point
// reads, iterators) and rocks_store_writes.cc (batches, syncs, bulk
// ingestion). Only those include this.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/internal/ingest_epoch.h"
#include "core/internal/rocks_open.h"
#include "core/store.h"

namespace backpack::rocks {

using SnapshotPtr = std::shared_ptr<const rocksdb::Snapshot>;

// Where IngestBatch writes its table files before they are moved into the
// database in `db_dir`, each call in a directory of its own; a crash may leave
// some there, which opening removes.
inline std::string IngestDirOf(const std::string& db_dir) { return db_dir + "/bulk-ingest"; }

class RocksStore final : public Store {
 public:
  RocksStore(std::string path, StoreOptions options, OpenedDb opened);
  ~RocksStore() override;

  Result<std::optional<Bytes>> Get(std::string_view family, ByteView key, ReadView view) override;

  Status Write(WriteBatch& batch, bool sync) override;
  Status WriteUnlogged(WriteBatch& batch) override;
  Status FlushUnlogged() override;
  Status SyncWal() override;

  Result<std::unique_ptr<StoreIterator>> NewIterator(std::string_view family, ReadView view,
                                                     ScanExtent extent) override;

  Status EnsureColumnFamilies(const std::vector<std::string>& names) override;
  Status ResetColumnFamilies(const std::vector<std::string>& names) override;
  std::vector<std::string> ColumnFamilyNames() const override;
  Status FlushAndCompact(std::string_view name) override;
  Result<size_t> CountVersions(std::string_view name, ByteView key) override;

  Status Resume() override;

  Status CheckSpaceFor(const WriteBatch& batch) const override {
    return CheckSpaceFor(batch.ByteSize());
  }

  Status Writable() const override;

  std::optional<uint64_t> FreeBytes() const override;

  const std::string& path() const override { return path_; }

 private:
  // Requires families_mu_ held exclusively (or no other user yet).
  void Adopt(OpenedDb& opened);

  // Whether `family` has held nothing since it was found empty. Requires
  // families_mu_ held (shared or exclusive).
  bool KnownEmpty(std::string_view family) const {
    auto it = known_empty_.find(family);
    return it != known_empty_.end() && it->second.load(std::memory_order_acquire);
  }

  // Called before `batch` reaches the database, so that no reader can find a
  // family known empty once it holds anything. Requires families_mu_ held.
  void ForgetEmptiness(const WriteBatch& batch);

  // Runs `read` (a point read, or an iterator's creation) with the snapshot
  // `view` reads at, and returns what it returned; the definition (in
  // rocks_store_reads.cc, its only user) says how. Requires families_mu_ held.
  template <typename Read>
  std::invoke_result_t<const Read&, const SnapshotPtr&> ReadAt(ReadView view,
                                                               const Read& read) const;

  // Requires families_mu_ held (shared or exclusive).
  SnapshotPtr TakeSnapshot() {
    rocksdb::DB* db = db_.get();
    return SnapshotPtr(db->GetSnapshot(),
                       [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
  }

  // Pins kDurable reads to the current state before the first unsynced write
  // after a durable point. Requires write_mu_ and families_mu_ (shared).
  void PinDurableBeforeUnsyncedWrite();

  // Everything up to `synced` is durable now. Requires write_mu_ and families_mu_ (shared).
  void PublishDurable(const SnapshotPtr& synced);

  // Closes the database, if open, remembering its families for the reopen.
  // Requires families_mu_ held exclusively (or no other user left).
  void CloseDb();

  // Closes and reopens the database: RocksDB cannot write again after a
  // write-ahead log error. Not DB::Resume(): a failed fsync leaves RocksDB no
  // background error, so it would go on appending to a log whose unsynced
  // pages the kernel may have dropped; opening replays what the files really
  // hold and flushes it into freshly synced table files. Nothing is closed
  // unless the disk has room for that replay. If opening fails the store
  // stays closed (every call kUnavailable) until a later call succeeds.
  // Requires families_mu_ held exclusively.
  Status ReopenLocked();

  Status ClosedError() const;
  // Requires closed_mu_ held.
  Status ClosedErrorLocked() const;

  Status CheckSpaceFor(uint64_t batch_bytes) const;

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

}  // namespace backpack::rocks
