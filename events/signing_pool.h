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

namespace backpack {

class SigningPool {
 public:
  // `threads` total, including the caller of ParallelFor.
  explicit SigningPool(int threads);
  ~SigningPool();
  SigningPool(const SigningPool&) = delete;
  SigningPool& operator=(const SigningPool&) = delete;

  // Calls fn(i) for every i in [0, n), each thread taking the next unclaimed
  // index (so one slow call does not hold up the rest); returns when all calls
  // have returned. Not reentrant: one ParallelFor at a time.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

 private:
  void WorkerLoop(size_t worker);

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(size_t)>* fn_ = nullptr;  // guarded by mu_
  size_t n_ = 0;
  std::atomic<size_t> next_{0};  // the next unclaimed index
  uint64_t generation_ = 0;
  size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace backpack
