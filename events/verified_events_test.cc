#include "events/verified_events.h"

#include <catch2/catch.hpp>

namespace backpack {
namespace {

Hash256 Digest(uint8_t fill) {
  Hash256 digest;
  digest.fill(fill);
  return digest;
}

TEST_CASE("verified events remember an event's stored digest and nothing else") {
  VerifiedEvents verified(8);
  CHECK_FALSE(verified.Contains(3, Digest(1)));
  verified.Remember(3, Digest(1));
  CHECK(verified.Contains(3, Digest(1)));
  CHECK_FALSE(verified.Contains(3, Digest(2)));  // other bytes at that seq
  CHECK_FALSE(verified.Contains(4, Digest(1)));  // the same bytes at another seq
}

TEST_CASE("verified events forget an event whose slot a later one took") {
  VerifiedEvents verified(8);
  verified.Remember(3, Digest(1));
  verified.Remember(11, Digest(2));  // 11 % 8 == 3
  CHECK_FALSE(verified.Contains(3, Digest(1)));
  CHECK(verified.Contains(11, Digest(2)));
}

TEST_CASE("verified events never match an empty slot") {
  VerifiedEvents verified(8);
  verified.Remember(1, Digest(1));
  CHECK_FALSE(verified.Contains(0, Hash256{}));  // slot 0 is empty: seq_plus_one 0
}

}  // namespace
}  // namespace backpack
