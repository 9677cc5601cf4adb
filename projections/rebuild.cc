#include "projections/rebuild.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "core/parallel.h"

namespace backpack {
namespace {

constexpr size_t kReplayBatch = 20'000;
// In the meta family while a rebuild is under way.
constexpr std::string_view kRebuildMarker = "rebuild_incomplete";
constexpr std::string_view kProjectionsVersionKey = "projections_version";
// Staged projection writes held in memory before they are written out.
constexpr size_t kStagedBudget = 256u << 20;

std::string Printable(ByteView key) {
  std::string out;
  for (uint8_t c : key) {
    if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += "\\x" + ToHex(ByteView(&c, 1));
  }
  return out;
}

// The families the projections write but do not own (a rebuild keeps them,
// see Projection::TouchedFamilies) that already hold entries in `target`.
// Replaying would only rewrite, entry for entry, what the live projections
// wrote there. Into a store where such a family is empty (a scratch store
// for `rebuild --check`) the replay writes it.
Result<std::vector<std::string>> FilledKeptFamilies(Store& target,
                                                    const std::vector<Projection*>& projections) {
  std::vector<std::string> filled;
  for (const Projection* p : projections) {
    const std::vector<std::string> owned = p->ColumnFamilies();
    for (const std::string& family : p->TouchedFamilies()) {
      if (std::find(owned.begin(), owned.end(), family) != owned.end()) continue;
      ASSIGN_OR_RETURN(auto it, target.NewIterator(family));
      it->SeekToFirst();
      RETURN_IF_ERROR(it->status());
      if (it->Valid()) filled.push_back(family);
    }
  }
  return filled;
}

// In ReplayBatch::parts: the first lane of a split projection applies this
// event and all after it, once the projection's other lanes are done.
constexpr uint8_t kMerged = 0xff;

// Events read from the log, and for each projection replayed in several lanes
// (ProjectionLanes::Split) the lane that applies each event.
struct ReplayBatch {
  std::vector<LoggedEvent> events;
  std::vector<std::vector<uint8_t>> parts;  // [split projection][event]: a part, or kMerged
};
using SharedBatch = std::shared_ptr<const ReplayBatch>;

// Counts a latch down when it goes out of scope (if there is one).
class CountDownOnExit {
 public:
  explicit CountDownOnExit(std::latch* latch) : latch_(latch) {}
  CountDownOnExit(const CountDownOnExit&) = delete;
  CountDownOnExit& operator=(const CountDownOnExit&) = delete;
  ~CountDownOnExit() {
    if (latch_) latch_->count_down();
  }

 private:
  std::latch* latch_;
};

// Batches of decoded, decrypted events from a reader thread, read by every
// lane in log order, each lane at its own pace. A batch is dropped once every
// lane has applied it; the reader stays at most kBatchesAhead batches ahead of
// the slowest lane.
class SharedBatches {
 public:
  static constexpr size_t kBatchesAhead = 3;

  explicit SharedBatches(size_t lanes) : applied_(lanes, 0) {}

  // Runs on the reader thread; fails (stopping the replay) once closed.
  Status Push(ReplayBatch batch) {
    std::unique_lock lock(mu_);
    if (applied_.empty()) return OkStatus();  // no projections: nobody reads
    changed_.wait(lock, [&] { return closed_ || batches_.size() < kBatchesAhead; });
    if (closed_) return FailedPreconditionError("the rebuild stopped");
    batches_.push_back(std::make_shared<const ReplayBatch>(std::move(batch)));
    changed_.notify_all();
    return OkStatus();
  }
  // The reader is done; `status` is how reading ended.
  void Finish(Status status) {
    std::lock_guard lock(mu_);
    finished_ = true;
    status_ = std::move(status);
    changed_.notify_all();
  }
  // Batch number `index` (counted from 0) for `lane`, which has applied every
  // earlier one; nullptr once there are no more (the end, or Close).
  SharedBatch Get(size_t lane, size_t index) {
    std::unique_lock lock(mu_);
    applied_[lane] = index;
    DropApplied();
    changed_.wait(lock, [&] { return closed_ || finished_ || index < first_ + batches_.size(); });
    if (closed_ || index >= first_ + batches_.size()) return nullptr;
    return batches_[index - first_];
  }
  // `lane` reads no more batches (its projection's first lane applies the rest).
  void Leave(size_t lane) {
    std::lock_guard lock(mu_);
    applied_[lane] = SIZE_MAX;
    DropApplied();
  }
  // A lane failed: the reader's next Push fails and every Get ends.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  bool closed() {
    std::lock_guard lock(mu_);
    return closed_;
  }
  Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  // Drops the batches every lane has applied.
  void DropApplied() {
    const size_t slowest = *std::min_element(applied_.begin(), applied_.end());
    bool dropped = false;
    while (first_ < slowest && !batches_.empty()) {
      batches_.pop_front();
      ++first_;
      dropped = true;
    }
    if (dropped) changed_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<SharedBatch> batches_;  // batch numbers [first_, first_ + size)
  size_t first_ = 0;
  std::vector<size_t> applied_;  // per lane: how many batches it has applied
  bool finished_ = false;
  bool closed_ = false;
  Status status_;
};

// Each projection reads and writes only its own families, so projections
// replay side by side: each has its own transaction and its own thread, and
// goes through the batches in log order at its own pace (the slowest sets the
// pace; the others fill the idle cores). A projection that can say which
// lane each event belongs to (Projection::NewRebuildPartitioner: the records
// projection, by student) is split across several lanes of its own.
//
// A transaction spans many batches, so a value rewritten by many events (a
// student's summary) is read, sealed and written once per flush.
class ProjectionLanes {
 public:
  // Writes to `ignored` families are dropped (FilledKeptFamilies).
  ProjectionLanes(Store& target, DataKeyRing& data_keys,
                  const std::vector<Projection*>& projections,
                  const std::vector<std::string>& ignored)
      : target_(target) {
    const size_t parts = RebuildLaneCount();
    for (Projection* p : projections) {
      auto partitioner = p->NewRebuildPartitioner();
      if (!partitioner) {
        lanes_.push_back(std::make_unique<Lane>(p, target, data_keys, ignored));
        continue;
      }
      auto& split = splits_.emplace_back(std::make_unique<Split>(p, std::move(partitioner), parts));
      for (size_t part = 0; part < parts; ++part) {
        auto& lane = lanes_.emplace_back(std::make_unique<Lane>(p, target, data_keys, ignored));
        lane->split = split.get();
        lane->applier = split->partitioner->NewLaneApplier();
        lane->split_index = splits_.size() - 1;
        lane->part = part;
      }
    }
  }

  size_t size() const { return lanes_.size(); }

  // `events`, moved out of the span, with the lane of each event for every
  // split projection. Runs on the reader thread, in log order.
  ReplayBatch Assign(std::span<LoggedEvent> events) {
    ReplayBatch batch{
        {std::make_move_iterator(events.begin()), std::make_move_iterator(events.end())}, {}};
    for (auto& split : splits_) {
      auto& parts = batch.parts.emplace_back(batch.events.size(), 0);
      for (size_t i = 0; i < batch.events.size() && !split->merged; ++i) {
        std::optional<std::string_view> key = split->partitioner->LaneKey(batch.events[i]);
        split->merged = !key;
        parts[i] = key ? static_cast<uint8_t>(RebuildLaneOf(*key, split->parts)) : kMerged;
      }
    }
    return batch;
  }

  // Applies every batch of `batches` to every projection, one thread per
  // lane. Whenever the lanes together stage `staged_budget` bytes or more,
  // the next lane to finish a batch writes its staged changes (unlogged);
  // each lane writes the rest at the end. The first failure in projection
  // order; a failure stops every lane. Split projections then reload their
  // in-memory state (their lanes kept none).
  Status ApplyAll(SharedBatches& batches, size_t staged_budget, DataKeyRing& data_keys) {
    std::vector<Status> results(lanes_.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < lanes_.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          results[i] = RunLane(i, batches, staged_budget);
        } catch (...) {  // std::bad_alloc, a projection's bug: fails the rebuild, not the process
          results[i] = CaughtError("replaying into the " +
                                   std::string(lanes_[i]->projection->name()) + " projection");
        }
        if (!results[i].ok()) batches.Close();
      });
    }
    for (auto& thread : threads) thread.join();
    for (auto& result : results) RETURN_IF_ERROR(result);
    for (auto& split : splits_) RETURN_IF_ERROR(split->projection->Load(target_, data_keys));
    return OkStatus();
  }

 private:
  // A projection replayed in `parts` lanes.
  struct Split {
    Split(Projection* p, std::unique_ptr<RebuildPartitioner> partitioner, size_t parts)
        : projection(p),
          partitioner(std::move(partitioner)),
          parts(parts),
          others_done(static_cast<std::ptrdiff_t>(parts - 1)) {}
    Projection* projection;
    std::unique_ptr<RebuildPartitioner> partitioner;
    size_t parts;
    bool merged = false;     // reader thread only: the first lane applies the rest
    std::latch others_done;  // each lane but the first, once it has written all it applied
  };

  struct Lane {
    Lane(Projection* p, Store& target, DataKeyRing& data_keys,
         const std::vector<std::string>& ignored)
        : projection(p), txn(target, data_keys, batch) {
      txn.RestrictTo(p->TouchedFamilies());
      txn.IgnoreWritesTo(ignored);
    }
    Projection* projection;
    Split* split = nullptr;  // with the lane's index in splits_, its part and applier
    size_t split_index = 0;
    size_t part = 0;
    std::unique_ptr<RebuildPartitioner::LaneApplier> applier;
    WriteBatch batch;
    ProjectionTxn txn;
    size_t counted_bytes = 0;  // txn.StagedBytes() as last added to total_staged_
  };

  // One projection (or one part of a split one) through every batch. Stops
  // without error, writing nothing more, when another lane failed (that lane
  // reports).
  Status RunLane(size_t index, SharedBatches& batches, size_t budget) {
    Lane& lane = *lanes_[index];
    // A lane other than its split's first tells the first when it is done,
    // however it ends.
    CountDownOnExit done(lane.split && lane.part > 0 ? &lane.split->others_done : nullptr);
    for (size_t n = 0;; ++n) {
      SharedBatch batch = batches.Get(index, n);
      if (!batch) break;
      if (lane.split) {
        bool merged = false;
        RETURN_IF_ERROR(ApplyPart(lane, *batch, &merged));
        if (merged) {  // the first lane applies the rest, after what this one wrote
          RETURN_IF_ERROR(Write(lane));
          batches.Leave(index);
          return OkStatus();
        }
      } else {
        RETURN_IF_ERROR(ApplyEvents(*lane.projection, batch->events, lane.txn));
        if (auto staged = lane.projection->TakeStaged()) staged();
      }
      if (CountStaged(lane) >= budget) RETURN_IF_ERROR(Write(lane));
    }
    if (batches.closed()) return OkStatus();
    return Write(lane);
  }

  // Applies the events of `batch` that are `lane`'s part. At the split's
  // merge point the first lane waits for the others to be done, and any other
  // lane stops there (*merged).
  Status ApplyPart(Lane& lane, const ReplayBatch& batch, bool* merged) {
    const auto& parts = batch.parts[lane.split_index];
    for (size_t i = 0; i < batch.events.size(); ++i) {
      if (parts[i] == kMerged && lane.part > 0) {
        *merged = true;
        return OkStatus();
      }
      if (parts[i] == kMerged)
        lane.split->others_done.wait();
      else if (parts[i] != lane.part)
        continue;
      const LoggedEvent& event = batch.events[i];
      if (event.shredded) continue;
      Status applied = lane.applier->Apply(event, lane.txn);
      if (!applied.ok()) return ProjectionError(lane.projection->name(), event, applied);
    }
    return OkStatus();
  }

  // Updates the lanes' total with `lane`'s staged bytes; returns the total.
  size_t CountStaged(Lane& lane) {
    const size_t now = lane.txn.StagedBytes();
    const size_t before = std::exchange(lane.counted_bytes, now);
    return total_staged_.fetch_add(now - before) + (now - before);
  }

  Status Write(Lane& lane) {
    RETURN_IF_ERROR(lane.txn.Finish());
    total_staged_.fetch_sub(std::exchange(lane.counted_bytes, 0));
    RETURN_IF_ERROR(target_.WriteUnlogged(lane.batch));
    lane.batch.Clear();
    return OkStatus();
  }

  Store& target_;
  std::atomic<size_t> total_staged_{0};  // the sum of the lanes' counted_bytes
  std::vector<std::unique_ptr<Split>> splits_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

// Durably sets or clears the interrupted-rebuild marker; clearing it also
// records the version the projections were built by.
Status SetRebuildMarker(Store& target, bool under_way) {
  WriteBatch batch;
  if (under_way) {
    batch.Put(cf::kMeta, AsBytes(kRebuildMarker), AsBytes("1"));
  } else {
    batch.Delete(cf::kMeta, AsBytes(kRebuildMarker));
    batch.Put(cf::kMeta, AsBytes(kProjectionsVersionKey), AsBytes(kProjectionsVersion));
  }
  return target.Write(batch, /*sync=*/true);
}

}  // namespace

Result<RebuildStats> ReplayInto(Store& target, DataKeyRing& data_keys, EventLog& log,
                                Projector& projector) {
  auto started = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(target.EnsureColumnFamily(cf::kMeta));
  RETURN_IF_ERROR(SetRebuildMarker(target, true));
  RETURN_IF_ERROR(target.ResetColumnFamilies(projector.ColumnFamilies()));
  ASSIGN_OR_RETURN(std::vector<std::string> kept,
                   FilledKeptFamilies(target, projector.projections()));
  ProjectionLanes lanes(target, data_keys, projector.projections(), kept);
  SharedBatches batches(lanes.size());
  RebuildStats stats;
  std::thread reader([&] {
    Status read;
    try {
      read = log.Replay(0, kReplayBatch, [&](std::span<LoggedEvent> events) {
        stats.events += events.size();
        return batches.Push(lanes.Assign(events));
      });
    } catch (...) {  // a partitioner's bug, std::bad_alloc: fails the rebuild, not the process
      read = CaughtError("reading the log for the rebuild");
    }
    batches.Finish(std::move(read));
  });
  // Lanes return once the reader has finished, or after one failed and
  // closed the batches (which stops the reader too).
  Status applied = lanes.ApplyAll(batches, kStagedBudget, data_keys);
  reader.join();
  RETURN_IF_ERROR(applied);
  RETURN_IF_ERROR(batches.status());
  RETURN_IF_ERROR(target.FlushUnlogged());
  RETURN_IF_ERROR(SetRebuildMarker(target, false));
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

size_t RebuildLaneCount() { return std::clamp<size_t>(CoreCount(), 2, 8); }

size_t RebuildLaneOf(std::string_view key, size_t lanes) {
  return std::hash<std::string_view>()(key) % lanes;
}

Result<bool> RebuildInterrupted(Store& store) {
  ASSIGN_OR_RETURN(auto marker, store.Get(cf::kMeta, AsBytes(kRebuildMarker)));
  return marker.has_value();
}

Status MarkProjectionsCurrent(Store& store) {
  RETURN_IF_ERROR(store.EnsureColumnFamily(cf::kMeta));
  WriteBatch batch;
  batch.Put(cf::kMeta, AsBytes(kProjectionsVersionKey), AsBytes(kProjectionsVersion));
  return store.Write(batch, /*sync=*/true);
}

Result<bool> ProjectionsOutdated(Store& store) {
  ASSIGN_OR_RETURN(auto version, store.Get(cf::kMeta, AsBytes(kProjectionsVersionKey)));
  return !version || AsChars(*version) != kProjectionsVersion;
}

Result<std::optional<std::string>> FirstDifference(Store& a, Store& b,
                                                   const std::vector<std::string>& families) {
  for (const auto& family : families) {
    ASSIGN_OR_RETURN(auto ia, a.NewIterator(family, ReadView::kDurable, ScanExtent::kWhole));
    ASSIGN_OR_RETURN(auto ib, b.NewIterator(family, ReadView::kDurable, ScanExtent::kWhole));
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
