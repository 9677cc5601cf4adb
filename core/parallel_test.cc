#include <catch2/catch.hpp>

#include <atomic>
#include <vector>

#include "core/parallel.h"

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
