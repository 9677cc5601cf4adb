// RocksStore's reads (core/internal/rocks_store.h): what a kDurable read
// sees, the snapshots that keep unsynced writes from it, point reads and
// iterators.
#include <rocksdb/db.h>

#include <memory>
#include <mutex>
#include <shared_mutex>

#include "core/internal/rocks_store.h"

namespace backpack::rocks {
namespace {

// How far a ScanExtent::kWhole iterator reads ahead of itself.
constexpr size_t kWholeScanReadahead = 2u << 20;

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

}  // namespace

// Runs `read` (a point read, or an iterator's creation) with the snapshot
// `view` reads at, and returns what it returned. Null means "read the
// latest": for kLatest, or for kDurable while no write waits for a sync.
// RocksDB picks the latest state only once `read` runs, and an unsynced
// write may begin in between, so a kDurable read of the latest state is
// run again (at the snapshot pinned before that write) unless no unsynced
// write began from before it to after it. Requires families_mu_ held.
template <typename Read>
std::invoke_result_t<const Read&, const SnapshotPtr&> RocksStore::ReadAt(ReadView view,
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

void RocksStore::PinDurableBeforeUnsyncedWrite() {
  std::lock_guard lock(durable_mu_);
  if (durable_) return;
  durable_ = TakeSnapshot();
  ++durable_pins_;
}

void RocksStore::PublishDurable(const SnapshotPtr& synced) {
  std::lock_guard lock(durable_mu_);
  if (synced->GetSequenceNumber() == db_->GetLatestSequenceNumber()) {
    durable_ = nullptr;  // nothing unsynced: read the latest
  } else if (durable_ && durable_->GetSequenceNumber() < synced->GetSequenceNumber()) {
    durable_ = synced;
  }
}

Result<std::optional<Bytes>> RocksStore::Get(std::string_view family, ByteView key, ReadView view) {
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

Result<std::unique_ptr<StoreIterator>> RocksStore::NewIterator(std::string_view family,
                                                               ReadView view, ScanExtent extent) {
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

}  // namespace backpack::rocks
