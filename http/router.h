// Route table: method + path pattern -> handler.
//
// Patterns are absolute paths whose segments are literals or `{name}`
// parameters, e.g. "/api/students/{id}/profile". A literal segment beats a
// parameter at the same position, so "/api/audit/alerts" wins over
// "/api/audit/{id}".
//
// Thread-safety: Add() is not thread-safe and must finish before the router is
// handed to HttpServer; Match() is const and safe to call concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "http/request.h"

namespace backpack::http {

// Values of a matched pattern's `{name}` segments, percent-decoded. Each value
// is non-empty, at most kMaxPathSegment bytes, and holds no '/', '\\', NUL or
// other control byte and is not "." or "..".
class RouteParams {
 public:
  void Set(std::string name, std::string value);
  // The value of `{name}`, or "" when the pattern has no such parameter.
  std::string_view Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& values() const { return values_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// Delivers the one response to a request. May be called from any thread, at
// most once (later calls are ignored); the session hands the response back
// onto its own strand. If every copy is destroyed without a call, the client
// gets a 500.
using Responder = std::function<void(HttpResponse)>;

// An asynchronous handler: it may answer inline or later (e.g. after a durable
// audit append). It runs on a server I/O thread and must not block for long.
// `request` and `params` stay valid only until the handler returns; copy what
// a deferred answer needs, or move it out of `request` (an upload's body,
// say): the transport reads nothing of the request's body after the handler.
// Must not throw (a throw becomes a 500).
using Handler =
    std::function<void(HttpRequest& request, const RouteParams& params, Responder respond)>;

// A handler that computes its response before returning.
using SyncHandler =
    std::function<HttpResponse(const HttpRequest& request, const RouteParams& params)>;

// Wraps `deliver` into a Responder with the contract above: calls after the
// first are ignored, and dropping every copy uncalled delivers a 500. The
// transport uses it; handlers receive an already wrapped Responder.
Responder MakeOnceResponder(Responder deliver);

// Adapts a synchronous handler to the asynchronous signature.
Handler Sync(SyncHandler handler);

inline constexpr std::size_t kMaxPathSegment = 256;
inline constexpr std::string_view kUnmatchedPattern = "<unmatched>";

// The outcome of routing one request.
struct RouteMatch {
  // Points into the Router, which must outlive this match. Null when `error`
  // is set.
  const Handler* handler = nullptr;
  RouteParams params;
  // The matched pattern, safe for logs and metric labels (never the raw path),
  // or kUnmatchedPattern. Points into the Router or static storage.
  std::string_view pattern = kUnmatchedPattern;
  // 400 (hostile path), 404 (no such path) or 405 (with an Allow header).
  std::optional<HttpResponse> error;
};

class Router {
 public:
  // Registers `handler` for `method` (e.g. "GET") and `pattern`.
  // kInvalidArgument for a malformed pattern (not absolute, empty segment,
  // bad or repeated parameter name); kAlreadyExists if the same method and
  // pattern shape is already registered.
  Status Add(std::string_view method, std::string_view pattern, Handler handler);

  // Routes `encoded_path` (percent-encoded, no query; HttpRequest::path).
  RouteMatch Match(std::string_view method, std::string_view encoded_path) const;

  size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    std::string text;  // Literal text, or the parameter name.
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };

  static Result<std::vector<Segment>> ParsePattern(std::string_view pattern);
  // True if `a` and `b` have the same method and would match the same paths.
  static bool SameShape(const Route& a, const Route& b);
  // True if `route` matches `segments`; fills `params` when it does.
  static bool PathMatches(const Route& route, const std::vector<std::string>& segments,
                          RouteParams* params);
  // True if `a` is more specific than `b` (a literal earlier where b has a parameter).
  static bool MoreSpecific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace backpack::http
