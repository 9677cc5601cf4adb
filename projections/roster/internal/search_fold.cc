#include "projections/roster/internal/search_fold.h"

#include <cstdint>
#include <optional>

#include "core/utf8.h"

namespace backpack::roster {
namespace {

// Base letters of U+00C0..U+00FF, one entry per code point; "" keeps the
// character (× and ÷).
constexpr std::string_view kLatin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  // C0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  // E0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

// Ranges of code points that fold to one base letter.
struct FoldRange {
  uint32_t first, last;
  std::string_view base;
};
constexpr FoldRange kRanges[] = {
    // Latin Extended-A.
    {0x100, 0x105, "a"},
    {0x106, 0x10D, "c"},
    {0x10E, 0x111, "d"},
    {0x112, 0x11B, "e"},
    {0x11C, 0x123, "g"},
    {0x124, 0x127, "h"},
    {0x128, 0x131, "i"},
    {0x132, 0x133, "ij"},
    {0x134, 0x135, "j"},
    {0x136, 0x138, "k"},
    {0x139, 0x142, "l"},
    {0x143, 0x14B, "n"},
    {0x14C, 0x151, "o"},
    {0x152, 0x153, "oe"},
    {0x154, 0x159, "r"},
    {0x15A, 0x161, "s"},
    {0x162, 0x167, "t"},
    {0x168, 0x173, "u"},
    {0x174, 0x175, "w"},
    {0x176, 0x178, "y"},
    {0x179, 0x17E, "z"},
    {0x17F, 0x17F, "s"},
    // Vietnamese: horned o and u (Latin Extended-B), and Latin Extended Additional.
    {0x1A0, 0x1A1, "o"},
    {0x1AF, 0x1B0, "u"},
    {0x1EA0, 0x1EB7, "a"},
    {0x1EB8, 0x1EC7, "e"},
    {0x1EC8, 0x1ECB, "i"},
    {0x1ECC, 0x1EE3, "o"},
    {0x1EE4, 0x1EF1, "u"},
    {0x1EF2, 0x1EF9, "y"}};

// The base letters of `cp`, or nullopt to keep it; "" drops it.
std::optional<std::string_view> Fold(char32_t cp) {
  if (cp >= 0x300 && cp <= 0x36F) return std::string_view();  // combining marks
  if (cp >= 0xC0 && cp <= 0xFF) {
    std::string_view base = kLatin1[cp - 0xC0];
    return base.empty() ? std::nullopt : std::optional(base);
  }
  for (const FoldRange& range : kRanges) {
    if (cp >= range.first && cp <= range.last) return range.base;
  }
  return std::nullopt;
}

}  // namespace

std::string FoldForSearch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    std::optional<char32_t> cp = DecodeUtf8(text, &i);
    if (cp && *cp >= 'A' && *cp <= 'Z') {
      out.push_back(static_cast<char>(*cp - 'A' + 'a'));
      continue;
    }
    std::optional<std::string_view> base = cp ? Fold(*cp) : std::nullopt;
    if (base) {
      out += *base;
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

std::vector<std::string> SearchWords(std::string_view query) {
  auto separator = [](char c) {
    return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n';
  };
  std::vector<std::string> words;
  size_t start = 0;
  for (size_t i = 0; i <= query.size(); ++i) {
    if (i < query.size() && !separator(query[i])) continue;
    if (i > start) words.push_back(FoldForSearch(query.substr(start, i - start)));
    start = i + 1;
  }
  return words;
}

}  // namespace backpack::roster
