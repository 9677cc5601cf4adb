#include "projections/family/internal/opening.h"

#include <catch2/catch.hpp>

namespace backpack::family {
namespace {

TEST_CASE("an opening key opens exactly its own payload") {
  REQUIRE(CryptoInit().ok());
  AeadKey data_key;
  RandomFill(data_key);
  Bytes ad{'a', 'd'};
  Bytes first = AeadSeal(data_key, AsBytes("first payload"), ad);
  Bytes second = AeadSeal(data_key, AsBytes("second payload"), ad);
  auto key = OpeningKey(data_key, first);
  REQUIRE(key);
  CHECK(*key != data_key);
  auto opened = OpenWithOpeningKey(*key, first, ad);
  REQUIRE(opened);
  CHECK(AsChars(*opened) == "first payload");
  CHECK_FALSE(OpenWithOpeningKey(*key, second, ad));
  Bytes other_ad{'x'};
  CHECK_FALSE(OpenWithOpeningKey(*key, first, other_ad));
  Bytes tampered = first;
  tampered.back() ^= 1;
  CHECK_FALSE(OpenWithOpeningKey(*key, tampered, ad));
  CHECK_FALSE(OpeningKey(data_key, Bytes(10)));
}

}  // namespace
}  // namespace backpack::family
