#include "core/threads.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

using namespace backpack;

namespace {

// Threads that wait until stopped, as a pool's workers do.
struct Waiters {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::atomic<int> returned{0};

  void Wait(size_t) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return stopping; });
    ++returned;
  }
  void Stop() {
    std::lock_guard lock(mu);
    stopping = true;
    cv.notify_all();
  }
};

// The `fail_at`-th start (from 1) throws while in scope.
struct FailingStart {
  explicit FailingStart(int fail_at) {
    SetThreadStartFaultForTests([this, fail_at] {
      if (++tried == fail_at) {
        throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
      }
    });
  }
  ~FailingStart() { SetThreadStartFaultForTests(nullptr); }
  std::atomic<int> tried{0};
};

}  // namespace

TEST_CASE("a thread that cannot be started stops and joins those already started") {
  Waiters waiters;
  std::vector<std::thread> threads;
  threads.push_back(StartThread([] {}));  // started before: left as it is
  size_t stopped_with = 99;
  {
    FailingStart failing(4);
    auto start = [&] {
      StartThreads(
          threads, 5, [&](size_t i) { waiters.Wait(i); },
          [&](size_t started) {
            stopped_with = started;
            waiters.Stop();
          });
    };
    CHECK_THROWS_AS(start(), std::system_error);
  }
  CHECK(stopped_with == 3);
  CHECK(waiters.returned == 3);  // joined before the throw left
  REQUIRE(threads.size() == 1);
  threads[0].join();
}

TEST_CASE("TryStartThreads turns a failed start into kUnavailable naming what was started") {
  Waiters waiters;
  std::vector<std::thread> threads;
  Status status;
  {
    FailingStart failing(2);
    status = TryStartThreads(
        "the test's workers", threads, 3, [&](size_t i) { waiters.Wait(i); },
        [&](size_t) { waiters.Stop(); });
  }
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.message().find("starting the test's workers threw") != std::string::npos);
  CHECK(threads.empty());
  CHECK(waiters.returned == 1);

  Waiters again;
  REQUIRE(TryStartThreads(
              "the test's workers", threads, 3, [&](size_t i) { again.Wait(i); },
              [&](size_t) { again.Stop(); })
              .ok());
  again.Stop();
  for (auto& thread : threads) thread.join();
  CHECK(again.returned == 3);
}
