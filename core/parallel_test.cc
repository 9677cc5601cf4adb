#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace backpack;

TEST_CASE("ForEachRange covers every index exactly once, in ranges, however it splits") {
  for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{1000}, size_t{100'001}}) {
    for (size_t min_per_thread : {size_t{0}, size_t{1}, size_t{64}, size_t{1'000'000}}) {
      INFO("n " << n << ", min_per_thread " << min_per_thread);
      std::vector<std::atomic<int>> seen(n);
      std::atomic<bool> bad_range{false};
      ForEachRange(n, min_per_thread, [&](size_t begin, size_t end) {
        if (begin > end || end > n) bad_range = true;
        for (size_t i = begin; i < end && end <= n; ++i) ++seen[i];
      });
      CHECK_FALSE(bad_range);
      size_t once = 0;
      for (auto& count : seen) once += count == 1;
      CHECK(once == n);
    }
  }
}

TEST_CASE("ForEachItem calls work for every item exactly once") {
  for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{5000}}) {
    INFO("n " << n);
    std::vector<std::atomic<int>> seen(n);
    ForEachItem(n, [&](size_t i) { ++seen[i]; });
    size_t once = 0;
    for (auto& count : seen) once += count == 1;
    CHECK(once == n);
  }
}

TEST_CASE("ForEachRange rethrows a range's exception on the caller once every range is done") {
  // Each range, on whatever thread, throws if it holds `bad`: the first, a
  // helper's and the last index.
  const size_t n = 10'000;
  for (size_t bad : {size_t{0}, n / 2, n - 1}) {
    INFO("bad " << bad);
    std::vector<std::atomic<int>> seen(n);
    std::atomic<int> running{0};
    auto work = [&](size_t begin, size_t end) {
      ++running;
      for (size_t i = begin; i < end; ++i) ++seen[i];
      if (begin <= bad && bad < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        --running;
        throw std::bad_alloc();
      }
      --running;
    };
    CHECK_THROWS_AS(ForEachRange(n, 1, work), std::bad_alloc);
    CHECK(running == 0);  // no range still running once the exception arrives
    CHECK(seen[bad] == 1);
    // Every other range ran whole or was skipped: never in part, never twice.
    const size_t per_range = (n + CoreCount() - 1) / CoreCount();
    for (size_t begin = 0; begin < n; begin += per_range) {
      const size_t end = std::min(n, begin + per_range);
      size_t ran = 0;
      for (size_t i = begin; i < end; ++i) ran += seen[i];
      CHECK((ran == 0 || ran == end - begin));
    }
    CHECK_NOTHROW(ForEachRange(n, 1, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) seen[i] = 2;
    }));
    size_t twice = 0;
    for (auto& count : seen) twice += count == 2;
    CHECK(twice == n);  // usable again, every index covered
  }
}

TEST_CASE("ForEachItem skips the items not yet taken once one throws, and rethrows it") {
  if (CoreCount() < 2) return;  // item 0 waits for item 1, on another thread
  const size_t n = 200;
  std::atomic<size_t> ran{0};
  std::atomic<bool> threw{false};
  // Item 1 throws at once; every other item waits until it has, then a
  // little more (for the loop to note it).
  auto work = [&](size_t item) {
    ++ran;
    if (item == 1) {
      threw = true;
      throw std::runtime_error("item 1");
    }
    while (!threw) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  CHECK_THROWS_WITH(ForEachItem(n, work), "item 1");
  // Each other thread finished the one item it had taken, and took no more.
  CHECK(ran <= CoreCount());

  std::atomic<size_t> again{0};
  CHECK_NOTHROW(ForEachItem(n, [&](size_t) { ++again; }));
  CHECK(again == n);
}

TEST_CASE("ForEachItem with every item throwing rethrows exactly one of them") {
  std::atomic<size_t> ran{0};
  try {
    ForEachItem(1000, [&](size_t item) {
      ++ran;
      throw std::out_of_range(std::to_string(item));
    });
    FAIL("nothing was thrown");
  } catch (const std::out_of_range& e) {
    CHECK(std::stoul(e.what()) < ran);
  }
  CHECK(ran >= 1);
  CHECK(ran <= CoreCount());
}

TEST_CASE("FirstException keeps the first exception and is empty again after Rethrow") {
  FirstException failure;
  CHECK_FALSE(failure.thrown());
  CHECK_NOTHROW(failure.Rethrow());
  failure.Run([] { throw std::runtime_error("first"); });
  failure.Run([] { throw std::logic_error("second"); });
  CHECK(failure.thrown());
  CHECK_THROWS_WITH(failure.Rethrow(), "first");
  CHECK_FALSE(failure.thrown());
  CHECK_NOTHROW(failure.Rethrow());
}
