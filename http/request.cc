#include "http/request.h"

#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstdint>

#include "core/crypto.h"

namespace backpack::http {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace

void HeaderMap::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> HeaderMap::Get(std::string_view name) const {
  for (const auto& [field_name, value] : fields_) {
    if (EqualsIgnoreCase(field_name, name)) return std::string_view(value);
  }
  return std::nullopt;
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
