// String assembly helpers for the demo generator.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace backpack::demo {

// Concatenates `parts` with one allocation. Used instead of `"a" + str`
// chains, which also trip a GCC 12 -Wrestrict false positive (GCC PR 105329).
inline std::string StrCat(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  std::string out;
  out.reserve(size);
  for (std::string_view part : parts) out.append(part);
  return out;
}

}  // namespace backpack::demo
