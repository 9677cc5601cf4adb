// RocksStore's writes (core/internal/rocks_store.h): batches, logged or not,
// bulk batches ingested as table files, and the syncs that make writes
// durable and visible to kDurable reads.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <mutex>
#include <shared_mutex>

#include "core/internal/rocks_ingest.h"
#include "core/internal/rocks_store.h"

namespace backpack::rocks {

void RocksStore::ForgetEmptiness(const WriteBatch& batch) {
  for (const std::string& family : batch.Families()) {
    auto it = known_empty_.find(family);
    if (it != known_empty_.end()) it->second.store(false, std::memory_order_release);
  }
}

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

}  // namespace backpack::rocks
