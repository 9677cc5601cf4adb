#include "core/parallel.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "core/threads.h"

namespace backpack {
namespace {

// Starts `task` on a thread of its own; a thread that cannot be started
// (std::system_error) counts as a task that threw. `helpers` has room for it
// (reserved), so that a started thread is never dropped unjoined.
void StartHelper(std::vector<std::thread>& helpers, FirstException& failure,
                 std::function<void()> task) {
  failure.Run([&] {
    helpers.push_back(StartThread([&failure, task = std::move(task)] {
      if (!failure.thrown()) failure.Run(task);
    }));
  });
}

}  // namespace

size_t CoreCount() {
  // hardware_concurrency() reads /sys on every call (three system calls):
  // more than a small append's whole work.
  static const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return cores;
}

void FirstException::Rethrow() {
  if (!thrown_.load()) return;
  std::exception_ptr first = std::move(first_);
  first_ = nullptr;
  thrown_ = false;
  std::rethrow_exception(first);
}

void ForEachRange(size_t n, size_t min_per_thread,
                  const std::function<void(size_t begin, size_t end)>& work) {
  const size_t threads =
      std::clamp<size_t>(n / std::max<size_t>(min_per_thread, 1), 1, CoreCount());
  const size_t per_thread = (n + threads - 1) / threads;
  FirstException failure;
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  for (size_t t = 1; t < threads && !failure.thrown(); ++t) {
    const size_t begin = t * per_thread;
    const size_t end = std::min(n, (t + 1) * per_thread);
    StartHelper(helpers, failure, [&work, begin, end] { work(begin, end); });
  }
  if (!failure.thrown()) failure.Run([&] { work(0, std::min(n, per_thread)); });
  for (auto& helper : helpers) helper.join();
  failure.Rethrow();
}

void ForEachItem(size_t n, const std::function<void(size_t item)>& work) {
  FirstException failure;
  std::atomic<size_t> next{0};
  auto take = [&] {
    for (size_t i; !failure.thrown() && (i = next++) < n;) work(i);
  };
  const size_t threads = std::min(n, CoreCount());
  std::vector<std::thread> helpers;
  helpers.reserve(threads > 0 ? threads - 1 : 0);
  for (size_t t = 1; t < threads && !failure.thrown(); ++t) StartHelper(helpers, failure, take);
  if (!failure.thrown()) failure.Run(take);
  for (auto& helper : helpers) helper.join();
  failure.Rethrow();
}

}  // namespace backpack
