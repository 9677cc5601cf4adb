// Plumbing shared by the domain routes (api_students.cc, api_admin.cc,
// api_audit.cc, api_family.cc): authentication before every handler, role
// checks, and running blocking commands off the I/O threads.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "http/api/api.h"
#include "http/api/read_limiter.h"

namespace backpack::api {

// What an answer needs, given or deferred: cheap to copy into completions.
struct Exchange {
  ApiContext* context = nullptr;
  Caller caller;
  std::string route;   // "GET /api/students/{id}/profile": for AccessDenied events
  int64_t now_us = 0;  // the request's time, for access decisions
  http::Responder respond;

  Services& services() const { return *context->services; }
  const std::string& user_id() const { return caller.user.id; }
  Role role() const { return caller.user.role; }
  // Sends `response` with the caller's id for the request log line.
  void Reply(http::HttpResponse response) const;
  // Answers `status` through ErrorResponse; internal errors get a generic
  // message (the detail goes to the log, by code only).
  void ReplyError(const Status& status) const;
};

// A route body: runs once the caller is authenticated. `request` and
// `params` are valid only until it returns; it may move from `request`
// (http::Handler).
using RouteFn = std::function<void(http::HttpRequest& request, const http::RouteParams& params,
                                   Exchange exchange)>;

// Registers `fn` for `method` and `pattern`. Each request is authenticated
// first (401 unauthenticated), and a cookie-authenticated write without a
// JSON/zip Content-Type is refused (AccessDenied, then 403); `fn` sees only
// signed-in callers.
void AddRoute(http::Router& router, ApiContext& context, std::string_view method,
              std::string_view pattern, RouteFn fn);

// The error answer for `status` (ErrorResponse); internal errors get a
// generic message and are logged by code only.
http::HttpResponse ApiError(const Status& status);

// True if `id` passes IsOpaqueId(id, prefix); otherwise answers 400
// bad_request naming `what` and returns false. No event: nothing was read.
bool CheckPathId(const Exchange& exchange, std::string_view id, std::string_view prefix,
                 std::string_view what);

// True if the caller has one of `roles`.
bool HasRole(const Exchange& exchange, std::initializer_list<Role> roles);

// The answer when a pool's queue is full (or the pool is stopping): 429
// too_many_requests with Retry-After: 1.
http::HttpResponse ServerBusy();

// Runs `work` on the blocking pool (inline when the context has none) and
// replies with what it returns. Use for anything that blocks: commands that
// wait for a durable append, imports, exports, shredding. When the pool is
// full: 429 too_many_requests, and `work` never runs.
void Offload(const Exchange& exchange, std::function<http::HttpResponse()> work);
// As Offload, for work that replies itself (e.g. via Deny).
void OffloadRaw(const Exchange& exchange, std::function<void()> work);

// Runs `work`, a read whose cost grows with the stored data, on the read
// pool (ApiContext::read_pool), holding one of the caller's read slots
// until `work` and every copy of the slot it keeps are gone. Call it after
// the cheap checks and refusals, which stay on the I/O thread. If the caller
// already has its limit of reads in progress: 429 too_many_requests
// (TooManyReads), and `work` never runs; if the pool is full: ServerBusy.
// Either way nothing was read, so nothing is recorded.
void OffloadRead(const Exchange& exchange, std::function<void(ReadSlot slot)> work);
// Runs the next step of a read that holds `slot` on the read pool (e.g.
// once its access event is durable); ServerBusy if the pool is full.
void ContinueRead(const Exchange& exchange, ReadSlot slot, std::function<void()> work);
// The answer to a read beyond the caller's limit: 429 too_many_requests
// with Retry-After: 1.
http::HttpResponse TooManyReads(size_t per_account);

// Parts of the Register*Routes of api.h, in their own files: the note
// routes (api_notes.cc) and the decisions on family requests
// (api_family_decisions.cc).
void RegisterNoteRoutes(http::Router& router, ApiContext& context);
void RegisterFamilyDecisionRoutes(http::Router& router, ApiContext& context);

// 201 Created with `body`.
http::HttpResponse Created(const boost::json::object& body);
// 200 OK with `body`.
http::HttpResponse Ok(const boost::json::object& body);
// 200 OK with `json_text`, a body already serialized as JSON.
http::HttpResponse OkJsonText(std::string json_text);

}  // namespace backpack::api
