// Validation of untrusted JSON request bodies (SPEC §2 invariant 7).
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/utf8.h"
#include "http/request.h"

namespace backpack::http {
namespace {

namespace json = boost::json;

// A basic_parser handler that only looks at object keys, stopping at the
// first key an object holds twice (compared unescaped). json::parse keeps
// the last such value silently; a body whose readers could disagree on a
// field's value is refused instead.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::optional<std::string> duplicate;  // the first key seen twice

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    open_.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view part, std::size_t, json::error_code& ec) {
    key_.append(part.data(), part.size());
    const bool fresh = open_.back().insert(key_).second;
    if (!fresh) {
      duplicate = key_;
      ec = json::error::syntax;  // stops the parser; `duplicate` says why
    }
    key_.clear();
    return fresh;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::vector<std::set<std::string>> open_;  // keys of each object being read
  std::string key_;
};

// The first key that an object in `body` (valid JSON) holds twice, if any.
std::optional<std::string> DuplicateKey(std::string_view body, const json::parse_options& options) {
  json::basic_parser<DuplicateKeyFinder> parser(options);
  json::error_code ec;
  parser.write_some(false, body.data(), body.size(), ec);
  return parser.handler().duplicate;
}

}  // namespace

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
  if (std::optional<std::string> key = DuplicateKey(body, options)) {
    const bool printable = IsCleanText(*key, /*multiline=*/false) && key->size() <= 64;
    return Err(InvalidArgumentError("request body has the key \"" + (printable ? *key : "?") +
                                    "\" twice in one object"));
  }
  return std::move(value.as_object());
}

}  // namespace backpack::http
