// The event log's second pipeline stage: one thread that makes every group
// the writer has written (unsynced) durable with a single fsync for all of
// those waiting, runs each group's on_durable action and then answers its
// appends, in sequence order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "events/internal/log_pipeline.h"

namespace backpack::log_pipeline {

class LogSyncer {
 public:
  // `committed_size`: the number of events already durable.
  LogSyncer(Store& store, DataKeyRing& data_keys, LogStats& stats, uint64_t committed_size);
  ~LogSyncer();  // Stop()s

  // Queues a written group behind those submitted before it.
  void Submit(WrittenGroup group);
  // Blocks until every submitted group has been synced or failed.
  void WaitDrained();
  // Syncs every submitted group, then ends the thread. Call after the last
  // Submit; calling it again does nothing.
  void Stop();

  // The number of durable events.
  uint64_t committed_size() const { return committed_size_.load(); }
  // A sync failed: groups written after the last durable one may or may not
  // have survived, so every group submitted since fails too, until the
  // writer has reloaded its state and called Recovered.
  bool failed() const { return failed_.load(); }
  // The writer reloaded its state: `committed_size` events are durable.
  void Recovered(uint64_t committed_size);
  // How long the sync in progress has been running; zero if none is. Safe
  // from any thread and never waits (the start is published atomically), so
  // that a disk which hangs rather than fails can be told (EventLog::Writable).
  std::chrono::microseconds SyncRunningFor() const;

 private:
  void Loop();
  void SyncGroups(std::vector<WrittenGroup>& groups);

  Store& store_;
  DataKeyRing& data_keys_;
  LogStats& stats_;
  std::atomic<uint64_t> committed_size_;
  std::atomic<bool> failed_{false};
  // When the sync in progress started (steady clock, microseconds since its
  // epoch); 0 while none is.
  std::atomic<int64_t> sync_started_us_{0};

  std::mutex mu_;
  std::condition_variable work_cv_;     // the thread waits for groups here
  std::condition_variable drained_cv_;  // WaitDrained waits here
  std::vector<WrittenGroup> queued_;    // guarded by mu_
  bool syncing_ = false;                // guarded by mu_: a batch is being synced
  bool stopping_ = false;               // guarded by mu_
  std::thread thread_;
};

}  // namespace backpack::log_pipeline
