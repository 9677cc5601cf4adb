#include "core/position_index.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace backpack {
namespace {

TEST_CASE("a position index finds each key's latest position, across growth") {
  std::vector<std::string> keys;
  PositionIndex index;
  auto key_at = [&](uint32_t i) { return std::string_view(keys[i]); };
  for (uint32_t i = 0; i < 10'000; ++i) {
    keys.push_back("key-" + std::to_string(i));
    CHECK_FALSE(index.Set(i, key_at));
  }
  CHECK(index.size() == 10'000);
  for (uint32_t i = 0; i < 10'000; i += 997) CHECK(index.Find(keys[i], key_at) == i);
  CHECK_FALSE(index.Find("key-10000", key_at));
  CHECK_FALSE(index.Find("", key_at));

  // A later position under a key replaces the earlier one.
  keys.push_back("key-42");
  CHECK(index.Set(10'000, key_at) == 42u);
  CHECK(index.Find("key-42", key_at) == 10'000u);
  CHECK(index.size() == 10'000);

  index.Clear();
  CHECK(index.size() == 0);
  CHECK_FALSE(index.Find("key-1", key_at));
}

}  // namespace
}  // namespace backpack
