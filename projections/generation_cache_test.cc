// GenerationCache: a reader may cache what it read only if nothing it read
// was invalidated meanwhile; invalidating some keys keeps the others.
#include "projections/generation_cache.h"

#include <catch2/catch.hpp>

using backpack::GenerationCache;

TEST_CASE("invalidating some keys keeps the others") {
  GenerationCache<int> cache(8);
  cache.Insert("a", cache.generation(), 1);
  cache.Insert("b", cache.generation(), 2);
  cache.Invalidate(std::vector<std::string>{"a"});
  CHECK_FALSE(cache.Find("a"));
  REQUIRE(cache.Find("b"));
  CHECK(*cache.Find("b") == 2);
  cache.Invalidate();
  CHECK_FALSE(cache.Find("b"));
}

TEST_CASE("a value read before its key was invalidated is not cached") {
  GenerationCache<int> cache(8);
  const uint64_t read_a = cache.generation();  // a reader starts reading a and b
  const uint64_t read_b = cache.generation();
  cache.Invalidate(std::vector<std::string>{"a"});  // a commit about a becomes durable
  cache.Insert("a", read_a, 1);                     // stale: refused
  cache.Insert("b", read_b, 2);                     // b did not change: kept
  CHECK_FALSE(cache.Find("a"));
  CHECK(cache.Find("b"));
  cache.Insert("a", cache.generation(), 3);  // read after the change: kept
  REQUIRE(cache.Find("a"));
  CHECK(*cache.Find("a") == 3);
}

TEST_CASE("a value read before everything was invalidated is not cached") {
  GenerationCache<int> cache(8);
  const uint64_t read_at = cache.generation();
  cache.Invalidate();
  cache.Insert("a", read_at, 1);
  CHECK_FALSE(cache.Find("a"));
}

TEST_CASE("past the bound on remembered invalidations, everything is invalidated") {
  GenerationCache<int> cache(8);
  cache.Insert("kept until the bound", cache.generation(), 1);
  const uint64_t read_at = cache.generation();
  std::vector<std::string> many;
  for (int i = 0; i < (1 << 16) + 1; ++i) many.push_back(std::to_string(i));
  cache.Invalidate(many);
  CHECK_FALSE(cache.Find("kept until the bound"));
  cache.Insert("never invalidated by name", read_at, 2);  // read before: refused
  CHECK_FALSE(cache.Find("never invalidated by name"));
}
