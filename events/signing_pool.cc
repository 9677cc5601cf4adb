#include "events/signing_pool.h"

namespace backpack {

// If a thread cannot be started (std::system_error, std::bad_alloc), the ones
// already running are stopped and joined before the exception leaves: a
// joinable std::thread destroyed during unwinding would call std::terminate.
SigningPool::SigningPool(int threads) {
  try {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
  } catch (...) {
    StopWorkers();
    throw;
  }
}

SigningPool::~SigningPool() { StopWorkers(); }

void SigningPool::StopWorkers() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void SigningPool::WorkerLoop(size_t) {
  uint64_t seen = 0;
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    const auto* fn = fn_;
    size_t n = n_;
    lock.unlock();
    Claim(*fn, n);
    lock.lock();
    if (--busy_ == 0) done_cv_.notify_one();
  }
}

void SigningPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (workers_.empty() || n < 2) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    std::lock_guard lock(mu_);
    fn_ = &fn;
    n_ = n;
    next_ = 0;
    busy_ = workers_.size();
    ++generation_;
  }
  work_cv_.notify_all();
  Claim(fn, n);
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return busy_ == 0; });
  fn_ = nullptr;
  lock.unlock();
  failure_.Rethrow();
}

void SigningPool::Claim(const std::function<void(size_t)>& fn, size_t n) {
  failure_.Run([&] {
    for (size_t i; !failure_.thrown() && (i = next_.fetch_add(1)) < n;) fn(i);
  });
}

}  // namespace backpack
