#include "events/signing_pool.h"

#include "core/threads.h"

namespace backpack {

// If a thread cannot be started (std::system_error, std::bad_alloc), the ones
// already running are stopped and joined before the exception leaves
// (StartThreads).
SigningPool::SigningPool(int threads) {
  StartThreads(
      workers_, threads > 1 ? static_cast<size_t>(threads - 1) : 0,
      [this](size_t i) { WorkerLoop(i + 1); }, [this](size_t) { RequestStop(); });
}

SigningPool::~SigningPool() {
  RequestStop();
  for (auto& t : workers_) t.join();
}

void SigningPool::RequestStop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
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
