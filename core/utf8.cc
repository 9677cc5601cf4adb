#include "core/utf8.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace backpack {
namespace {

// Number of continuation bytes after lead byte `b`, or -1 if `b` cannot start
// a sequence (continuation bytes, C0/C1 overlong leads, F5..FF).
int ContinuationCount(uint8_t b) {
  if (b < 0x80) return 0;
  if (b >= 0xC2 && b <= 0xDF) return 1;
  if (b >= 0xE0 && b <= 0xEF) return 2;
  if (b >= 0xF0 && b <= 0xF4) return 3;
  return -1;
}

// Range the second byte must lie in, which rules out overlongs (E0, F0),
// surrogates (ED) and code points above U+10FFFF (F4).
bool SecondByteOk(uint8_t lead, uint8_t second) {
  switch (lead) {
    case 0xE0:
      return second >= 0xA0 && second <= 0xBF;
    case 0xED:
      return second >= 0x80 && second <= 0x9F;
    case 0xF0:
      return second >= 0x90 && second <= 0xBF;
    case 0xF4:
      return second >= 0x80 && second <= 0x8F;
    default:
      return second >= 0x80 && second <= 0xBF;
  }
}

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Code points a reader does not see (inclusive ranges): whitespace (Zs, Zl,
// Zp and the C0 spaces), controls, Default_Ignorable_Code_Point, combining
// mark blocks, the blank braille pattern and the private-use areas.
constexpr std::pair<char32_t, char32_t> kInvisible[] = {
    {0x00, 0x20},       {0x7F, 0xA0},       {0xAD, 0xAD},       {0x300, 0x36F},
    {0x483, 0x489},     {0x591, 0x5BD},     {0x61C, 0x61C},     {0x115F, 0x1160},
    {0x1680, 0x1680},   {0x17B4, 0x17B5},   {0x180B, 0x180F},   {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF},   {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x206F},
    {0x20D0, 0x20FF},   {0x2800, 0x2800},   {0x3000, 0x3000},   {0x3164, 0x3164},
    {0xE000, 0xF8FF},   {0xFE00, 0xFE0F},   {0xFE20, 0xFE2F},   {0xFEFF, 0xFEFF},
    {0xFFA0, 0xFFA0},   {0xFFF0, 0xFFF8},   {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
    {0xE0000, 0xE0FFF}, {0xF0000, 0x10FFFF}};

bool IsInvisible(char32_t cp) {
  return std::any_of(std::begin(kInvisible), std::end(kInvisible),
                     [cp](const auto& range) { return cp >= range.first && cp <= range.second; });
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    if (!DecodeUtf8(bytes, &i)) return false;
  }
  return true;
}

std::optional<char32_t> DecodeUtf8(std::string_view text, size_t* i) {
  const auto lead = static_cast<uint8_t>(text[*i]);
  const int extra = ContinuationCount(lead);
  if (extra < 0 || static_cast<size_t>(extra) >= text.size() - *i ||
      (extra > 0 && !SecondByteOk(lead, static_cast<uint8_t>(text[*i + 1])))) {
    ++*i;
    return std::nullopt;
  }
  char32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto byte = static_cast<uint8_t>(text[*i + static_cast<size_t>(k)]);
    if (!IsContinuation(byte)) {
      ++*i;
      return std::nullopt;
    }
    cp = (cp << 6) | (byte & 0x3F);
  }
  *i += static_cast<size_t>(extra) + 1;
  return cp;
}

size_t Utf8Length(std::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

size_t VisibleLength(std::string_view text) {
  size_t visible = 0;
  for (size_t i = 0; i < text.size();) {
    std::optional<char32_t> cp = DecodeUtf8(text, &i);
    if (cp && !IsInvisible(*cp)) ++visible;
  }
  return visible;
}

bool IsCleanText(std::string_view text, bool multiline) {
  for (size_t i = 0; i < text.size();) {
    std::optional<char32_t> cp = DecodeUtf8(text, &i);
    if (!cp) return false;
    bool allowed_space = multiline && (*cp == '\t' || *cp == '\r' || *cp == '\n');
    bool control = *cp < 0x20 || (*cp >= 0x7F && *cp <= 0x9F);
    if (control && !allowed_space) return false;
  }
  return true;
}

namespace {

bool IsBidiReordering(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool IsBidiMark(char32_t cp) { return cp == 0x061C || cp == 0x200E || cp == 0x200F; }

template <typename Predicate>
bool HasCodePoint(std::string_view text, Predicate matches) {
  for (size_t i = 0; i < text.size();) {
    const std::optional<char32_t> cp = DecodeUtf8(text, &i);
    if (cp && matches(*cp)) return true;
  }
  return false;
}

}  // namespace

bool HasBidiReordering(std::string_view text) { return HasCodePoint(text, IsBidiReordering); }

bool HasBidiControl(std::string_view text) {
  return HasCodePoint(text, [](char32_t cp) { return IsBidiReordering(cp) || IsBidiMark(cp); });
}

bool IsCleanLine(std::string_view text) {
  if (!IsCleanText(text, /*multiline=*/false) || HasBidiControl(text)) return false;
  for (size_t i = 0; i < text.size();) {
    const char32_t cp = *DecodeUtf8(text, &i);  // well-formed: checked above
    if (cp == 0x2028 || cp == 0x2029) return false;
  }
  return true;
}

}  // namespace backpack
