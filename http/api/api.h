// The Backpack HTTP API (SPEC §6): the routes, and what they share.
//
// Owners: api_auth.* / api_system.* / server wiring (the "platform" engineer);
// api_students.*, api_audit.*, api_family.*, api_admin.* (the "endpoints"
// engineer). Heavy Beast/Asio headers never appear here: handlers see only
// http::HttpRequest / HttpResponse (http/request.h) and the domain modules.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/router.h"
#include "http/server.h"
#include "http/ui_routes.h"
#include "projections/roster/roster.h"
#include "projections/services.h"

namespace backpack::api {

class SessionStore;  // api_auth.h: tokens (stored only as hashes), 30-minute idle expiry
class LoginLimiter;  // api_auth.h: failed-login rate limits per username and per IP
class BlockingPool;  // api_auth.h: runs slow work (argon2id) off the I/O threads
class ReadLimiter;   // read_limiter.h: expensive reads in progress per account

struct ApiContext {
  Services* services = nullptr;
  Clock* clock = &SystemClock();
  http::Metrics* metrics = nullptr;
  SessionStore* sessions = nullptr;
  LoginLimiter* login_limiter = nullptr;
  BlockingPool* blocking = nullptr;
  // Password checks (argon2id, ~64 MiB each) wait here, not on `blocking`,
  // so that a flood of sign-ins cannot hold up notes, grants and other
  // durable writes. nullptr: they share `blocking`.
  BlockingPool* login_pool = nullptr;
  // Reads whose cost grows with the stored data (histories, searches, the
  // feed, audit pages and reports, exports) are built here, not on the I/O
  // threads, `blocking` or `login_pool`: a flood of them cannot hold up
  // cheap requests, durable writes or sign-ins. nullptr: they share
  // `blocking`.
  BlockingPool* read_pool = nullptr;
  // How many of those reads one account may have in progress (429 beyond):
  // one account cannot fill `read_pool`. nullptr: no limit.
  ReadLimiter* read_limiter = nullptr;
  // True while a POST /api/imports is being parsed or imported. Imports run
  // one at a time: a zip of up to kImportBodyLimit parses into several times
  // its size, so another upload meanwhile is refused (429), not queued.
  std::atomic<bool> import_in_flight{false};
};

// Expensive reads one account may have in progress at once, by default.
inline constexpr size_t kDefaultReadsPerAccount = 2;

// The authenticated caller of a request.
struct Caller {
  UserInfo user;
  Actor actor;              // user id, the request id, the client address
  bool via_cookie = false;  // signed in by the session cookie, not a bearer token
};

// Resolves the caller from `Authorization: Bearer TOKEN` or the session
// cookie, refreshing the session's idle timer. kUnauthenticated for a missing,
// unknown or expired session or a disabled user.
Result<Caller> Authenticate(ApiContext& context, const http::HttpRequest& request);

// CSRF defence: false for a state-changing method (POST, PUT, PATCH, DELETE)
// authenticated by cookie without a JSON (or zip) Content-Type,
// which a browser cannot send cross-site without a CORS preflight. A DELETE
// without a body passes: no browser sends a DELETE cross-site without one.
bool IsCrossSiteSafe(const Caller& caller, const http::HttpRequest& request);
// The media types POST /api/imports takes (lowercased, without parameters).
bool IsZipMediaType(std::string_view media_type);
// Why IsCrossSiteSafe refused, for the 403's message.
inline constexpr std::string_view kCrossSiteRefusal =
    "requests that change state with the session cookie must send Content-Type: "
    "application/json (or application/zip for imports)";

// Route registration, one function per area.
void RegisterSessionRoutes(http::Router& router, ApiContext& context);  // /api/session, /api/me
void RegisterSystemRoutes(http::Router& router,
                          ApiContext& context);  // /healthz, /metrics, /api/log/*
void RegisterStudentRoutes(http::Router& router,
                           ApiContext& context);  // students, profile, notes, feed, break-glass
void RegisterAdminRoutes(http::Router& router,
                         ApiContext& context);  // grants, access list, imports
void RegisterAuditRoutes(http::Router& router, ApiContext& context);   // /api/audit/*
void RegisterFamilyRoutes(http::Router& router, ApiContext& context);  // history, export, requests

// The body limits beyond the server's default 1 MiB: imports take a zip of up
// to kImportBodyLimit, read only for a signed-in district admin (anyone else
// is held to the default, and refused by the route as before).
inline constexpr std::size_t kImportBodyLimit = 64u * 1024 * 1024;
std::vector<http::RouteBodyLimit> RouteBodyLimits(ApiContext& context);

// Ends serving in the order the API's lifetime contract needs, so that the
// caller may destroy `context` and what it points to (pools, sessions,
// metrics) once this returns: stops `server` (connections still busy after
// its stop_timeout are closed, but their work may go on), lets the pools
// finish what is queued, then drains the log (EventLog::Drain), since an
// append's completion may still use the context (e.g. a history export
// produced on the blocking pool). The log and the services must outlive the
// call; they may then be closed.
void StopServing(http::HttpServer& server, ApiContext& context);

// Every route of SPEC §6, and the web interface that uses them (ui_routes.h).
inline void RegisterAllRoutes(http::Router& router, ApiContext& context) {
  http::RegisterUiRoutes(router);
  RegisterSessionRoutes(router, context);
  RegisterSystemRoutes(router, context);
  RegisterStudentRoutes(router, context);
  RegisterAdminRoutes(router, context);
  RegisterAuditRoutes(router, context);
  RegisterFamilyRoutes(router, context);
}

}  // namespace backpack::api
