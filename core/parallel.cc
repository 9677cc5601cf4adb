#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace backpack {

size_t CoreCount() {
  // hardware_concurrency() reads /sys on every call (three system calls):
  // more than a small append's whole work.
  static const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return cores;
}

void ForEachRange(size_t n, size_t min_per_thread,
                  const std::function<void(size_t begin, size_t end)>& work) {
  const size_t threads =
      std::clamp<size_t>(n / std::max<size_t>(min_per_thread, 1), 1, CoreCount());
  const size_t per_thread = (n + threads - 1) / threads;
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) {
    helpers.emplace_back(work, t * per_thread, std::min(n, (t + 1) * per_thread));
  }
  work(0, std::min(n, per_thread));
  for (auto& helper : helpers) helper.join();
}

void ForEachItem(size_t n, const std::function<void(size_t item)>& work) {
  std::atomic<size_t> next{0};
  auto take = [&] {
    for (size_t i; (i = next++) < n;) work(i);
  };
  const size_t threads = std::min(n, CoreCount());
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(take);
  take();
  for (auto& helper : helpers) helper.join();
}

}  // namespace backpack
