#include "projections/rebuild.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace backpack {
namespace {

constexpr size_t kReplayBatch = 20'000;
// In the meta family while a rebuild is under way.
constexpr std::string_view kRebuildMarker = "rebuild_incomplete";
// Staged projection writes held in memory before they are written out.
constexpr size_t kStagedBudget = 256u << 20;

std::string Printable(ByteView key) {
  std::string out;
  for (uint8_t c : key) {
    if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += "\\x" + ToHex(ByteView(&c, 1));
  }
  return out;
}

// Batches of decoded, decrypted events from a reader thread, at most two
// ahead of the applier, so that reading the next batch overlaps applying
// this one.
class ReplayQueue {
 public:
  // Runs on the reader thread; fails (stopping the replay) once closed.
  Status Push(std::span<const LoggedEvent> events) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return closed_ || batches_.size() < 2; });
    if (closed_) return FailedPreconditionError("the rebuild stopped");
    batches_.emplace_back(events.begin(), events.end());
    changed_.notify_all();
    return OkStatus();
  }
  // The reader is done; `status` is how the replay ended.
  void Finish(Status status) {
    std::lock_guard lock(mu_);
    finished_ = true;
    status_ = std::move(status);
    changed_.notify_all();
  }
  // The next batch, or nullopt at the end (then see status()).
  std::optional<std::vector<LoggedEvent>> Pop() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return finished_ || !batches_.empty(); });
    if (batches_.empty()) return std::nullopt;
    std::vector<LoggedEvent> batch = std::move(batches_.front());
    batches_.pop_front();
    changed_.notify_all();
    return batch;
  }
  // The applier stops early: the reader's next Push fails.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::vector<LoggedEvent>> batches_;
  bool finished_ = false;
  bool closed_ = false;
  Status status_;
};

// Writes what `txn` staged into the target, unlogged (the replay flushes
// once at the end).
Status WriteStaged(Store& target, ProjectionTxn& txn, WriteBatch& batch) {
  RETURN_IF_ERROR(txn.Finish());
  RETURN_IF_ERROR(target.WriteUnlogged(batch));
  batch.Clear();
  return OkStatus();
}

// Durably sets or clears the interrupted-rebuild marker.
Status SetRebuildMarker(Store& target, bool under_way) {
  WriteBatch batch;
  if (under_way) batch.Put(cf::kMeta, AsBytes(kRebuildMarker), AsBytes("1"));
  else batch.Delete(cf::kMeta, AsBytes(kRebuildMarker));
  return target.Write(batch, /*sync=*/true);
}

}  // namespace

Result<RebuildStats> ReplayInto(Store& target, DataKeyRing& data_keys, EventLog& log,
                                Projector& projector) {
  auto started = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(target.EnsureColumnFamily(cf::kMeta));
  RETURN_IF_ERROR(SetRebuildMarker(target, true));
  RETURN_IF_ERROR(target.ResetColumnFamilies(projector.ColumnFamilies()));
  RebuildStats stats;
  ReplayQueue queue;
  std::thread reader([&] {
    queue.Finish(log.Replay(0, kReplayBatch, [&](std::span<const LoggedEvent> events) {
      return queue.Push(events);
    }));
  });
  // One transaction spans many batches: a value rewritten by many events
  // (a student's summary) is read, sealed and written once per flush.
  WriteBatch batch;
  ProjectionTxn txn(target, data_keys, batch);
  Status applied;
  while (auto events = queue.Pop()) {
    applied = projector.ApplyAll(*events, txn);
    if (applied.ok() && txn.StagedBytes() >= kStagedBudget) {
      applied = WriteStaged(target, txn, batch);
    }
    if (!applied.ok()) break;
    projector.RunStaged();
    stats.events += events->size();
  }
  if (applied.ok()) applied = WriteStaged(target, txn, batch);
  queue.Close();
  reader.join();
  RETURN_IF_ERROR(applied);
  RETURN_IF_ERROR(queue.status());
  RETURN_IF_ERROR(target.FlushUnlogged());
  RETURN_IF_ERROR(SetRebuildMarker(target, false));
  stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

Result<bool> RebuildInterrupted(Store& store) {
  ASSIGN_OR_RETURN(auto marker, store.Get(cf::kMeta, AsBytes(kRebuildMarker)));
  return marker.has_value();
}

Result<std::optional<std::string>> FirstDifference(Store& a, Store& b,
                                                   const std::vector<std::string>& families) {
  for (const auto& family : families) {
    ASSIGN_OR_RETURN(auto ia, a.NewIterator(family));
    ASSIGN_OR_RETURN(auto ib, b.NewIterator(family));
    ia->SeekToFirst();
    ib->SeekToFirst();
    for (; ia->Valid() && ib->Valid(); ia->Next(), ib->Next()) {
      if (!std::equal(ia->key().begin(), ia->key().end(), ib->key().begin(), ib->key().end())) {
        return std::optional<std::string>(family + ": key " + Printable(ia->key()) + " vs " +
                                          Printable(ib->key()));
      }
      if (!std::equal(ia->value().begin(), ia->value().end(), ib->value().begin(),
                      ib->value().end())) {
        return std::optional<std::string>(family + ": value of key " + Printable(ia->key()) +
                                          " differs");
      }
    }
    RETURN_IF_ERROR(ia->status());
    RETURN_IF_ERROR(ib->status());
    if (ia->Valid() || ib->Valid()) {
      auto& extra = ia->Valid() ? ia : ib;
      return std::optional<std::string>(family + ": key " + Printable(extra->key()) +
                                        " exists on one side only");
    }
  }
  return std::optional<std::string>();
}

}  // namespace backpack
