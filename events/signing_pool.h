// SigningPool: runs an index-parallel loop over a fixed set of threads.
// Internal to events/. The writer uses it to sign a group on every core.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/parallel.h"

namespace backpack {

class SigningPool {
 public:
  // `threads` total, including the caller of ParallelFor. Throws
  // (std::system_error) if a thread cannot be started, leaving none running.
  explicit SigningPool(int threads);
  ~SigningPool();
  SigningPool(const SigningPool&) = delete;
  SigningPool& operator=(const SigningPool&) = delete;

  // Calls fn(i) for every i in [0, n), each thread taking the next unclaimed
  // index (so one slow call does not hold up the rest); returns when all calls
  // have returned. Not reentrant: one ParallelFor at a time.
  //
  // A call that throws does not end its thread: indices not yet claimed are
  // skipped, calls already running finish, and then the first exception is
  // rethrown here (the others are dropped). The pool stays usable. A call
  // that waits for another index must not wait for one that may be skipped
  // (claims are made in index order, so waiting for a lower index is safe
  // as long as that one cannot throw before releasing the waiter).
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

 private:
  void WorkerLoop(size_t worker);
  // Makes every worker return (once it has finished its current call).
  void RequestStop();
  // Runs fn on indices until none is left or one has thrown.
  void Claim(const std::function<void(size_t)>& fn, size_t n);

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(size_t)>* fn_ = nullptr;  // guarded by mu_
  size_t n_ = 0;
  std::atomic<size_t> next_{0};  // the next unclaimed index
  FirstException failure_;       // of the current ParallelFor
  uint64_t generation_ = 0;
  size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace backpack
