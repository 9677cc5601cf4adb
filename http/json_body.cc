// Validation of untrusted JSON request bodies (SPEC §2 invariant 7).
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <cstdint>
#include <string>

#include "http/request.h"

namespace backpack::http {
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

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<uint8_t>(bytes[i]);
    const int extra = ContinuationCount(lead);
    if (extra < 0) return false;
    if (static_cast<size_t>(extra) >= bytes.size() - i) return false;  // Truncated.
    if (extra > 0 && !SecondByteOk(lead, static_cast<uint8_t>(bytes[i + 1]))) return false;
    for (int k = 2; k <= extra; ++k) {
      if (!IsContinuation(static_cast<uint8_t>(bytes[i + k]))) return false;
    }
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

Result<boost::json::object> ParseJsonObject(std::string_view body, std::size_t max_depth) {
  if (body.empty()) return Err(InvalidArgumentError("request body must be a JSON object"));
  if (!IsValidUtf8(body)) return Err(InvalidArgumentError("request body is not valid UTF-8"));
  boost::json::parse_options options;
  options.max_depth = max_depth;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec, {}, options);
  if (ec == boost::json::error::too_deep) {
    return Err(InvalidArgumentError("JSON nesting is deeper than " + std::to_string(max_depth) +
                                    " levels"));
  }
  if (ec) return Err(InvalidArgumentError("request body is not valid JSON: " + ec.message()));
  if (!value.is_object()) return Err(InvalidArgumentError("request body must be a JSON object"));
  return std::move(value.as_object());
}

}  // namespace backpack::http
