#include "http/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace backpack::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one path segment. Fails on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      out.push_back(encoded[i]);
      continue;
    }
    if (i + 2 >= encoded.size()) return std::nullopt;
    const int hi = HexValue(encoded[i + 1]);
    const int lo = HexValue(encoded[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Rejects bytes that let a segment escape its position or confuse a lower
// layer: separators, NUL and control bytes, dot segments, invalid UTF-8.
bool IsSafeSegment(std::string_view segment) {
  if (segment.size() > kMaxPathSegment) return false;
  if (segment == "." || segment == "..") return false;
  for (char c : segment) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f || c == '/' || c == '\\') return false;
  }
  return IsValidUtf8(segment);
}

// Splits and decodes an absolute percent-encoded path. "/" has no segments.
Result<std::vector<std::string>> DecodePath(std::string_view encoded_path) {
  if (encoded_path.empty() || encoded_path.front() != '/') {
    return Err(InvalidArgumentError("request path must be absolute"));
  }
  std::vector<std::string> segments;
  if (encoded_path == "/") return segments;
  size_t start = 1;
  while (start <= encoded_path.size()) {
    size_t end = std::min(encoded_path.find('/', start), encoded_path.size());
    std::string_view raw = encoded_path.substr(start, end - start);
    if (raw.size() > 3 * kMaxPathSegment) return Err(InvalidArgumentError("path segment too long"));
    std::optional<std::string> decoded = PercentDecode(raw);
    if (!decoded || !IsSafeSegment(*decoded)) {
      return Err(InvalidArgumentError("invalid path segment"));
    }
    segments.push_back(std::move(*decoded));
    start = end + 1;
  }
  return segments;
}

bool IsValidParamName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string JoinAllowed(std::vector<std::string> methods) {
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  std::string allow;
  for (const std::string& method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

// Shared state behind one Responder: guarantees at most one delivery, and a
// 500 when the handler drops the responder without answering.
class ResponderOnce {
 public:
  explicit ResponderOnce(Responder deliver) : deliver_(std::move(deliver)) {}
  ~ResponderOnce() {
    if (!delivered_) {
      spdlog::error("http handler finished without responding");
      deliver_(JsonError(500, "internal", "the handler did not respond"));
    }
  }
  void Deliver(HttpResponse response) {
    std::call_once(once_, [&] {
      delivered_ = true;
      deliver_(std::move(response));
    });
  }

 private:
  Responder deliver_;
  std::once_flag once_;
  bool delivered_ = false;  // Written under once_; read in the destructor only.
};

}  // namespace

Responder MakeOnceResponder(Responder deliver) {
  auto once = std::make_shared<ResponderOnce>(std::move(deliver));
  return [once](HttpResponse response) { once->Deliver(std::move(response)); };
}

void RouteParams::Set(std::string name, std::string value) {
  values_.emplace_back(std::move(name), std::move(value));
}

std::string_view RouteParams::Get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return {};
}

Handler Sync(SyncHandler handler) {
  return [handler = std::move(handler)](HttpRequest& request, const RouteParams& params,
                                        Responder respond) { respond(handler(request, params)); };
}

Result<std::vector<Router::Segment>> Router::ParsePattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    return Err(InvalidArgumentError("route pattern must start with '/': " + std::string(pattern)));
  }
  std::vector<Segment> segments;
  if (pattern == "/") return segments;
  size_t start = 1;
  while (start <= pattern.size()) {
    size_t end = std::min(pattern.find('/', start), pattern.size());
    std::string_view text = pattern.substr(start, end - start);
    start = end + 1;
    if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
      if (text.empty() || text.find_first_of("{}%") != std::string_view::npos) {
        return Err(InvalidArgumentError("bad segment in route " + std::string(pattern)));
      }
      segments.push_back(Segment{std::string(text), false});
      continue;
    }
    Segment param{std::string(text.substr(1, text.size() - 2)), true};
    bool repeated = std::any_of(segments.begin(), segments.end(), [&](const Segment& seen) {
      return seen.is_param && seen.text == param.text;
    });
    if (!IsValidParamName(param.text) || repeated) {
      return Err(
          InvalidArgumentError("bad or repeated parameter in route " + std::string(pattern)));
    }
    segments.push_back(std::move(param));
  }
  return segments;
}

bool Router::SameShape(const Route& a, const Route& b) {
  if (a.method != b.method || a.segments.size() != b.segments.size()) return false;
  return std::equal(a.segments.begin(), a.segments.end(), b.segments.begin(),
                    [](const Segment& x, const Segment& y) {
                      return x.is_param == y.is_param && (x.is_param || x.text == y.text);
                    });
}

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  if (method.empty()) return InvalidArgumentError("route method is empty");
  ASSIGN_OR_RETURN(std::vector<Segment> segments, ParsePattern(pattern));
  Route route{std::string(method), std::string(pattern), std::move(segments), std::move(handler)};
  for (const Route& existing : routes_) {
    if (SameShape(existing, route)) {
      return AlreadyExistsError("route registered twice: " + route.method + " " + route.pattern);
    }
  }
  routes_.push_back(std::move(route));
  return OkStatus();
}

bool Router::PathMatches(const Route& route, const std::vector<std::string>& segments,
                         RouteParams* params) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& want = route.segments[i];
    if (want.is_param ? segments[i].empty() : want.text != segments[i]) return false;
  }
  for (size_t i = 0; i < segments.size(); ++i) {
    if (route.segments[i].is_param) params->Set(route.segments[i].text, segments[i]);
  }
  return true;
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  }
  return false;
}

RouteMatch Router::Match(std::string_view method, std::string_view encoded_path) const {
  // HEAD is GET without the body (RFC 9110 §9.3.2): the same handler, the
  // same access decision and audit; the session drops the body.
  const std::string_view route_method = method == "HEAD" ? "GET" : method;
  RouteMatch match;
  Result<std::vector<std::string>> segments = DecodePath(encoded_path);
  if (!segments) {
    match.error = ErrorResponse(segments.error());
    return match;
  }
  const Route* best = nullptr;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    RouteParams params;
    if (!PathMatches(route, *segments, &params)) continue;
    allowed.push_back(route.method);
    if (route.method == "GET") allowed.push_back("HEAD");
    if (route.method != route_method) continue;
    if (best == nullptr || MoreSpecific(route, *best)) {
      best = &route;
      match.params = std::move(params);
    }
  }
  if (best != nullptr) {
    match.handler = &best->handler;
    match.pattern = best->pattern;
  } else if (!allowed.empty()) {
    match.error = JsonError(405, "method_not_allowed", "method not allowed for this path");
    match.error->headers.emplace_back("Allow", JoinAllowed(std::move(allowed)));
  } else {
    match.error = JsonError(404, "not_found", "no such endpoint");
  }
  return match;
}

}  // namespace backpack::http
