// Duplicate object keys in JSON text. boost::json::parse keeps the last of a
// key an object holds twice, silently; input whose readers could disagree on
// a field's value (one keeping the first, another the last) is refused by
// its callers instead: HTTP bodies (http/json_body.cc) and history bundles
// (projections/family/verify_export.cc).
#pragma once

#include <boost/json/parse_options.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace backpack {

// The first key (unescaped) that an object in `text` holds twice, if any.
// `text` should already have parsed as JSON under `options`; if it does
// not, what was read before the error counts.
std::optional<std::string> DuplicateJsonKey(std::string_view text,
                                            const boost::json::parse_options& options);

}  // namespace backpack
