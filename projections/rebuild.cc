#include "projections/rebuild.h"

#include <algorithm>
#include <atomic>
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

// Each projection reads and writes only its own families, so projections
// replay side by side: each has its own transaction, and for every batch the
// projections are shared out among threads (one per core), each thread taking
// the next projection nobody has claimed. Batches stay in log order.
//
// A transaction spans many batches, so a value rewritten by many events (a
// student's summary) is read, sealed and written once per flush.
class ProjectionLanes {
 public:
  ProjectionLanes(Store& target, DataKeyRing& data_keys,
                  const std::vector<Projection*>& projections)
      : target_(target) {
    for (Projection* p : projections) {
      lanes_.push_back(std::make_unique<Lane>(p, target, data_keys));
    }
  }

  // Applies `events` to every projection and makes their in-memory changes visible.
  Status Apply(std::span<const LoggedEvent> events) {
    return ForEachLane([&](Lane& lane) -> Status {
      RETURN_IF_ERROR(ApplyEvents(*lane.projection, events, lane.txn));
      if (auto staged = lane.projection->TakeStaged()) staged();
      return OkStatus();
    });
  }

  // Writes every lane's staged writes, unlogged, if together they hold at
  // least `budget` bytes (0: always).
  Status WriteIfOver(size_t budget) {
    size_t staged = 0;
    for (const auto& lane : lanes_) staged += lane->txn.StagedBytes();
    if (staged < budget) return OkStatus();
    return ForEachLane([&](Lane& lane) -> Status {
      RETURN_IF_ERROR(lane.txn.Finish());
      RETURN_IF_ERROR(target_.WriteUnlogged(lane.batch));
      lane.batch.Clear();
      return OkStatus();
    });
  }

 private:
  struct Lane {
    Lane(Projection* p, Store& target, DataKeyRing& data_keys)
        : projection(p), txn(target, data_keys, batch) {
      txn.RestrictTo(p->TouchedFamilies());
    }
    Projection* projection;
    WriteBatch batch;
    ProjectionTxn txn;
  };

  // Runs `fn` on every lane, at most one thread per core; the first failure
  // in lane order.
  Status ForEachLane(const std::function<Status(Lane&)>& fn) {
    std::vector<Status> results(lanes_.size());
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < lanes_.size();) results[i] = fn(*lanes_[i]);
    };
    size_t threads = std::min<size_t>(lanes_.size(), std::thread::hardware_concurrency());
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    for (auto& helper : helpers) helper.join();
    for (auto& result : results) RETURN_IF_ERROR(result);
    return OkStatus();
  }

  Store& target_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

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
  ProjectionLanes lanes(target, data_keys, projector.projections());
  Status applied;
  while (auto events = queue.Pop()) {
    applied = lanes.Apply(*events);
    if (applied.ok()) applied = lanes.WriteIfOver(kStagedBudget);
    if (!applied.ok()) break;
    stats.events += events->size();
  }
  if (applied.ok()) applied = lanes.WriteIfOver(0);
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
