// Validation of untrusted API input at the edge (SPEC §2 invariant 7): path
// ids, query parameters and JSON body fields. Every reader collects all the
// problems it finds, so a client learns everything wrong at once, and none
// of them echoes a value back (values may be personal data).
//
// Thread-safety: values; pure functions.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/utf8.h"  // IsCleanText, Utf8Length, VisibleLength
#include "http/request.h"

namespace backpack::api {

// True if `id` is `prefix`, '_' and 1..64 lowercase hex digits: the shape of
// every Backpack id (stu_, usr_, note_, grant_, alr_, corr_, del_, ...).
bool IsOpaqueId(std::string_view id, std::string_view prefix);
// True if `id` could be a OneRoster sourcedId (class, school): 1..128 bytes
// of [A-Za-z0-9._:-].
bool IsSourcedId(std::string_view id);
// True if `name` could be a username: 1..64 bytes of [A-Za-z0-9._@+-].
bool IsUsername(std::string_view name);

// The body of `request` as a JSON object, sent as application/json; an empty
// body counts as {} when `empty_ok`, whatever its type. kInvalidArgument
// (answer 400) otherwise.
Result<boost::json::object> ParseBody(const http::HttpRequest& request, bool empty_ok = false);

// 422 unprocessable with `message` and one detail {field, message}: for a
// command that refused a body its fields had already accepted (no such
// student, an event not about this student). `field` names the body field
// the complaint is about.
http::HttpResponse UnprocessableField(std::string_view field, std::string_view message);

// Typed fields of one JSON object; problems become 422 `details`
// ([{field, message}]). Fields the route does not read are problems too, so
// a misspelt field is never silently ignored. Call Finish() once every
// field has been read.
class BodyFields {
 public:
  // `prefix` names nested objects in details, e.g. "scope.".
  explicit BodyFields(const boost::json::object& body, std::string prefix = "");

  // A string of 1..`max_chars` code points that is not blank and has no
  // control characters (but tab/CR/LF when `multiline`). Nullopt when
  // absent (a problem only if `required`) or invalid.
  std::optional<std::string> Text(std::string_view field, size_t max_chars, bool required = true,
                                  bool multiline = false);
  // A string passing `valid` (e.g. IsSourcedId). Nullopt when absent (a
  // problem only if `required`) or invalid.
  std::optional<std::string> Token(std::string_view field, bool (*valid)(std::string_view),
                                   bool required = true);
  // A boolean; `fallback` when absent, nullopt if not a boolean.
  std::optional<bool> Bool(std::string_view field, bool fallback);
  // A non-negative integer (required).
  std::optional<uint64_t> Uint(std::string_view field);
  // A nested object (required); nullptr if absent or not an object.
  const boost::json::object* Object(std::string_view field);
  // An array of 1..`max_items` strings each passing `valid`.
  std::optional<std::vector<std::string>> Strings(std::string_view field, size_t max_items,
                                                  bool (*valid)(std::string_view));
  // True if `field` is present and not null.
  bool Has(std::string_view field) const;
  // Counts `field` as read without reading it: a known field whose problem
  // was reported otherwise, which Finish should not call unknown.
  void Skip(std::string_view field);

  void Problem(std::string_view field, std::string_view message);
  // Adds the problems of a nested reader.
  void Merge(BodyFields& nested);
  // Flags unread fields; true if there is no problem at all.
  bool Finish();
  // 422 unprocessable with every problem as details.
  http::HttpResponse Unprocessable() const;
  const boost::json::array& problems() const { return problems_; }

 private:
  const boost::json::value* Find(std::string_view field);

  const boost::json::object& body_;
  std::string prefix_;
  std::set<std::string, std::less<>> read_;
  boost::json::array problems_;
};

// Query parameters; problems become 400 `details` ([{field, message}]).
// Unknown parameters are ignored (browsers and proxies add their own), but
// a repeated known one is a problem.
class QueryFields {
 public:
  explicit QueryFields(const http::HttpRequest& request) : request_(request) {}

  // Clean single-line text of at most `max_chars` code points; nullopt if
  // absent or invalid.
  std::optional<std::string> Text(std::string_view key, size_t max_chars);
  // An id passing IsOpaqueId(value, prefix).
  std::optional<std::string> Id(std::string_view key, std::string_view prefix);
  // A decimal integer in [min, max].
  std::optional<int64_t> Int(std::string_view key, int64_t min, int64_t max);
  // An ISO 8601 time (projections/audit/audit_time.h); with `until` a bare
  // date means the end of that day.
  std::optional<int64_t> Time(std::string_view key, bool until);
  // Records a problem if `key` is absent.
  void Require(std::string_view key);

  void Problem(std::string_view key, std::string_view message);
  bool ok() const { return problems_.empty(); }
  // 400 bad_request with every problem as details.
  http::HttpResponse BadRequest() const;

 private:
  // The value of `key`, nullopt if absent; a problem if repeated.
  std::optional<std::string_view> Get(std::string_view key);

  const http::HttpRequest& request_;
  boost::json::array problems_;
};

}  // namespace backpack::api
