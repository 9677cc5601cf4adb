#include "projections/internal/rebuild_lanes.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "core/threads.h"
#include "projections/rebuild.h"

namespace backpack::rebuild {
namespace {

// In ReplayBatch::parts: the first lane of a split projection applies this
// event and all after it, once the projection's other lanes are done.
constexpr uint8_t kMerged = 0xff;

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

}  // namespace

Status SharedBatches::Push(ReplayBatch batch) {
  std::unique_lock lock(mu_);
  if (applied_.empty()) return OkStatus();  // no projections: nobody reads
  changed_.wait(lock, [&] { return closed_ || batches_.size() < kBatchesAhead; });
  if (closed_) return FailedPreconditionError("the rebuild stopped");
  batches_.push_back(std::make_shared<const ReplayBatch>(std::move(batch)));
  changed_.notify_all();
  return OkStatus();
}

void SharedBatches::Finish(Status status) {
  std::lock_guard lock(mu_);
  finished_ = true;
  status_ = std::move(status);
  changed_.notify_all();
}

SharedBatch SharedBatches::Get(size_t lane, size_t index) {
  std::unique_lock lock(mu_);
  applied_[lane] = index;
  DropApplied();
  changed_.wait(lock, [&] { return closed_ || finished_ || index < first_ + batches_.size(); });
  if (closed_ || index >= first_ + batches_.size()) return nullptr;
  return batches_[index - first_];
}

void SharedBatches::Leave(size_t lane) {
  std::lock_guard lock(mu_);
  applied_[lane] = SIZE_MAX;
  DropApplied();
}

void SharedBatches::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  changed_.notify_all();
}

bool SharedBatches::closed() {
  std::lock_guard lock(mu_);
  return closed_;
}

Status SharedBatches::status() {
  std::lock_guard lock(mu_);
  return status_;
}

void SharedBatches::DropApplied() {
  const size_t slowest = *std::min_element(applied_.begin(), applied_.end());
  bool dropped = false;
  while (first_ < slowest && !batches_.empty()) {
    batches_.pop_front();
    ++first_;
    dropped = true;
  }
  if (dropped) changed_.notify_all();
}

ProjectionLanes::ProjectionLanes(Store& target, DataKeyRing& data_keys,
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

ReplayBatch ProjectionLanes::Assign(std::span<LoggedEvent> events) {
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

Status ProjectionLanes::ApplyAll(SharedBatches& batches, size_t staged_budget,
                                 DataKeyRing& data_keys) {
  std::vector<Status> results(lanes_.size());
  auto run = [&](size_t i) {
    try {
      results[i] = RunLane(i, batches, staged_budget);
    } catch (...) {  // std::bad_alloc, a projection's bug: fails the rebuild, not the process
      results[i] = CaughtError("replaying into the " + std::string(lanes_[i]->projection->name()) +
                               " projection");
    }
    if (!results[i].ok()) batches.Close();
  };
  std::vector<std::thread> threads;
  RETURN_IF_ERROR(TryStartThreads("the rebuild's lanes", threads, lanes_.size(), run,
                                  [&](size_t started) { StopUnstarted(batches, started); }));
  for (auto& thread : threads) thread.join();
  for (auto& result : results) RETURN_IF_ERROR(result);
  for (auto& split : splits_) RETURN_IF_ERROR(split->projection->Load(target_, data_keys));
  return OkStatus();
}

void ProjectionLanes::StopUnstarted(SharedBatches& batches, size_t started) {
  batches.Close();
  // A split's first lane waits at the merge point for its other lanes.
  for (size_t i = started; i < lanes_.size(); ++i) {
    if (lanes_[i]->split && lanes_[i]->part > 0) lanes_[i]->split->others_done.count_down();
  }
}

Status ProjectionLanes::RunLane(size_t index, SharedBatches& batches, size_t budget) {
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

Status ProjectionLanes::ApplyPart(Lane& lane, const ReplayBatch& batch, bool* merged) {
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

size_t ProjectionLanes::CountStaged(Lane& lane) {
  const size_t now = lane.txn.StagedBytes();
  const size_t before = std::exchange(lane.counted_bytes, now);
  return total_staged_.fetch_add(now - before) + (now - before);
}

Status ProjectionLanes::Write(Lane& lane) {
  RETURN_IF_ERROR(lane.txn.Finish());
  total_staged_.fetch_sub(std::exchange(lane.counted_bytes, 0));
  RETURN_IF_ERROR(target_.WriteUnlogged(lane.batch));
  lane.batch.Clear();
  return OkStatus();
}

}  // namespace backpack::rebuild
