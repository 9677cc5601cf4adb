#include "core/string_sequence.h"

#include <catch2/catch.hpp>
#include <string>

#include "core/position_index.h"

namespace backpack {
namespace {

TEST_CASE("a string sequence reads back each string at its position, empty ones too") {
  StringSequence strings;
  strings.Append("first");
  strings.Append("");
  strings.Append(std::string(1000, 'x'));  // grows the buffer past the others
  strings.Append("last");
  REQUIRE(strings.size() == 4);
  CHECK(strings[0] == "first");
  CHECK(strings[1].empty());
  CHECK(strings[2] == std::string(1000, 'x'));
  CHECK(strings[3] == "last");

  PositionIndex index;
  for (uint32_t i = 0; i < strings.size(); ++i) index.Set(i, strings.key_at());
  CHECK(index.Find("last", strings.key_at()) == 3u);
  CHECK(index.Find("", strings.key_at()) == 1u);

  strings.Clear();
  CHECK(strings.size() == 0);
  strings.Append("again");
  CHECK(strings[0] == "again");
}

}  // namespace
}  // namespace backpack
