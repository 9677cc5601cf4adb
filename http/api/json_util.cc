#include "http/api/json_util.h"

#include <charconv>

#include "core/utf8.h"
#include "projections/audit/audit_time.h"

namespace backpack::api {
namespace json = boost::json;
namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool AllOf(std::string_view text, size_t max, bool (*ok)(char)) {
  if (text.empty() || text.size() > max) return false;
  for (char c : text) {
    if (!ok(c)) return false;
  }
  return true;
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

json::object Detail(std::string_view field, std::string_view message) {
  return json::object{{"field", field}, {"message", message}};
}

// Why `text` is not acceptable as a text field, or "" if it is.
std::string TextProblem(std::string_view text, size_t max_chars, bool multiline) {
  if (!IsCleanText(text, multiline)) return "must be text without control characters";
  if (VisibleLength(text) == 0) return "must not be blank";  // zero-width spaces are blank too
  if (Utf8Length(text) > max_chars) {
    return "must be at most " + std::to_string(max_chars) + " characters";
  }
  return "";
}

}  // namespace

bool IsOpaqueId(std::string_view id, std::string_view prefix) {
  if (id.size() <= prefix.size() + 1 || id.substr(0, prefix.size()) != prefix ||
      id[prefix.size()] != '_') {
    return false;
  }
  return AllOf(id.substr(prefix.size() + 1), 64, IsLowerHex);
}

bool IsSourcedId(std::string_view id) {
  return AllOf(id, 128,
               [](char c) { return IsAlnum(c) || c == '.' || c == '_' || c == ':' || c == '-'; });
}

bool IsUsername(std::string_view name) {
  return AllOf(name, 64, [](char c) {
    return IsAlnum(c) || c == '.' || c == '_' || c == '@' || c == '+' || c == '-';
  });
}

Result<json::object> ParseBody(const http::HttpRequest& request, bool empty_ok) {
  if (empty_ok && IsBlank(request.body)) return json::object{};
  if (request.MediaType() != "application/json") {
    return Err(InvalidArgumentError("Content-Type must be application/json"));
  }
  return http::ParseJsonObject(request.body);
}

// ---- BodyFields -------------------------------------------------------------

BodyFields::BodyFields(const json::object& body, std::string prefix)
    : body_(body), prefix_(std::move(prefix)) {}

const json::value* BodyFields::Find(std::string_view field) {
  read_.insert(std::string(field));
  const json::value* value = body_.if_contains(field);
  return value && !value->is_null() ? value : nullptr;
}

bool BodyFields::Has(std::string_view field) const {
  const json::value* value = body_.if_contains(field);
  return value && !value->is_null();
}

void BodyFields::Skip(std::string_view field) { read_.insert(std::string(field)); }

std::optional<std::string> BodyFields::Text(std::string_view field, size_t max_chars, bool required,
                                            bool multiline) {
  const json::value* value = Find(field);
  if (!value) {
    if (required) Problem(field, "is required");
    return std::nullopt;
  }
  if (!value->is_string()) {
    Problem(field, "must be a string");
    return std::nullopt;
  }
  std::string_view text = value->get_string();
  if (std::string why = TextProblem(text, max_chars, multiline); !why.empty()) {
    Problem(field, why);
    return std::nullopt;
  }
  return std::string(text);
}

std::optional<std::string> BodyFields::Token(std::string_view field,
                                             bool (*valid)(std::string_view), bool required) {
  const json::value* value = Find(field);
  if (!value) {
    if (required) Problem(field, "is required");
    return std::nullopt;
  }
  if (!value->is_string() || !valid(value->get_string())) {
    Problem(field, "is not a valid id");
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<bool> BodyFields::Bool(std::string_view field, bool fallback) {
  const json::value* value = Find(field);
  if (!value) return fallback;
  if (!value->is_bool()) {
    Problem(field, "must be true or false");
    return std::nullopt;
  }
  return value->get_bool();
}

std::optional<uint64_t> BodyFields::Uint(std::string_view field) {
  const json::value* value = Find(field);
  if (!value) {
    Problem(field, "is required");
    return std::nullopt;
  }
  if (value->is_uint64()) return value->get_uint64();
  if (value->is_int64() && value->get_int64() >= 0) {
    return static_cast<uint64_t>(value->get_int64());
  }
  Problem(field, "must be a non-negative integer");
  return std::nullopt;
}

const json::object* BodyFields::Object(std::string_view field) {
  const json::value* value = Find(field);
  if (!value) {
    Problem(field, "is required");
    return nullptr;
  }
  if (!value->is_object()) {
    Problem(field, "must be an object");
    return nullptr;
  }
  return &value->get_object();
}

std::optional<std::vector<std::string>> BodyFields::Strings(std::string_view field,
                                                            size_t max_items,
                                                            bool (*valid)(std::string_view)) {
  const json::value* value = Find(field);
  if (!value) {
    Problem(field, "is required");
    return std::nullopt;
  }
  if (!value->is_array() || value->get_array().empty() || value->get_array().size() > max_items) {
    Problem(field, "must be an array of 1 to " + std::to_string(max_items) + " strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const json::value& item : value->get_array()) {
    if (!item.is_string() || !valid(item.get_string())) {
      Problem(field, "holds an invalid value");
      return std::nullopt;
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

void BodyFields::Problem(std::string_view field, std::string_view message) {
  problems_.push_back(Detail(prefix_ + std::string(field), message));
}

void BodyFields::Merge(BodyFields& nested) {
  nested.Finish();
  for (const json::value& p : nested.problems_) problems_.push_back(p);
}

bool BodyFields::Finish() {
  for (const auto& [key, value] : body_) {
    if (!read_.contains(std::string_view(key))) {
      Problem(IsCleanText(key, false) && key.size() <= 64 ? std::string_view(key) : "?",
              "is not a known field");
      read_.insert(std::string(key));
    }
  }
  return problems_.empty();
}

http::HttpResponse UnprocessableField(std::string_view field, std::string_view message) {
  json::array details{json::object{{"field", field}, {"message", message}}};
  return http::JsonError(422, "unprocessable", message, std::move(details));
}

http::HttpResponse BodyFields::Unprocessable() const {
  return http::JsonError(422, "unprocessable", "the request body has invalid fields", problems_);
}

// ---- QueryFields ------------------------------------------------------------

std::optional<std::string_view> QueryFields::Get(std::string_view key) {
  std::optional<std::string_view> found;
  for (const http::QueryParam& param : request_.query) {
    if (param.key != key) continue;
    if (found) {
      Problem(key, "must be given at most once");
      return std::nullopt;
    }
    found = param.value;
  }
  return found;
}

std::optional<std::string> QueryFields::Text(std::string_view key, size_t max_chars) {
  auto value = Get(key);
  if (!value) return std::nullopt;
  if (!IsCleanText(*value, false) || Utf8Length(*value) > max_chars) {
    Problem(key, "must be text of at most " + std::to_string(max_chars) + " characters");
    return std::nullopt;
  }
  return std::string(*value);
}

std::optional<std::string> QueryFields::Id(std::string_view key, std::string_view prefix) {
  auto value = Get(key);
  if (!value) return std::nullopt;
  if (!IsOpaqueId(*value, prefix)) {
    Problem(key, "must be an id starting with " + std::string(prefix) + "_");
    return std::nullopt;
  }
  return std::string(*value);
}

std::optional<int64_t> QueryFields::Int(std::string_view key, int64_t min, int64_t max) {
  auto value = Get(key);
  if (!value) return std::nullopt;
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (ec != std::errc() || end != value->data() + value->size() || parsed < min || parsed > max) {
    Problem(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return parsed;
}

std::optional<int64_t> QueryFields::Time(std::string_view key, bool until) {
  auto value = Get(key);
  if (!value) return std::nullopt;
  Result<int64_t> parsed = until ? ParseIsoTimeUntil(*value) : ParseIsoTime(*value);
  if (!parsed) {
    Problem(key, "must be an ISO 8601 date or time");
    return std::nullopt;
  }
  return *parsed;
}

void QueryFields::Require(std::string_view key) {
  if (!request_.QueryValue(key)) Problem(key, "is required");
}

void QueryFields::Problem(std::string_view key, std::string_view message) {
  problems_.push_back(Detail(key, message));
}

http::HttpResponse QueryFields::BadRequest() const {
  return http::JsonError(400, "bad_request", "the query has invalid parameters", problems_);
}

}  // namespace backpack::api
