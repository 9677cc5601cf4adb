// Plain value types for one HTTP exchange, and the helpers handlers use to
// build responses. Deliberately free of Beast and Asio: the transport
// (http/server.cc, http/internal/) converts to and from these at its edge.
//
// Thread-safety: these are values; distinct objects may be used from
// distinct threads without synchronization.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/utf8.h"

namespace backpack::http {

// An ordered list of header fields with case-insensitive name lookup.
class HeaderMap {
 public:
  void Add(std::string name, std::string value);
  // The first field named `name` (ASCII case-insensitive), if any.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every field named `name` (ASCII case-insensitive), in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// One decoded query parameter. Repeated keys keep their order.
struct QueryParam {
  std::string key;
  std::string value;
};

// A complete request as handlers see it. The transport has already enforced
// the header and body limits.
struct HttpRequest {
  std::string method;             // "GET", "POST", ... as sent (case-sensitive per RFC 9110).
  std::string target;             // Raw request target. Never log it: the query may hold ids.
  std::string path;               // Target's path, still percent-encoded; the router decodes it.
  std::vector<QueryParam> query;  // Percent-decoded; '+' decodes to a space.
  HeaderMap headers;
  std::string body;
  // The client's address, e.g. "127.0.0.1": the TCP peer's, or behind a
  // trusted proxy the one it forwarded (ClientAddress(), client_address.h).
  std::string client_ip;
  std::string request_id;  // 32 random hex characters, unique per request.

  // The first query parameter named `key` (case-sensitive), if any.
  std::optional<std::string_view> QueryValue(std::string_view key) const;
  // The media type of Content-Type, lowercased, without parameters or
  // blanks ("" if there is none).
  std::string MediaType() const;
};

// A response as handlers build it. The transport adds Content-Length,
// X-Request-Id, Connection, and defaults Cache-Control to no-store.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra fields, e.g. {"Set-Cookie", "..."}. Fields whose name or value
  // holds CR, LF or NUL are dropped by the transport (and logged).
  std::vector<std::pair<std::string, std::string>> headers;
  // Opaque id of the authenticated caller, for the request log line only.
  // Must never hold a name or other personal data.
  std::string log_user_id;
};

// Whether `a` and `b` are equal but for the case of ASCII letters, as header
// field names and tokens such as "chunked" compare (RFC 9110 §5.1).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// `text` without the spaces and tabs at either end (a header field's
// optional whitespace, RFC 9110 §5.6.3).
std::string_view TrimBlanks(std::string_view text);

// How the Accept header value `accept` (RFC 9110 §12.5.1) rates
// `media_type` ("type/subtype", lower case): the q-value, in thousandths (0
// to 1000; 1000 when not given), of the most specific media range matching
// it (parameters other than q aside), "type/*" and "*/*" counting only if
// `wildcards`; the highest if several are as specific. Nullopt if no range
// matches. Names compare case-insensitively; a range whose q is malformed
// is ignored.
std::optional<int> AcceptQuality(std::string_view accept, std::string_view media_type,
                                 bool wildcards = true);

// Splits `target` (origin-form, e.g. "/a/b?x=1") into `path` and decoded
// `query`. kInvalidArgument if it is not a valid origin-form target.
Status ParseTarget(std::string_view target, std::string* path, std::vector<QueryParam>* query);

// Returns 32 lowercase hex characters from the system CSPRNG.
// Requires CryptoInit() (core/crypto.h). Thread-safe.
std::string NewRequestId();

// ---- Responses -------------------------------------------------------------

// `value` serialized as the body, with Content-Type application/json. The
// object overload serializes without copying the object into a value first.
HttpResponse JsonResponse(int status, const boost::json::value& value);
HttpResponse JsonResponse(int status, const boost::json::object& object);
// `json_text`, already serialized as JSON, as the body.
HttpResponse JsonTextResponse(int status, std::string json_text);

// SPEC §6 error shape: {"error":{"code":code,"message":message}}; `details`
// (e.g. [{file,line,message}] for 422) is added as error.details.
HttpResponse JsonError(int status, std::string_view code, std::string_view message);
HttpResponse JsonError(int status, std::string_view code, std::string_view message,
                       boost::json::value details);

// The one table from backpack StatusCode to HTTP (SPEC §6).
struct HttpErrorMapping {
  int status;             // e.g. 404
  std::string_view code;  // e.g. "not_found"
};
// kResourceExhausted maps to 429 too_many_requests (rate limits); oversized
// bodies get 413 payload_too_large from the transport itself. kDataLoss and
// kInternal map to 500 "internal". kOk is not an error and maps to 500 too.
HttpErrorMapping HttpErrorFor(StatusCode code);

// JsonError built from `status` through HttpErrorFor. The message is sent to
// the client, so it must not hold personal data or internals.
HttpResponse ErrorResponse(const Status& status);
HttpResponse ErrorResponse(const Status& status, boost::json::value details);

// ---- JSON request bodies ---------------------------------------------------

inline constexpr std::size_t kDefaultMaxJsonDepth = 32;

// Parses `body` as one JSON object. Fails with kInvalidArgument and a message
// fit for the client when the body is not valid UTF-8, not JSON, nested deeper
// than `max_depth`, or not an object. Map the failure with ErrorResponse (400).
Result<boost::json::object> ParseJsonObject(std::string_view body,
                                            std::size_t max_depth = kDefaultMaxJsonDepth);

// True if `bytes` is well-formed UTF-8 (core/utf8.h).
using backpack::IsValidUtf8;

}  // namespace backpack::http
