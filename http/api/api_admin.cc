// District administration routes (SPEC §6): access grants, who has access
// to a student, and OneRoster imports.
#include <boost/json/array.hpp>
#include <cctype>
#include <memory>

#include "http/api/api_auth.h"
#include "http/api/audited.h"
#include "http/api/json_util.h"
#include "http/api/route.h"
#include "imports/import_set.h"
#include "projections/audit/audit_time.h"
#include "projections/intake/intake.h"
#include "projections/roster/roster_commands.h"

namespace backpack::api {
namespace json = boost::json;
namespace {

constexpr size_t kMaxGrantGrades = 16;

bool IsUserId(std::string_view v) { return IsOpaqueId(v, "usr"); }
bool IsStudentId(std::string_view v) { return IsOpaqueId(v, "stu"); }
bool IsGrade(std::string_view v) { return IsSourcedId(v) && v.size() <= 8; }

// The `scope` object of a grant: exactly one of student_id, class_id or
// school_id (with grades).
std::optional<GrantScope> ReadGrantScope(BodyFields& fields) {
  const json::object* object = fields.Object("scope");
  if (!object) return std::nullopt;
  BodyFields scope(*object, "scope.");
  int kinds = scope.Has("student_id") + scope.Has("class_id") + scope.Has("school_id");
  std::optional<GrantScope> out;
  if (kinds != 1) {
    fields.Problem("scope", "must name exactly one of student_id, class_id, school_id");
    // Known fields, wrongly combined: that one problem says it all.
    for (const char* known : {"student_id", "class_id", "school_id", "grades"}) scope.Skip(known);
  } else if (scope.Has("student_id")) {
    if (auto id = scope.Token("student_id", IsStudentId)) out = GrantScope::ForStudent(*id);
  } else if (scope.Has("class_id")) {
    if (auto id = scope.Token("class_id", IsSourcedId)) out = GrantScope::ForClass(*id);
  } else {
    auto school = scope.Token("school_id", IsSourcedId);
    auto grades = scope.Strings("grades", kMaxGrantGrades, IsGrade);
    if (school && grades) {
      out = GrantScope::ForSchoolGrades(*school, IdSet(grades->begin(), grades->end()));
    }
  }
  fields.Merge(scope);
  return fields.problems().empty() ? out : std::nullopt;
}

// True if `user_id` names an enabled educator (the grant command checks
// again; this lets a refusal name its field).
bool IsEnabledEducator(const Exchange& ex, const std::string& user_id) {
  auto user = ex.services().roster->FindUser(user_id);
  return user && user->role == Role::kEducator && !user->disabled;
}

// POST /api/grants {educator_id, scope, expires_at, reason} -> 201 {id}.
void CreateGrant(const http::HttpRequest& request, const http::RouteParams&, Exchange ex) {
  if (!HasRole(ex, {Role::kDistrictAdmin})) {
    return Deny(ex, {AccessScope::kUnknown, "", std::string(kDeniedWrongRole), ""},
                OnlyRolesMessage({Role::kDistrictAdmin}));
  }
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  GrantRequest grant;
  auto educator = fields.Token("educator_id", IsUserId);
  std::optional<GrantScope> scope = ReadGrantScope(fields);
  if (auto expires = fields.Text("expires_at", 64, /*required=*/false)) {
    auto parsed = ParseIsoTimeUntil(*expires);
    if (!parsed) fields.Problem("expires_at", "must be an ISO 8601 time");
    if (parsed && *parsed <= ex.now_us) fields.Problem("expires_at", "must be in the future");
    if (parsed) grant.expires_at_us = *parsed;
  }
  auto reason = fields.Text("reason", kMaxReasonChars, true, /*multiline=*/true);
  if (educator && !IsEnabledEducator(ex, *educator)) {
    fields.Problem("educator_id", "must name an enabled educator account");
  }
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  grant.educator_id = *educator;
  grant.scope = std::move(*scope);
  grant.reason = *reason;
  OffloadRaw(ex, [ex, grant = std::move(grant)] {
    auto id = RosterCommands(ex.services()).Grant(ex.caller.actor, grant);
    if (id) return ex.Reply(Created(json::object{{"id", *id}}));
    StatusCode code = id.error().code();
    if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument) {
      // The educator, reason and expiry were checked above: what is left
      // is the scope's target (no such student, class or school).
      return ex.Reply(UnprocessableField("scope", id.error().message()));
    }
    if (code == StatusCode::kGone) {  // a shredded student's: recorded, as gone
      return ReplyGone(ex, {AccessScope::kUnknown, grant.scope.id, "", AccessOutcome::kGone, {}},
                       id.error());
    }
    ex.Reply(ApiError(id.error()));
  });
}

// DELETE /api/grants/{id}: revokes the grant.
void RevokeGrant(const http::HttpRequest&, const http::RouteParams& params, Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckPathId(ex, id, "grant", "grant")) return;
  if (!HasRole(ex, {Role::kDistrictAdmin})) {
    return Deny(ex, {AccessScope::kUnknown, "", std::string(kDeniedWrongRole), id},
                OnlyRolesMessage({Role::kDistrictAdmin}));
  }
  Offload(ex, [ex, id] {
    Status revoked = RosterCommands(ex.services()).Revoke(ex.caller.actor, id);
    if (!revoked.ok()) return ApiError(revoked);
    return Ok(json::object{{"id", id}, {"revoked", true}});
  });
}

// The answer of GetAccessList, sent once `read` is recorded.
void ServeAccessList(const Exchange& ex, const std::string& id, AuditedRead read) {
  Roster& roster = *ex.services().roster;
  json::array access;
  for (const AccessListEntry& entry : roster.AccessList(id, ex.now_us)) {
    json::object o{{"user_id", entry.user_id}, {"reason", entry.reason}};
    if (auto user = roster.FindUser(entry.user_id)) {
      o["username"] = user->username;
      o["display_name"] = user->display_name;
      o["role"] = RoleName(user->role);
    }
    access.push_back(std::move(o));
  }
  read.extra.result_count = access.size();
  read.students.push_back({id, read.extra.reason});
  SendAfterAudit(
      ex, std::move(read),
      Ok(json::object{
          {"student_id", id}, {"as_of", FormatIsoTime(ex.now_us)}, {"access", std::move(access)}}));
}

// GET /api/students/{id}/access: who may read the student now, and why.
void GetAccessList(const http::HttpRequest&, const http::RouteParams& params, Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckStudentRoute(ex, id, {Role::kDistrictAdmin, Role::kPrivacyOfficer})) return;
  // Who may read the student and why (classes, grants, break-glass uses) is
  // about the student: audited like an audit query naming them.
  const std::string reason(RoleName(ex.role()));  // privacy_officer or district_admin
  AuditedRead read;
  read.scope = AccessScope::kAuditQuery;
  read.extra.reason = reason;
  read.extra.query = kAccessListReadQuery;
  if (!CheckStudentFound(ex, RouteReach::kStaffOrGuardian, read.scope, id, read.extra)) return;
  // Who may read the student runs through every account and grant: on the
  // read pool.
  OffloadRead(ex, [ex, id, read = std::move(read)](const ReadSlot&) mutable {
    ServeAccessList(ex, id, std::move(read));
  });
}

// POST /api/users/{id}/disable and /enable {reason}: a district admin
// disables an account (UserDisabled: its sessions end at once and it can no
// longer sign in) or lets it sign in again (UserEnabled). Either changes
// nothing if the account is already so.
void SetUserDisabled(const http::HttpRequest& request, const http::RouteParams& params, Exchange ex,
                     bool disable) {
  std::string id(params.Get("id"));
  if (!CheckPathId(ex, id, "usr", "user")) return;
  if (!HasRole(ex, {Role::kDistrictAdmin})) {
    return Deny(ex, {AccessScope::kUnknown, "", std::string(kDeniedWrongRole), id},
                OnlyRolesMessage({Role::kDistrictAdmin}));
  }
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto reason = fields.Text("reason", kMaxReasonChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  if (disable && id == ex.user_id()) {
    return ex.Reply(UnprocessableField("id", "an account cannot disable itself"));
  }
  Offload(ex, [ex, id, reason = *reason, disable] {
    RosterCommands commands(ex.services());
    Result<AccountChange> changed = disable ? commands.DisableUser(ex.caller.actor, id, reason)
                                            : commands.EnableUser(ex.caller.actor, id, reason);
    if (!changed) return ApiError(changed.error());
    // A failure to delete them durably is logged and left: the account is
    // disabled in the log, and Authenticate refuses such sessions anyway.
    if (disable && ex.context->sessions) ex.context->sessions->EndAllFor(id).IgnoreError();
    return Ok(json::object{
        {"id", id}, {"disabled", disable}, {"changed", *changed == AccountChange::kChanged}});
  });
}

// POST /api/students/{id}/guardians/unlink {guardian_id, reason}: a district
// admin ends one guardian's link to the student (GuardianUnlinked); 404
// unless the link is in force.
void UnlinkGuardian(const http::HttpRequest& request, const http::RouteParams& params,
                    Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckStudentRoute(ex, id, {Role::kDistrictAdmin})) return;
  if (!CheckStudentFound(ex, RouteReach::kStaffOrGuardian, AccessScope::kUnknown, id)) return;
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto guardian = fields.Token("guardian_id", IsUserId);
  auto reason = fields.Text("reason", kMaxReasonChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, id, guardian = *guardian, reason = *reason] {
    Status unlinked =
        RosterCommands(ex.services()).UnlinkGuardian(ex.caller.actor, guardian, id, reason);
    if (unlinked.code() == StatusCode::kGone) {  // shredded since the check above
      return ReplyGone(ex, {AccessScope::kUnknown, id, "", AccessOutcome::kGone, {}}, unlinked);
    }
    if (!unlinked.ok()) return ex.Reply(ApiError(unlinked));
    ex.Reply(Ok(json::object{{"student_id", id}, {"guardian_id", guardian}, {"unlinked", true}}));
  });
}

void DisableUser(const http::HttpRequest& request, const http::RouteParams& params, Exchange ex) {
  SetUserDisabled(request, params, std::move(ex), /*disable=*/true);
}

void EnableUser(const http::HttpRequest& request, const http::RouteParams& params, Exchange ex) {
  SetUserDisabled(request, params, std::move(ex), /*disable=*/false);
}

// 422 (or 413 when a limit was exceeded) with every problem of the set: the
// parser's, or intake's mass-retraction refusal (one per file, line 0).
http::HttpResponse ImportRejected(const imports::ImportErrors& errors) {
  json::array details;
  for (const imports::ImportError& e : errors.errors()) {
    details.push_back(json::object{{"file", e.file}, {"line", e.line}, {"message", e.message}});
  }
  std::string message = "the import set has " + std::to_string(errors.total()) + " problem(s)";
  if (errors.limit_exceeded()) {
    return http::JsonError(413, "payload_too_large", message, std::move(details));
  }
  return http::JsonError(422, "unprocessable", message, std::move(details));
}

// Parses and imports `zip`: 201 with the report, or the refusal.
http::HttpResponse ImportZip(const Exchange& ex, const std::string& zip, ImportOptions options) {
  imports::ImportOutcome set = imports::ParseImportZip(AsBytes(zip));
  if (!set) return ImportRejected(set.error());
  imports::ImportErrors refusal;
  auto report = ex.services().intake->Import(*set, ex.caller.actor, options, &refusal);
  if (!report) return refusal.empty() ? ApiError(report.error()) : ImportRejected(refusal);
  json::value import_id =
      report->import_id.empty() ? json::value(nullptr) : json::value(report->import_id);
  json::object answer{{"import_id", import_id},
                      {"events_appended", report->events_appended},
                      {"unchanged", report->unchanged},
                      {"retracted", report->retracted},
                      {"replaced", report->replaced},
                      {"skipped_shredded", report->skipped_shredded},
                      {"skipped_deleted", report->skipped_deleted},
                      {"superseded", report->superseded}};
  return Created(answer);
}

// Holds ApiContext::import_in_flight from its creation (TakeImportSlot)
// until Release() or its destruction, whichever comes first.
class ImportSlot {
 public:
  explicit ImportSlot(std::atomic<bool>& in_flight) : in_flight_(in_flight) {}
  ~ImportSlot() { Release(); }
  ImportSlot(const ImportSlot&) = delete;
  ImportSlot& operator=(const ImportSlot&) = delete;

  void Release() {
    if (!released_.exchange(true)) in_flight_.store(false);
  }

 private:
  std::atomic<bool>& in_flight_;
  std::atomic<bool> released_{false};
};

// The slot of the one import in flight, or null if another import holds it.
std::shared_ptr<ImportSlot> TakeImportSlot(ApiContext& context) {
  if (context.import_in_flight.exchange(true)) return nullptr;
  return std::make_shared<ImportSlot>(context.import_in_flight);
}

http::HttpResponse ImportInProgress() {
  http::HttpResponse response = http::JsonError(
      429, "too_many_requests",
      "another import is in progress; nothing was read from this one: send it again once that "
      "import has finished");
  response.headers.emplace_back("Retry-After", "10");
  return response;
}

// POST /api/imports (application/zip): one atomic, idempotent import, 201
// (SPEC §6). A set that changes nothing (all of it was imported before)
// appends nothing: events_appended 0, and import_id names the latest earlier
// import of the same files, or is null if none was. A set that would
// retract most of a kind held is refused (422 with details) unless
// ?allow_mass_retraction=true. One import at a time: another, while one is
// parsed or imported, gets 429 too_many_requests and is not looked at.
void PostImport(http::HttpRequest& request, const http::RouteParams&, Exchange ex) {
  if (!HasRole(ex, {Role::kDistrictAdmin})) {
    return Deny(ex, {AccessScope::kUnknown, "", std::string(kDeniedWrongRole), ""},
                OnlyRolesMessage({Role::kDistrictAdmin}));
  }
  if (!IsZipMediaType(request.MediaType())) {
    return ex.Reply(http::JsonError(400, "bad_request", "Content-Type must be application/zip"));
  }
  if (request.body.empty()) {
    return ex.Reply(http::JsonError(400, "bad_request", "the request body is empty"));
  }
  ImportOptions options;
  const auto allow = request.QueryValue("allow_mass_retraction");
  if (allow && *allow != "true" && *allow != "false") {
    return ex.Reply(
        http::JsonError(400, "bad_request", "allow_mass_retraction must be true or false"));
  }
  options.allow_mass_retraction = allow == "true";
  std::shared_ptr<ImportSlot> slot = TakeImportSlot(*ex.context);
  if (!slot) return ex.Reply(ImportInProgress());
  // Moved, not copied: the body may be 64 MiB.
  auto zip = std::make_shared<const std::string>(std::move(request.body));
  // The slot is released before the answer goes out (or, if the pool is
  // full, when the work is dropped unrun).
  Offload(ex, [ex, zip, options, slot] {
    http::HttpResponse answer = ImportZip(ex, *zip, options);
    slot->Release();
    return answer;
  });
}

}  // namespace

bool IsZipMediaType(std::string_view media_type) {
  return media_type == "application/zip" || media_type == "application/x-zip-compressed";
}

std::vector<http::RouteBodyLimit> RouteBodyLimits(ApiContext& context) {
  auto signed_in_admin = [&context](const http::HttpRequest& request) {
    Result<Caller> caller = Authenticate(context, request);
    return caller.has_value() && caller->user.role == Role::kDistrictAdmin;
  };
  return {{"POST", "/api/imports", kImportBodyLimit, signed_in_admin}};
}

void RegisterAdminRoutes(http::Router& router, ApiContext& context) {
  AddRoute(router, context, "POST", "/api/grants", CreateGrant);
  AddRoute(router, context, "DELETE", "/api/grants/{id}", RevokeGrant);
  AddRoute(router, context, "GET", "/api/students/{id}/access", GetAccessList);
  AddRoute(router, context, "POST", "/api/users/{id}/disable", DisableUser);
  AddRoute(router, context, "POST", "/api/users/{id}/enable", EnableUser);
  AddRoute(router, context, "POST", "/api/students/{id}/guardians/unlink", UnlinkGuardian);
  AddRoute(router, context, "POST", "/api/imports", PostImport);
}

}  // namespace backpack::api
