// Validation of untrusted JSON request bodies (SPEC §2 invariant 7).
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <optional>
#include <string>

#include "core/json_keys.h"
#include "core/utf8.h"
#include "http/request.h"

namespace backpack::http {

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
  if (std::optional<std::string> key = DuplicateJsonKey(body, options)) {
    const bool printable = IsCleanText(*key, /*multiline=*/false) && key->size() <= 64;
    return Err(InvalidArgumentError("request body has the key \"" + (printable ? *key : "?") +
                                    "\" twice in one object"));
  }
  return std::move(value.as_object());
}

}  // namespace backpack::http
