// Splitting a loop over the cores, for the few bulk steps (an import's
// thousands of events) that would otherwise run on one core while the other
// waits. Threads are started per call: for work of milliseconds or more.
//
// Exceptions: a call of `work` that throws (std::bad_alloc, a bug) never
// ends the process. Once one has thrown, calls not yet started are skipped
// (their results would be thrown away with the others'); calls already
// running finish. When every thread has finished, the first exception is
// rethrown on the calling thread, and the others are dropped. Callers on a
// thread that must go on turn it into a Status (CaughtError, core/status.h).
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>

namespace backpack {

// The number of cores this process may use (at least 1), read once.
size_t CoreCount();

// Calls `work(begin, end)` on consecutive ranges that together cover [0, n),
// one range per core, side by side, and returns when all have returned. Below
// `min_per_thread` items per core it calls work(0, n) on the calling thread.
// `work` must be safe to run for disjoint ranges at once.
void ForEachRange(size_t n, size_t min_per_thread,
                  const std::function<void(size_t begin, size_t end)>& work);

// Calls `work(i)` for every i in [0, n), on one thread per core (at most n),
// each taking the next item as it finishes one: for a few items of uneven
// size. Returns when all have returned.
void ForEachItem(size_t n, const std::function<void(size_t item)>& work);

// The first exception thrown by the tasks of one parallel loop, for the loops
// above and the event log's signing pool. Run() and thrown() are safe to call
// from any thread; Rethrow() only once every task has finished.
class FirstException {
 public:
  // Calls fn(), keeping what it throws if nothing was thrown before.
  template <typename Fn>
  void Run(Fn&& fn) noexcept {
    try {
      fn();
    } catch (...) {
      Keep(std::current_exception());
    }
  }
  // Whether a task has thrown: later tasks are skipped.
  bool thrown() const { return thrown_.load(std::memory_order_relaxed); }
  // Rethrows the first exception, if any, leaving this empty for the next loop.
  void Rethrow();

 private:
  void Keep(std::exception_ptr e) noexcept {
    if (!thrown_.exchange(true)) first_ = std::move(e);
  }

  std::atomic<bool> thrown_{false};
  std::exception_ptr first_;  // written once, by the task that set thrown_
};

}  // namespace backpack
