// OrderByKey: the order of std::sort on the keys (bytewise, unsigned), equal
// keys by position, whatever the keys share.
#include "core/key_order.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>

using namespace backpack;

namespace {

// The reference: a stable sort comparing the keys themselves.
std::vector<KeyRank> ByComparingKeys(const std::vector<std::string>& keys) {
  std::vector<uint32_t> order(keys.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
  std::vector<KeyRank> out;
  for (size_t i = 0; i < order.size(); ++i) {
    out.push_back({order[i], i > 0 && keys[order[i]] == keys[order[i - 1]]});
  }
  return out;
}

void CheckOrder(const std::vector<std::string>& keys) {
  auto got = OrderByKey(static_cast<uint32_t>(keys.size()),
                        [&](uint32_t i) { return std::string_view(keys[i]); });
  auto want = ByComparingKeys(keys);
  REQUIRE(got.size() == want.size());
  size_t wrong = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].position != want[i].position ||
        got[i].repeats_previous != want[i].repeats_previous) {
      ++wrong;
    }
  }
  CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("keys are ordered bytewise with equal keys by position") {
  CheckOrder({});
  CheckOrder({"b", "a", "b", "", "a\\0", std::string("a\0", 2), std::string("a\0\0", 3), "\\x80",
              "\xff", std::string(16, 'a'), std::string(17, 'a'), std::string(16, 'a') + "\x01",
              std::string(16, 'a') + std::string(1, '\0'), std::string(15, 'a'), "",
              // equal once zero-padded: the shorter key first, whatever the positions
              std::string("c\0\0", 3), std::string("c\0", 2), "c", std::string(20, '\0'), ""});
}

// Keys sharing long prefixes, as a projection's are: an id, a kind, then a
// big-endian sequence number; ids of several lengths; many repeated.
TEST_CASE("keys sharing long prefixes are ordered as a comparison sort orders them") {
  std::mt19937 random(20261123);
  std::vector<std::string> keys;
  for (int i = 0; i < 20'000; ++i) {
    std::string key = "stu_" + std::string(random() % 3 == 0 ? 10 : 20, 'a' + random() % 3);
    key += std::to_string(random() % 50);
    key.push_back('\0');
    key.push_back("NSA"[random() % 3]);
    const uint64_t seq = random() % 5000;
    for (int b = 7; b >= 0; --b) key.push_back(static_cast<char>((seq >> (8 * b)) & 0xff));
    if (random() % 7 == 0) key.resize(random() % key.size());  // shorter keys, prefixes of others
    keys.push_back(std::move(key));
  }
  CheckOrder(keys);
}

// The one case a digit alone cannot tell: two different keys that end in the
// same last digit, after different earlier ones.
TEST_CASE("different keys ending in the same digit are not taken for repeats") {
  const std::string a(16, 'A'), b(16, 'B');
  CheckOrder({a + "x", a + "y", b + "y", b + "z"});
}
