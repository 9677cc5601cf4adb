#include "events/signing_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/threads.h"

using namespace backpack;

TEST_CASE("SigningPool calls fn once for every index, on every pool size") {
  for (int threads : {1, 2, 4}) {
    SigningPool pool(threads);
    for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{1000}}) {
      INFO("threads " << threads << ", n " << n);
      std::vector<std::atomic<int>> seen(n);
      pool.ParallelFor(n, [&](size_t i) { ++seen[i]; });
      size_t once = 0;
      for (auto& count : seen) once += count == 1;
      CHECK(once == n);
    }
  }
}

TEST_CASE("SigningPool rethrows a task's exception on the caller once no task runs") {
  for (int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    SigningPool pool(threads);
    const size_t n = 100;
    std::vector<std::atomic<int>> seen(n);
    std::atomic<int> running{0};
    std::atomic<bool> threw{false};
    // Index 3 throws; a later index waits until it has, then a little more
    // (for the pool to note it), and finishes after it.
    auto fn = [&](size_t i) {
      ++running;
      ++seen[i];
      if (i == 3) {
        --running;
        threw = true;
        throw std::bad_alloc();
      }
      while (i > 3 && !threw) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::milliseconds(i > 3 ? 20 : 0));
      --running;
    };
    CHECK_THROWS_AS(pool.ParallelFor(n, fn), std::bad_alloc);
    CHECK(running == 0);
    // Indices are claimed in order: the ones before the throw ran, each
    // thread finished at most the one it had claimed, and the rest were
    // skipped.
    size_t ran = 0;
    for (size_t i = 0; i < n; ++i) {
      CHECK(seen[i] <= 1);
      if (i <= 3) CHECK(seen[i] == 1);
      ran += seen[i];
    }
    CHECK(ran <= 3 + static_cast<size_t>(threads));

    // The pool's threads are still there, and the failure is forgotten.
    for (int round = 0; round < 3; ++round) {
      std::vector<std::atomic<int>> again(n);
      CHECK_NOTHROW(pool.ParallelFor(n, [&](size_t i) { ++again[i]; }));
      size_t once = 0;
      for (auto& count : again) once += count == 1;
      CHECK(once == n);
    }
  }
}

TEST_CASE("SigningPool rethrows exactly one exception when every task throws") {
  SigningPool pool(4);
  std::atomic<size_t> ran{0};
  try {
    pool.ParallelFor(1000, [&](size_t i) {
      ++ran;
      throw std::out_of_range(std::to_string(i));
    });
    FAIL("nothing was thrown");
  } catch (const std::out_of_range& e) {
    CHECK(std::stoul(e.what()) < 4);  // one of the first claimed
  }
  CHECK(ran >= 1);
  CHECK(ran <= 4);
  std::atomic<size_t> again{0};
  pool.ParallelFor(1000, [&](size_t) { ++again; });
  CHECK(again == 1000);
}

TEST_CASE("a SigningPool whose worker cannot be started throws, leaving no worker running") {
  for (int fail_at : {1, 2, 3}) {
    INFO("start " << fail_at << " fails");
    std::atomic<int> tried{0};
    SetThreadStartFaultForTests([&] {
      if (++tried == fail_at) throw std::system_error(std::make_error_code(std::errc::io_error));
    });
    CHECK_THROWS_AS(SigningPool(4), std::system_error);  // joined, or std::terminate
    SetThreadStartFaultForTests(nullptr);
  }
}
