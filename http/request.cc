#include "http/request.h"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstdint>

#include "core/crypto.h"

namespace backpack::http {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A qvalue ("0", "0.5", "1.000", ...; RFC 9110 §12.4.2) in thousandths.
std::optional<int> ParseQValue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  if (text.size() > 1 && (text[1] != '.' || text.size() > 5)) return std::nullopt;
  int thousandths = (text[0] - '0') * 1000;
  int scale = 100;
  for (char c : text.substr(std::min<size_t>(text.size(), 2))) {
    if (c < '0' || c > '9') return std::nullopt;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  if (thousandths > 1000) return std::nullopt;
  return thousandths;
}

// One media range of an Accept header: its specificity for `media_type`
// (3 the type itself, 2 "type/*", 1 "*/*"; 0 if it does not match) and its
// q-value in thousandths (nullopt if malformed).
struct RangeRating {
  int specificity = 0;
  std::optional<int> quality = 1000;
};
RangeRating RateRange(std::string_view range, std::string_view media_type) {
  RangeRating rating;
  const size_t semicolon = range.find(';');
  const std::string_view name = TrimBlanks(range.substr(0, semicolon));
  const std::string_view type = media_type.substr(0, media_type.find('/'));
  if (EqualsIgnoreCase(name, media_type)) {
    rating.specificity = 3;
  } else if (name.size() == type.size() + 2 &&
             EqualsIgnoreCase(name.substr(0, type.size()), type) &&
             name.substr(type.size()) == "/*") {
    rating.specificity = 2;
  } else if (name == "*/*") {
    rating.specificity = 1;
  }
  std::string_view params = semicolon == std::string_view::npos ? "" : range.substr(semicolon + 1);
  while (!params.empty()) {
    const size_t next = params.find(';');
    const std::string_view param = TrimBlanks(params.substr(0, next));
    params = next == std::string_view::npos ? "" : params.substr(next + 1);
    const size_t equals = param.find('=');
    if (equals == std::string_view::npos) continue;
    if (EqualsIgnoreCase(TrimBlanks(param.substr(0, equals)), "q")) {
      rating.quality = ParseQValue(TrimBlanks(param.substr(equals + 1)));
    }
  }
  return rating;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<int> AcceptQuality(std::string_view accept, std::string_view media_type,
                                 bool wildcards) {
  int best_specificity = 0;
  std::optional<int> best;
  while (true) {
    const size_t comma = accept.find(',');
    const RangeRating r = RateRange(accept.substr(0, comma), media_type);
    const bool counts = r.quality && (r.specificity == 3 || (wildcards && r.specificity > 0));
    if (counts && (r.specificity > best_specificity ||
                   (r.specificity == best_specificity && *r.quality > *best))) {
      best_specificity = r.specificity;
      best = r.quality;
    }
    if (comma == std::string_view::npos) return best;
    accept.remove_prefix(comma + 1);
  }
}

void HeaderMap::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> HeaderMap::Get(std::string_view name) const {
  for (const auto& [field_name, value] : fields_) {
    if (EqualsIgnoreCase(field_name, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> HeaderMap::GetAll(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [field_name, value] : fields_) {
    if (EqualsIgnoreCase(field_name, name)) values.emplace_back(value);
  }
  return values;
}

std::string HttpRequest::MediaType() const {
  std::string_view value = headers.Get("Content-Type").value_or("");
  value = value.substr(0, value.find(';'));
  std::string out;
  for (char c : value) {
    if (c != ' ' && c != '\t') out += AsciiLower(c);
  }
  return out;
}

std::optional<std::string_view> HttpRequest::QueryValue(std::string_view key) const {
  for (const QueryParam& param : query) {
    if (param.key == key) return std::string_view(param.value);
  }
  return std::nullopt;
}

namespace {

// The origin form ("/path?query"), or the absolute form ("http://host/path?query"),
// which RFC 9112 §3.2.2 requires a server to accept; its authority is not used.
std::optional<boost::urls::url_view> ParseTargetForm(std::string_view target) {
  if (auto origin = boost::urls::parse_origin_form(target)) return *origin;
  auto absolute = boost::urls::parse_absolute_uri(target);
  if (!absolute) return std::nullopt;
  auto scheme = absolute->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    return std::nullopt;
  }
  // "http:api/me" has neither an authority nor an absolute path.
  if (!absolute->has_authority() ||
      (!absolute->encoded_path().empty() && !absolute->encoded_path().starts_with("/"))) {
    return std::nullopt;
  }
  return *absolute;
}

}  // namespace

Status ParseTarget(std::string_view target, std::string* path, std::vector<QueryParam>* query) {
  auto parsed = ParseTargetForm(target);
  if (!parsed) return InvalidArgumentError("malformed request target");
  const boost::urls::url_view& url = *parsed;
  *path = url.encoded_path().empty() ? std::string("/") : std::string(url.encoded_path());
  query->clear();
  boost::urls::encoding_opts form_encoding;
  form_encoding.space_as_plus = true;
  for (const auto& param : url.params(form_encoding)) {
    query->push_back(QueryParam{std::string(param.key), std::string(param.value)});
  }
  return OkStatus();
}

std::string NewRequestId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<uint8_t, 16> random{};
  RandomFill(random);
  std::string id;
  id.reserve(random.size() * 2);
  for (uint8_t byte : random) {
    id.push_back(kHex[byte >> 4]);
    id.push_back(kHex[byte & 0x0f]);
  }
  return id;
}

}  // namespace backpack::http
