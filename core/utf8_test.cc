#include "core/utf8.h"

#include <catch2/catch.hpp>
#include <string>

using namespace backpack;

namespace {

std::string Repeat(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

}  // namespace

TEST_CASE("Utf8Length counts code points") {
  CHECK(Utf8Length("") == 0);
  CHECK(Utf8Length("abc") == 3);
  CHECK(Utf8Length("\xe2\x82\xac\xe2\x82\xac") == 2);  // two euro signs, six bytes
  CHECK(Utf8Length("Zo\xc3\xab") == 3);
}

TEST_CASE("DecodeUtf8 decodes well-formed sequences and steps over anything else") {
  std::string_view text = "a\xc3\xab\xe2\x82\xac\xf0\x9f\x98\x80";
  size_t i = 0;
  CHECK(DecodeUtf8(text, &i) == U'a');
  CHECK(DecodeUtf8(text, &i) == U'\u00eb');
  CHECK(DecodeUtf8(text, &i) == U'\u20ac');
  CHECK(DecodeUtf8(text, &i) == U'\U0001F600');
  CHECK(i == text.size());
  for (std::string_view bad : {"\xc1\x81", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                               "\x80", "\xff", "\xe2\x82"}) {
    size_t at = 0;
    CHECK_FALSE(DecodeUtf8(bad, &at));
    CHECK(at == 1);
    CHECK_FALSE(IsValidUtf8(bad));
  }
}

TEST_CASE("VisibleLength counts only what a reader sees") {
  CHECK(VisibleLength("  a b\tc\n") == 3);
  CHECK(VisibleLength("\xe2\x82\xac\xf0\x9f\x98\x80") == 2);  // a euro sign and an emoji
  CHECK(VisibleLength("Zoe\xcc\x88") == 3);                   // a combining mark on a letter
  // Twenty of each of these look like nothing at all.
  for (std::string_view blank : {"\xe2\x80\x8b",      // zero-width space
                                 "\xef\xbb\xbf",      // byte order mark
                                 "\xc2\xad",          // soft hyphen
                                 "\xe2\x81\xa0",      // word joiner
                                 "\xe3\x80\x80",      // ideographic space
                                 "\xc2\xa0",          // no-break space
                                 "\xe3\x85\xa4",      // Hangul filler
                                 "\xe2\xa0\x80",      // blank braille pattern
                                 "\xc2\x80",          // a C1 control
                                 "\xcd\x8f",          // combining grapheme joiner
                                 "\xd8\x9c",          // Arabic letter mark
                                 "\xef\xb8\x8f",      // variation selector
                                 "\xf3\xa0\x80\xa0",  // tag space
                                 "\xcc\x81",          // a combining mark on its own
                                 "\xee\x80\x80",      // private use
                                 "\xff"}) {           // not UTF-8 at all
    CAPTURE(blank);
    CHECK(VisibleLength(Repeat(blank, 20)) == 0);
  }
}

TEST_CASE("IsCleanText refuses controls, C1 included, and text that is not UTF-8") {
  CHECK(IsCleanText("Plain text, \xc3\xa9t\xc3\xa9", false));
  CHECK(IsCleanText("two\nlines\tand a tab", true));
  CHECK_FALSE(IsCleanText("two\nlines", false));
  CHECK_FALSE(IsCleanText(std::string("nul\0byte", 8), true));
  CHECK_FALSE(IsCleanText("del\x7f", true));
  CHECK_FALSE(IsCleanText("c1\xc2\x85", true));
  CHECK_FALSE(IsCleanText("bad\xff", true));
}

TEST_CASE("IsCleanLine refuses line separators and bidirectional controls as well") {
  CHECK(
      IsCleanLine("Ana Mar\xc3\xad"
                  "a O'Neil-\xd8\xb9\xd9\x84\xd9\x8a"));  // accents, Arabic
  CHECK_FALSE(IsCleanLine("tab\there"));
  CHECK_FALSE(IsCleanLine("line\xe2\x80\xa8separator"));       // U+2028
  CHECK_FALSE(IsCleanLine("paragraph\xe2\x80\xa9separator"));  // U+2029
  CHECK_FALSE(
      IsCleanLine("Admin \xe2\x80\xae"
                  "nimda"));                                     // U+202E right-to-left override
  CHECK_FALSE(IsCleanLine("isolate\xe2\x81\xa6x\xe2\x81\xa9"));  // U+2066 .. U+2069
  CHECK_FALSE(IsCleanLine("mark\xe2\x80\x8f"));                  // U+200F
  CHECK_FALSE(IsCleanLine("bad\xff"));
}
