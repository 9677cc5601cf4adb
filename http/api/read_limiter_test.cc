#include "http/api/read_limiter.h"

#include <catch2/catch.hpp>

namespace backpack::api {
namespace {

TEST_CASE("read limiter refuses an account's read beyond its limit until one ends") {
  auto limiter = ReadLimiter::Create(2);
  ReadSlot first = limiter->TryAcquire("usr_a");
  ReadSlot second = limiter->TryAcquire("usr_a");
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(limiter->TryAcquire("usr_a"));
  CHECK(limiter->InProgress("usr_a") == 2);
  first.reset();
  CHECK(limiter->InProgress("usr_a") == 1);
  CHECK(limiter->TryAcquire("usr_a"));
}

TEST_CASE("read limiter counts each account on its own") {
  auto limiter = ReadLimiter::Create(1);
  ReadSlot a = limiter->TryAcquire("usr_a");
  REQUIRE(a);
  CHECK_FALSE(limiter->TryAcquire("usr_a"));
  CHECK(limiter->TryAcquire("usr_b"));
}

TEST_CASE("read limiter slot outlives the limiter's owner and releases once") {
  auto limiter = ReadLimiter::Create(1);
  ReadSlot slot = limiter->TryAcquire("usr_a");
  ReadSlot copy = slot;
  std::weak_ptr<ReadLimiter> weak = limiter;
  limiter.reset();
  REQUIRE_FALSE(weak.expired());  // held by the slot
  CHECK(weak.lock()->InProgress("usr_a") == 1);
  slot.reset();
  CHECK(weak.lock()->InProgress("usr_a") == 1);  // a copy is still alive
  copy.reset();
  CHECK(weak.expired());
}

}  // namespace
}  // namespace backpack::api
