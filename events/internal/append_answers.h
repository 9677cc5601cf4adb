// The answers owed to the callers of the event log's appends in flight.
// Each append's `done` is answered exactly once: by the pipeline when its
// group is durable or has failed, or earlier, with kUnavailable, when the
// sync it waits for has stalled (a disk that hangs rather than fails). An
// abandoned append may still become durable later; that outcome is then
// dropped, so a caller that has answered "unavailable" (and sent nothing)
// never hears of it again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "events/event.h"

namespace backpack::log_pipeline {

class AppendAnswers {
 public:
  using Done = std::function<void(Result<AppendResult>)>;

  // `wait_limit`: how long the sync in progress may run before every
  // append still waiting is answered kUnavailable.
  explicit AppendAnswers(std::chrono::milliseconds wait_limit);
  // Requires StopWatch() (if the watch was started).
  ~AppendAnswers() = default;

  // Starts the thread that abandons waiting appends once `sync_running_for`
  // (how long the sync in progress has run, zero if none) reaches the wait
  // limit. `sync_running_for` must stay callable until StopWatch returns.
  void StartWatch(std::function<std::chrono::microseconds()> sync_running_for);
  // Ends that thread. Idempotent.
  void StopWatch();

  // Tracks `done` and returns what the pipeline is to call instead: it calls
  // `done` (at most once) unless the append was abandoned first.
  Done Track(Done done);
  // Returns once nothing tracked is unanswered and no `done` is running.
  void WaitAnswered();
  // Appends tracked and not yet answered.
  size_t pending();

 private:
  void WatchLoop(const std::function<std::chrono::microseconds()>& sync_running_for);
  // Answers every tracked append with `status` now.
  void AbandonAll(const Status& status);
  // Takes the `done` of `id` out if it is still unanswered, counting it as running.
  Done Take(uint64_t id);
  // Runs a taken `done`, then counts it as finished.
  void Run(Done& done, Result<AppendResult> result);

  const std::chrono::milliseconds wait_limit_;
  std::mutex mu_;
  std::condition_variable answered_cv_;  // WaitAnswered waits here
  std::condition_variable watch_cv_;     // the watch thread sleeps here
  std::map<uint64_t, Done> unanswered_;  // by tracking order; guarded by mu_
  uint64_t next_id_ = 0;                 // guarded by mu_
  size_t running_ = 0;                   // answers being given; guarded by mu_
  bool stopping_ = false;                // guarded by mu_
  std::thread watch_;
};

}  // namespace backpack::log_pipeline
