// UTF-8 text: validation, decoding and what counts as a character, shared by
// the HTTP edge and the commands behind it, so that a limit means the same
// thing wherever it is checked.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace backpack {

// True if `bytes` is well-formed UTF-8 (no overlongs, surrogates or values
// above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// The code point starting at text[*i], advancing *i past it; for a byte that
// does not start a well-formed sequence, nullopt, and *i advances by one.
// Requires *i < text.size().
std::optional<char32_t> DecodeUtf8(std::string_view text, size_t* i);

// The number of code points in UTF-8 `text` (the bytes that start one).
size_t Utf8Length(std::string_view text);

// The characters a reader sees in `text`: well-formed code points other than
// controls (C0, C1, DEL), whitespace, default-ignorable ones (zero-width
// spaces and joiners, bidirectional controls, the soft hyphen, the byte
// order mark, variation selectors, tags, Hangul fillers, ...), combining
// marks on their own, the blank braille pattern and private-use characters.
// Bytes that are not UTF-8 count for nothing.
size_t VisibleLength(std::string_view text);

// Well-formed UTF-8 without control characters (C0, DEL, C1); tab, CR and LF
// are allowed when `multiline`.
bool IsCleanText(std::string_view text, bool multiline);

// True if `text` holds a bidirectional embedding, override or isolate
// (U+202A-U+202E, U+2066-U+2069): the controls that reorder the text after
// them, so that what others are shown reads as something else. Bytes that
// are not UTF-8 are skipped.
bool HasBidiReordering(std::string_view text);

// True if `text` holds a bidirectional control: HasBidiReordering's, or a
// direction mark (U+061C, U+200E, U+200F). Marks reorder nothing, and
// right-to-left text from elsewhere may carry them (imports allow them), but
// a name typed here needs none.
bool HasBidiControl(std::string_view text);

// Clean one-line text (IsCleanText) that also holds no line or paragraph
// separator (U+2028, U+2029) and no bidirectional control (HasBidiControl):
// for names.
bool IsCleanLine(std::string_view text);

}  // namespace backpack
