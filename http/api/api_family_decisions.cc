// Decisions on family requests (SPEC §6): a privacy officer amends or
// refuses a correction, a guardian attaches a statement to a refused one,
// a privacy officer fulfils an inspection (ending its legal hold) and
// approves a deletion (which shreds the record) or refuses it.
#include <algorithm>

#include "http/api/audited.h"
#include "http/api/json_util.h"
#include "http/api/route.h"
#include "projections/family/family.h"
#include "projections/roster/roster.h"

namespace backpack::api {
namespace json = boost::json;
namespace {

constexpr size_t kMaxDecisionChars = 10;

// Refuses a caller without `role`; true if refused.
bool RefuseUnless(const Exchange& ex, Role role, const FamilyRequest& request) {
  if (ex.role() == role) return false;
  Deny(ex, {AccessScope::kUnknown, request.student_id, std::string(kDeniedWrongRole), request.id},
       OnlyRolesMessage({role}));
  return true;
}

// The request `id` names (validated by `prefix`), for a caller of `role`, or
// an answer already sent: 400; 403 (recorded) for another role, whether or
// not the request exists; and for a request that is unknown or that
// shredding its student's record took, what AnswerMissing decides: 404 or
// 410 (recorded, ReplyGone) to the privacy officer and to the guardians the
// shred listed, a refusal as for another family's request to any other guardian.
std::optional<FamilyRequest> FindRequest(const Exchange& ex, const std::string& id,
                                         std::string_view prefix, FamilyRequestKind kind,
                                         Role role) {
  if (!CheckPathId(ex, id, prefix, "request")) return std::nullopt;
  Family& family = *ex.services().family;
  auto found = family.FindRequest(id);
  if (found && found->kind != kind) found = Err(NotFoundError("no such request"));
  if (found) {
    if (RefuseUnless(ex, role, *found)) return std::nullopt;
    return *found;
  }
  FamilyRequest missing;
  missing.id = id;
  if (found.error().code() == StatusCode::kGone) {
    if (auto student = family.ShreddedRequestStudent(id); student && *student) {
      missing.student_id = **student;
    }
  }
  if (!RefuseUnless(ex, role, missing)) {
    AnswerMissing(ex, RouteReach::kStaffOrGuardian, RecordKind::kRequest, found.error(),
                  {AccessScope::kUnknown, missing.student_id, id, AccessOutcome::kGone, {}});
  }
  return std::nullopt;
}

// Answers a command's failure; refusals are denials about the request's student.
// A complaint about the body's input names `field` (422).
void ReplyDecisionError(const Exchange& ex, const Status& status, const FamilyRequest& request,
                        std::string_view field, std::string_view reason) {
  if (status.code() == StatusCode::kInvalidArgument) {
    return ex.Reply(UnprocessableField(field, status.message()));
  }
  ReplyCommandError(ex, status,
                    {AccessScope::kUnknown, request.student_id, std::string(reason), request.id});
}

// POST /api/correction-requests/{id}/decision {decision: amend|refuse, reason}.
void DecideCorrection(const http::HttpRequest& request, const http::RouteParams& params,
                      Exchange ex) {
  std::string id(params.Get("id"));
  auto found = FindRequest(ex, id, "corr", FamilyRequestKind::kCorrection, Role::kPrivacyOfficer);
  if (!found) return;
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto decision = fields.Text("decision", kMaxDecisionChars);
  if (decision && *decision != "amend" && *decision != "refuse") {
    fields.Problem("decision", "must be amend or refuse");
  }
  auto reason = fields.Text("reason", kMaxFamilyTextChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  CorrectionDecision choice =
      *decision == "amend" ? CorrectionDecision::kAmend : CorrectionDecision::kRefuse;
  OffloadRaw(ex, [ex, request = *found, choice, reason = *reason, name = *decision] {
    Status decided =
        ex.services().family->DecideCorrection(ex.caller.actor, request.id, choice, reason);
    if (!decided.ok()) return ReplyDecisionError(ex, decided, request, "reason", kDeniedWrongRole);
    ex.Reply(
        Ok(json::object{{"id", request.id},
                        {"status", choice == CorrectionDecision::kAmend ? "amended" : "refused"},
                        {"decision", name}}));
  });
}

// POST /api/correction-requests/{id}/statement {text}: a guardian of the
// student, after a refusal.
void AttachStatement(const http::HttpRequest& request, const http::RouteParams& params,
                     Exchange ex) {
  std::string id(params.Get("id"));
  auto found = FindRequest(ex, id, "corr", FamilyRequestKind::kCorrection, Role::kGuardian);
  if (!found) return;
  if (!ex.services().roster->IsGuardianOf(ex.user_id(), found->student_id)) {
    return Deny(ex,
                {AccessScope::kUnknown, found->student_id, std::string(kDeniedNoRelationship), id});
  }
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto text = fields.Text("text", kMaxFamilyTextChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, request = *found, text = *text] {
    Status attached = ex.services().family->AttachStatement(ex.caller.actor, request.id, text);
    if (!attached.ok())
      return ReplyDecisionError(ex, attached, request, "text", kDeniedNoRelationship);
    ex.Reply(Created(json::object{{"id", request.id}, {"statement", true}}));
  });
}

// GET /api/family-requests?status=pending|...&kind=inspection|correction|deletion:
// a privacy officer's work list, oldest first, then what is left of the
// requests of shredded records (ShreddedFamilyRequestJson: kind and
// outcome, nothing personal), by shred. Audited as a `search` read (query
// "view=family_requests") naming every student listed.
void ListFamilyRequests(const http::HttpRequest& request, const http::RouteParams&, Exchange ex) {
  QueryFields query(request);
  std::optional<std::string> status = query.Text("status", 16);
  std::optional<std::string> kind_name = query.Text("kind", 16);
  std::optional<FamilyRequestKind> kind;
  for (FamilyRequestKind k : {FamilyRequestKind::kInspection, FamilyRequestKind::kCorrection,
                              FamilyRequestKind::kDeletion}) {
    if (kind_name && *kind_name == FamilyRequestKindName(k)) kind = k;
  }
  if (kind_name && !kind) query.Problem("kind", "must be inspection, correction or deletion");
  if (status && *status != kShreddedRequestStatus &&
      std::find(std::begin(kFamilyRequestStatuses), std::end(kFamilyRequestStatuses), *status) ==
          std::end(kFamilyRequestStatuses)) {
    query.Problem("status", "must be pending, fulfilled, amended, refused, approved or shredded");
  }
  if (!HasRole(ex, {Role::kPrivacyOfficer})) {  // refusals first: a bad query is still one
    return Deny(ex, {AccessScope::kSearch, "", std::string(kDeniedWrongRole), ""},
                OnlyRolesMessage({Role::kPrivacyOfficer}));
  }
  if (!query.ok()) return ex.Reply(query.BadRequest());
  auto requests = ex.services().family->ListRequests(kind, status.value_or(""));
  if (!requests) return ex.ReplyError(requests.error());
  auto shredded = ex.services().family->ListShreddedRequests(kind, status.value_or(""));
  if (!shredded) return ex.ReplyError(shredded.error());
  json::array items;
  for (const FamilyRequest& r : *requests) items.emplace_back(FamilyRequestJson(r));
  for (const auto& r : *shredded) items.emplace_back(ShreddedFamilyRequestJson(r));
  const size_t listed = items.size();
  json::object body{{"requests", std::move(items)}};
  const std::string reason(RoleName(ex.role()));
  AuditedRead read{
      AccessScope::kSearch, StudentsInResult(body, reason), AccessOutcome::kAllowed, {}};
  read.extra.reason = reason;
  read.extra.query = kFamilyRequestsReadQuery;
  read.extra.result_count = listed;
  SendAfterAudit(ex, std::move(read), Ok(body));
}

// POST /api/inspection-requests/{id}/fulfil: a privacy officer records
// that the family was shown the record (as of the log's current size),
// which ends the legal hold the request placed on it.
void FulfilInspection(const http::HttpRequest& request, const http::RouteParams& params,
                      Exchange ex) {
  std::string id(params.Get("id"));
  auto found = FindRequest(ex, id, "insp", FamilyRequestKind::kInspection, Role::kPrivacyOfficer);
  if (!found) return;
  auto body = ParseBody(request, /*empty_ok=*/true);
  if (!body) return ex.ReplyError(body.error());
  if (BodyFields fields(*body); !fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, request = *found] {
    Status fulfilled = ex.services().family->FulfillInspection(ex.caller.actor, request.id);
    if (!fulfilled.ok()) return ReplyDecisionError(ex, fulfilled, request, "", kDeniedWrongRole);
    ex.Reply(Ok(json::object{
        {"id", request.id}, {"student_id", request.student_id}, {"status", "fulfilled"}}));
  });
}

// POST /api/deletion-requests/{id}/approve: shreds the record; 409 during
// a legal hold (a pending inspection request).
void ApproveDeletion(const http::HttpRequest& request, const http::RouteParams& params,
                     Exchange ex) {
  std::string id(params.Get("id"));
  auto found = FindRequest(ex, id, "del", FamilyRequestKind::kDeletion, Role::kPrivacyOfficer);
  if (!found) return;
  auto body = ParseBody(request, /*empty_ok=*/true);
  if (!body) return ex.ReplyError(body.error());
  if (BodyFields fields(*body); !fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, request = *found] {
    Status approved = ex.services().family->ApproveDeletion(ex.caller.actor, request.id);
    if (!approved.ok()) return ReplyDecisionError(ex, approved, request, "", kDeniedWrongRole);
    ex.Reply(Ok(json::object{{"id", request.id},
                             {"student_id", request.student_id},
                             {"status", "approved"},
                             {"shredded", true}}));
  });
}

// POST /api/deletion-requests/{id}/refuse {reason}: the record is kept; the
// family may ask again. 409 unless the request is pending.
void RefuseDeletion(const http::HttpRequest& request, const http::RouteParams& params,
                    Exchange ex) {
  std::string id(params.Get("id"));
  auto found = FindRequest(ex, id, "del", FamilyRequestKind::kDeletion, Role::kPrivacyOfficer);
  if (!found) return;
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto reason = fields.Text("reason", kMaxFamilyTextChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, request = *found, reason = *reason] {
    Status refused = ex.services().family->RefuseDeletion(ex.caller.actor, request.id, reason);
    if (!refused.ok()) return ReplyDecisionError(ex, refused, request, "reason", kDeniedWrongRole);
    ex.Reply(Ok(json::object{
        {"id", request.id}, {"student_id", request.student_id}, {"status", "refused"}}));
  });
}

}  // namespace

void RegisterFamilyDecisionRoutes(http::Router& router, ApiContext& context) {
  AddRoute(router, context, "POST", "/api/correction-requests/{id}/decision", DecideCorrection);
  AddRoute(router, context, "POST", "/api/correction-requests/{id}/statement", AttachStatement);
  AddRoute(router, context, "GET", "/api/family-requests", ListFamilyRequests);
  AddRoute(router, context, "POST", "/api/inspection-requests/{id}/fulfil", FulfilInspection);
  AddRoute(router, context, "POST", "/api/deletion-requests/{id}/approve", ApproveDeletion);
  AddRoute(router, context, "POST", "/api/deletion-requests/{id}/refuse", RefuseDeletion);
}

}  // namespace backpack::api
