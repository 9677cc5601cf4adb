// How ReplayInto (projections/rebuild.h) replays the log into every
// projection at once: a reader thread hands batches of events to
// SharedBatches, and ProjectionLanes applies them, one thread per lane.
// Internal to projections/.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <latch>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/data_keys.h"
#include "core/store.h"
#include "events/event.h"
#include "projections/projection.h"

namespace backpack::rebuild {

// Events read from the log, and for each projection replayed in several lanes
// (ProjectionLanes::Split) the lane that applies each event.
struct ReplayBatch {
  std::vector<LoggedEvent> events;
  std::vector<std::vector<uint8_t>> parts;  // [split projection][event]: a part, or kMerged
};
using SharedBatch = std::shared_ptr<const ReplayBatch>;

// Batches of decoded, decrypted events from a reader thread, read by every
// lane in log order, each lane at its own pace. A batch is dropped once every
// lane has applied it; the reader stays at most kBatchesAhead batches ahead of
// the slowest lane.
class SharedBatches {
 public:
  static constexpr size_t kBatchesAhead = 3;

  explicit SharedBatches(size_t lanes) : applied_(lanes, 0) {}

  // Runs on the reader thread; fails (stopping the replay) once closed.
  Status Push(ReplayBatch batch);
  // The reader is done; `status` is how reading ended.
  void Finish(Status status);
  // Batch number `index` (counted from 0) for `lane`, which has applied every
  // earlier one; nullptr once there are no more (the end, or Close).
  SharedBatch Get(size_t lane, size_t index);
  // `lane` reads no more batches (its projection's first lane applies the rest).
  void Leave(size_t lane);
  // A lane failed: the reader's next Push fails and every Get ends.
  void Close();
  bool closed();
  Status status();

 private:
  // Drops the batches every lane has applied.
  void DropApplied();

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
  // Writes to `ignored` families are dropped (FilledKeptFamilies, rebuild.cc).
  ProjectionLanes(Store& target, DataKeyRing& data_keys,
                  const std::vector<Projection*>& projections,
                  const std::vector<std::string>& ignored);

  size_t size() const { return lanes_.size(); }

  // `events`, moved out of the span, with the lane of each event for every
  // split projection. Runs on the reader thread, in log order.
  ReplayBatch Assign(std::span<LoggedEvent> events);

  // Applies every batch of `batches` to every projection, one thread per
  // lane. Whenever the lanes together stage `staged_budget` bytes or more,
  // the next lane to finish a batch writes its staged changes (unlogged);
  // each lane writes the rest at the end. The first failure in projection
  // order; a failure stops every lane. Split projections then reload their
  // in-memory state (their lanes kept none). If a lane's thread cannot be
  // started, the lanes already running are stopped and joined, and the
  // replay fails with kUnavailable.
  Status ApplyAll(SharedBatches& batches, size_t staged_budget, DataKeyRing& data_keys);

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

  // Lanes [0, started) run, the others never will: closes `batches` (the
  // running lanes stop) and counts the others down at their split's merge point.
  void StopUnstarted(SharedBatches& batches, size_t started);
  // One projection (or one part of a split one) through every batch. Stops
  // without error, writing nothing more, when another lane failed (that lane
  // reports).
  Status RunLane(size_t index, SharedBatches& batches, size_t budget);
  // Applies the events of `batch` that are `lane`'s part. At the split's
  // merge point the first lane waits for the others to be done, and any other
  // lane stops there (*merged).
  Status ApplyPart(Lane& lane, const ReplayBatch& batch, bool* merged);
  // Updates the lanes' total with `lane`'s staged bytes; returns the total.
  size_t CountStaged(Lane& lane);
  Status Write(Lane& lane);

  Store& target_;
  std::atomic<size_t> total_staged_{0};  // the sum of the lanes' counted_bytes
  std::vector<std::unique_ptr<Split>> splits_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace backpack::rebuild
