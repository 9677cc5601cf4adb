// Authenticate() and the session routes: POST/DELETE /api/session, GET /api/me.
//
// Password verification (argon2id) and the durable LoginSucceeded /
// LoginFailed appends run on the BlockingPool, never on an I/O thread.
#include "http/api/api_auth.h"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <cstdlib>
#include <memory>

#include "core/crypto.h"
#include "http/api/api.h"
#include "http/api/audited.h"
#include "http/api/route.h"
#include "projections/audit/audit.h"
#include "projections/roster/roster_commands.h"

namespace backpack::api {
namespace {

namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using http::Responder;

constexpr size_t kMaxUsernameBytes = 256;

bool IsStateChanging(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// CSRF defence: a browser cannot send these types cross-site without a
// CORS preflight, which this server never grants.
bool HasApiContentType(const HttpRequest& request) {
  const std::string type = request.MediaType();
  return type == "application/json" || IsZipMediaType(type);
}

// A DELETE without a body has no content to type-check, and no page can
// send a DELETE cross-site without a CORS preflight, which this server never
// grants (the cookie is SameSite=Strict besides).
bool IsBodilessDelete(const HttpRequest& request) {
  return request.method == "DELETE" && request.body.empty();
}

json::array ToArray(const IdSet& ids) {
  json::array out;
  for (const auto& id : ids) out.emplace_back(id);
  return out;
}

// The account as /api/me and POST /api/session show it to its owner.
json::object UserJson(const UserInfo& user) {
  json::object out;
  out["id"] = user.id;
  out["username"] = user.username;
  out["display_name"] = user.display_name;
  out["role"] = RoleName(user.role);
  out["flags"] = ToArray(user.flags);
  out["schools"] = ToArray(user.schools);
  out["grades"] = ToArray(user.grades);
  json::array students;
  for (const auto& id : user.guardian_of) students.emplace_back(id);
  out["students"] = std::move(students);
  return out;
}

HttpResponse Unavailable(std::string_view message) {
  HttpResponse response = http::JsonError(503, "audit_unavailable", message);
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

// One login attempt, carried to the pool. The password is wiped when done.
struct LoginAttempt {
  std::string username;
  std::string password;
  std::string ip;
  std::string request_id;
  ~LoginAttempt() { SecureWipe({reinterpret_cast<uint8_t*>(password.data()), password.size()}); }
};

LoginFailure FailureFor(std::string_view message) {
  if (message == kLoginNoSuchUser) return LoginFailure::kNoSuchUser;
  if (message == kLoginDisabled) return LoginFailure::kDisabled;
  return LoginFailure::kBadPassword;
}

// The id of the account `username` names, if any: a refused sign-in is
// recorded against it, so the audit shows which account was tried.
std::optional<std::string> KnownUserId(ApiContext& context, std::string_view username) {
  auto known = context.services->roster->FindUserByUsername(username);
  return known ? std::optional<std::string>(known->id) : std::nullopt;
}

Status RecordLogin(ApiContext& context, const LoginAttempt& attempt,
                   std::optional<std::string> user_id, bool success, LoginFailure failure) {
  if (context.services->audit == nullptr) return UnavailableError("audit is not available");
  return context.services->audit->RecordLogin(attempt.username, std::move(user_id), attempt.ip,
                                              success, failure, attempt.request_id);
}

// 201 with the new session's token.
HttpResponse SignedIn(ApiContext& context, const UserInfo& user, const std::string& token) {
  json::object body;
  body["token"] = token;
  body["user"] = UserJson(user);
  HttpResponse response = http::JsonResponse(201, body);
  response.headers.emplace_back("Set-Cookie", SessionCookie(token, context.sessions->options()));
  response.log_user_id = user.id;
  return response;
}

// An admitted attempt's slot in the limiter, released exactly once: by
// Close, or as abandoned if the check ended some other way (it threw).
class LoginSlot {
 public:
  LoginSlot(LoginLimiter& limiter, const LoginAttempt& attempt)
      : limiter_(limiter), attempt_(attempt) {}
  ~LoginSlot() {
    if (open_) Close(LoginLimiter::Outcome::kAbandoned);
  }
  LoginSlot(const LoginSlot&) = delete;
  LoginSlot& operator=(const LoginSlot&) = delete;

  void Close(LoginLimiter::Outcome outcome) {
    open_ = false;
    limiter_.Finish(attempt_.username, attempt_.ip, outcome);
  }

 private:
  LoginLimiter& limiter_;
  const LoginAttempt& attempt_;
  bool open_ = true;
};

// The password was right: saves a new session, then records LoginSucceeded,
// then answers 201 with the token. Fails closed with 503 and no token if
// either step fails, and LoginSucceeded is in the log only for a session
// that exists: a token is handed out only once its session would survive a
// restart and its sign-in is durably recorded. A session saved for a sign-in
// that could not be recorded is ended again (nobody ever held its token).
HttpResponse SignIn(ApiContext& context, const LoginAttempt& attempt, const UserInfo& user,
                    LoginSlot& slot) {
  Result<std::string> token = context.sessions->Create(user.id);
  if (!token) {
    slot.Close(LoginLimiter::Outcome::kAbandoned);
    return Unavailable("the session could not be saved; try again later");
  }
  if (!RecordLogin(context, attempt, user.id, true, LoginFailure::kNone).ok()) {
    // Ended in memory at once; a delete that cannot be saved is logged and retried.
    static_cast<void>(context.sessions->End(*token));
    slot.Close(LoginLimiter::Outcome::kAbandoned);
    return Unavailable("the sign-in could not be recorded; try again later");
  }
  slot.Close(LoginLimiter::Outcome::kSucceeded);
  return SignedIn(context, user, *token);
}

// Runs on the pool: verify, record, answer.
HttpResponse VerifyLogin(ApiContext& context, const LoginAttempt& attempt) {
  LoginSlot slot(*context.login_limiter, attempt);
  RosterCommands commands(*context.services);
  Result<UserInfo> user = commands.Authenticate(attempt.username, attempt.password);
  if (user) return SignIn(context, attempt, *user, slot);
  if (user.error().code() != StatusCode::kUnauthenticated) {
    slot.Close(LoginLimiter::Outcome::kAbandoned);
    return Unavailable("sign-in is unavailable; try again later");
  }
  slot.Close(LoginLimiter::Outcome::kFailed);
  if (!RecordLogin(context, attempt, KnownUserId(context, attempt.username), false,
                   FailureFor(user.error().message()))
           .ok()) {
    return Unavailable("the sign-in attempt could not be recorded; try again later");
  }
  return http::JsonError(401, "unauthenticated", "wrong username or password");
}

// Records the refused attempt if the limiter says so (the first refusal of
// a window; then it runs on the blocking pool), answers 429.
HttpResponse RateLimited(ApiContext& context, const LoginAttempt& attempt,
                         const LoginLimiter::Admission& admission) {
  if (admission.record_refusal) {
    if (!RecordLogin(context, attempt, KnownUserId(context, attempt.username), false,
                     LoginFailure::kRateLimited)
             .ok()) {
      context.login_limiter->RefusalNotRecorded(attempt.username, attempt.ip);
      return Unavailable("the sign-in attempt could not be recorded; try again later");
    }
    context.login_limiter->RefusalRecorded(attempt.username, attempt.ip);
  }
  const int64_t retry_after = admission.retry_after_seconds;
  HttpResponse response =
      http::JsonError(429, "too_many_requests", "too many failed sign-ins; try again later");
  response.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return response;
}

Result<std::shared_ptr<LoginAttempt>> ParseLogin(const HttpRequest& request) {
  if (request.MediaType() != "application/json") {
    return Err(InvalidArgumentError("Content-Type must be application/json"));
  }
  ASSIGN_OR_RETURN(json::object body, http::ParseJsonObject(request.body));
  const json::value* username = body.if_contains("username");
  const json::value* password = body.if_contains("password");
  if (!username || !username->is_string() || !password || !password->is_string()) {
    return Err(InvalidArgumentError("username and password must be strings"));
  }
  auto attempt = std::make_shared<LoginAttempt>();
  attempt->username = std::string(username->as_string());
  attempt->password = std::string(password->as_string());
  if (attempt->username.empty() || attempt->username.size() > kMaxUsernameBytes ||
      attempt->password.empty() || attempt->password.size() > kMaxPasswordLength) {
    return Err(InvalidArgumentError("username or password has an invalid length"));
  }
  attempt->ip = request.client_ip;
  attempt->request_id = request.request_id;
  return attempt;
}

void HandleLogin(ApiContext& context, const HttpRequest& request, Responder respond) {
  auto attempt = ParseLogin(request);
  if (!attempt) return respond(http::ErrorResponse(attempt.error()));
  std::shared_ptr<LoginAttempt> shared = std::move(*attempt);
  LoginLimiter::Admission admission = context.login_limiter->Admit(shared->username, shared->ip);
  std::function<void()> work;
  if (admission.admitted) {
    work = [&context, shared, respond] { respond(VerifyLogin(context, *shared)); };
  } else if (!admission.record_refusal) {
    return respond(RateLimited(context, *shared, admission));  // nothing to append: at once
  } else {
    work = [&context, shared, respond, admission] {
      respond(RateLimited(context, *shared, admission));
    };
  }
  // Only password checks wait on the login pool; a refusal's append is
  // ordinary durable work.
  BlockingPool& pool =
      admission.admitted && context.login_pool ? *context.login_pool : *context.blocking;
  if (pool.Submit(std::move(work))) return;
  if (admission.admitted) {
    context.login_limiter->Finish(shared->username, shared->ip, LoginLimiter::Outcome::kAbandoned);
  } else {
    context.login_limiter->RefusalNotRecorded(shared->username, shared->ip);
  }
  respond(ServerBusy());
}

// 204 with the cookie expired: the session is over.
HttpResponse SignedOut(ApiContext& context, std::string log_user_id) {
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  response.headers.emplace_back("Set-Cookie", ExpiredSessionCookie(context.sessions->options()));
  response.log_user_id = std::move(log_user_id);
  return response;
}

// Ends the session durably and answers 204; if the end could not be saved,
// 503 instead, the cookie expired all the same. The session has ended on
// this server either way (and the delete is retried), but a restart before
// the retry succeeds would bring it back: a 204 would promise what the
// store could not keep, and the client should not take the token as dead.
HttpResponse EndSession(ApiContext& context, const std::string& token, std::string log_user_id) {
  Result<bool> ended = context.sessions->End(token);  // false: it had ended already
  if (ended) return SignedOut(context, std::move(log_user_id));
  HttpResponse response = Unavailable(
      "the session has ended, but the sign-out could not be saved yet (it is retried): a "
      "restart of the server before then would bring the session back");
  response.headers.emplace_back("Set-Cookie", ExpiredSessionCookie(context.sessions->options()));
  response.log_user_id = std::move(log_user_id);
  return response;
}

// EndSession on the blocking pool (its delete waits for an fsync); inline
// without a pool, 429 if the pool is full (the session goes on: retry).
void EndSessionOffloaded(ApiContext& context, const std::string& token, std::string log_user_id,
                         const Responder& respond) {
  if (context.blocking == nullptr) return respond(EndSession(context, token, log_user_id));
  auto work = [&context, token, log_user_id, respond] {
    respond(EndSession(context, token, log_user_id));
  };
  if (!context.blocking->Submit(std::move(work))) respond(ServerBusy());
}

void HandleLogout(ApiContext& context, const HttpRequest& request, Responder respond) {
  bool from_cookie = false;
  auto token = SessionToken(request.headers.Get("Authorization").value_or(""),
                            request.headers.Get("Cookie").value_or(""), &from_cookie);
  auto caller = Authenticate(context, request);
  if (!caller) {
    // A store fault reading the account must not keep a session its owner
    // asked to end (a shared computer): end it all the same.
    const bool fault = caller.error().code() != StatusCode::kUnauthenticated;
    if (fault && token &&
        (!from_cookie || IsBodilessDelete(request) || HasApiContentType(request))) {
      return EndSessionOffloaded(context, *token, "", respond);
    }
    return respond(http::ErrorResponse(caller.error()));
  }
  if (!IsCrossSiteSafe(*caller, request)) {
    Exchange exchange{&context, std::move(*caller), "DELETE /api/session",
                      context.clock->NowMicros(), std::move(respond)};
    return Deny(exchange, {AccessScope::kUnknown, "", std::string(kDeniedCrossSite), ""},
                std::string(kCrossSiteRefusal));
  }
  if (!token) return respond(SignedOut(context, caller->user.id));
  EndSessionOffloaded(context, *token, caller->user.id, respond);
}

void HandleMe(ApiContext& context, const HttpRequest& request, Responder respond) {
  auto caller = Authenticate(context, request);
  if (!caller) return respond(http::ErrorResponse(caller.error()));
  HttpResponse response = http::JsonResponse(200, UserJson(caller->user));
  response.log_user_id = caller->user.id;
  respond(std::move(response));
}

}  // namespace

Result<Caller> Authenticate(ApiContext& context, const HttpRequest& request) {
  bool from_cookie = false;
  auto token = SessionToken(request.headers.Get("Authorization").value_or(""),
                            request.headers.Get("Cookie").value_or(""), &from_cookie);
  if (!token) return Err(UnauthenticatedError("sign in first"));
  std::optional<std::string> user_id = context.sessions->Touch(*token);
  if (!user_id) return Err(UnauthenticatedError("the session is unknown or has expired"));
  Result<UserInfo> user = context.services->roster->FindUser(*user_id);
  // A store fault (not the account's absence) says nothing about the
  // session: it stays, and the caller gets the fault (500/503), not a 401.
  const bool unknown = !user && (user.error().code() == StatusCode::kNotFound ||
                                 user.error().code() == StatusCode::kGone);
  if (!user && !unknown) return Err(user.error());
  if (!user || user->disabled) {
    context.sessions->Forget(*token);  // durably so already: the log keeps the account's state
    return Err(UnauthenticatedError("the account is not active"));
  }
  Caller caller;
  caller.user = std::move(*user);
  caller.actor = Actor{caller.user.id, request.request_id, request.client_ip};
  caller.via_cookie = from_cookie;
  return caller;
}

bool IsCrossSiteSafe(const Caller& caller, const HttpRequest& request) {
  return !caller.via_cookie || !IsStateChanging(request.method) || IsBodilessDelete(request) ||
         HasApiContentType(request);
}

void RegisterSessionRoutes(http::Router& router, ApiContext& context) {
  auto add = [&](std::string_view method, std::string_view pattern,
                 void (*handler)(ApiContext&, const HttpRequest&, Responder)) {
    Status added = router.Add(
        method, pattern,
        [&context, handler](const HttpRequest& request, const http::RouteParams&,
                            Responder respond) { handler(context, request, std::move(respond)); });
    if (!added.ok()) {  // a programming error, found at startup
      spdlog::critical("cannot register {} {}: {}", method, pattern, added.message());
      std::abort();
    }
  };
  add("POST", "/api/session", HandleLogin);
  add("DELETE", "/api/session", HandleLogout);
  add("GET", "/api/me", HandleMe);
}

}  // namespace backpack::api
