// Family rights routes (SPEC §6, FERPA): the record's history and its
// export (audited `history` / `export`), correction, inspection and
// deletion requests, and their decisions.
#include "http/api/audited.h"
#include "http/api/json_util.h"
#include "http/api/route.h"
#include "projections/audit/audit_time.h"
#include "projections/family/family.h"
#include "projections/roster/roster.h"

namespace backpack::api {
namespace json = boost::json;
namespace {

// A command's failure after its body was accepted: a module's input
// complaint is about the body's `field` (422), a refusal is a denial.
void ReplyFamilyError(const Exchange& ex, const Status& status, std::string_view field,
                      Denial denial) {
  if (status.code() == StatusCode::kInvalidArgument) {
    return ex.Reply(UnprocessableField(field, status.message()));
  }
  ReplyCommandError(ex, status, std::move(denial));
}

// Guardians of the student and privacy officers may read the record's
// history; the reason names which.
AccessDecision DecideHistory(const Exchange& ex, const std::string& student_id) {
  if (ex.role() == Role::kPrivacyOfficer) return {true, "privacy_officer"};
  if (ex.services().roster->IsGuardianOf(ex.user_id(), student_id)) return {true, "guardian"};
  return {false, std::string(kDeniedNoRelationship)};
}

// The shared flow of the two history reads, up to the access decision.
// Nullopt when it has answered already.
std::optional<StudentRead> HistoryRead(const Exchange& ex, const std::string& id,
                                       AccessScope scope) {
  if (!CheckStudentRoute(ex, id, {Role::kGuardian, Role::kPrivacyOfficer}, scope)) {
    return std::nullopt;
  }
  StudentRead read{scope, id, "", AccessOutcome::kAllowed, {}};
  auto found = ex.services().roster->FindStudent(id);
  if (found) return read;
  if (found.error().code() == StatusCode::kGone && ex.role() == Role::kPrivacyOfficer) {
    read.outcome = AccessOutcome::kGone;  // only the non-personal history remains
    return read;
  }
  // An unknown id is 404 to the officer; for a guardian, a shredded record
  // is 410 (recorded) only if they were linked to the child at the shred, and
  // anything else is refused as another family's child is.
  read.outcome = AccessOutcome::kGone;
  AnswerMissing(ex, RouteReach::kStaffOrGuardian, RecordKind::kStudent, found.error(),
                std::move(read));
  return std::nullopt;
}

// GET /api/students/{id}/history: every event about the record, oldest
// first, with the FERPA §99.32 disclosures. Its cost grows with the record
// (and each read adds to it): built on the read pool.
void GetHistory(const http::HttpRequest&, const http::RouteParams& params, Exchange ex) {
  std::string id(params.Get("id"));
  auto read = HistoryRead(ex, id, AccessScope::kHistory);
  if (!read) return;
  ServeDecidedOnReadPool(
      ex, DecideHistory(ex, id), std::move(*read), [ex, id]() -> Result<http::HttpResponse> {
        const std::string for_guardian = ex.role() == Role::kGuardian ? ex.user_id() : "";
        ASSIGN_OR_RETURN(json::object history, ex.services().family->History(id, for_guardian));
        return Ok(history);
      });
}

// GET /api/students/{id}/history/export: the verifiable bundle of
// `backpack export-history`. Building it writes a checkpoint: on the read
// pool.
void GetHistoryExport(const http::HttpRequest&, const http::RouteParams& params, Exchange ex) {
  std::string id(params.Get("id"));
  auto read = HistoryRead(ex, id, AccessScope::kExport);
  if (!read) return;
  // Recorded before the bundle is built, so that the bundle holds its own
  // export's record (docs/history-export.md), as the CLI's does.
  ServeDecidedRecordFirst(
      ex, DecideHistory(ex, id), std::move(*read), [ex, id]() -> Result<http::HttpResponse> {
        const std::string for_guardian = ex.role() == Role::kGuardian ? ex.user_id() : "";
        ASSIGN_OR_RETURN(json::object bundle,
                         ex.services().family->ExportHistory(id, for_guardian));
        http::HttpResponse response = Ok(bundle);
        response.headers.emplace_back("Content-Disposition",
                                      "attachment; filename=\"history-" + id + ".json\"");
        return response;
      });
}

// The checks of a family request about student `id` by a guardian of the
// student (or, with `admin_too`, a district admin). True if allowed; else
// it has answered.
bool CheckGuardianRequest(const Exchange& ex, const std::string& id, bool admin_too) {
  if (!CheckPathId(ex, id, "stu", "student")) return false;
  bool admin = admin_too && ex.role() == Role::kDistrictAdmin;
  if (!admin && ex.role() != Role::kGuardian) {
    Deny(ex, {AccessScope::kUnknown, KnownStudent(ex, id), std::string(kDeniedWrongRole), ""},
         admin_too ? OnlyRolesMessage({Role::kGuardian, Role::kDistrictAdmin})
                   : OnlyRolesMessage({Role::kGuardian}));
    return false;
  }
  if (!CheckStudentFound(ex, RouteReach::kStaffOrGuardian, AccessScope::kUnknown, id)) {
    return false;
  }
  if (!admin && !ex.services().roster->IsGuardianOf(ex.user_id(), id)) {
    Deny(ex, {AccessScope::kUnknown, id, std::string(kDeniedNoRelationship), ""});
    return false;
  }
  return true;
}

// POST /api/students/{id}/correction-requests {text, about_seq}.
void RequestCorrection(const http::HttpRequest& request, const http::RouteParams& params,
                       Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckGuardianRequest(ex, id, /*admin_too=*/false)) return;
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto text = fields.Text("text", kMaxFamilyTextChars, true, /*multiline=*/true);
  auto about_seq = fields.Uint("about_seq");
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, id, text = *text, about_seq = *about_seq] {
    auto receipt = ex.services().family->RequestCorrection(ex.caller.actor, id, text, about_seq);
    if (!receipt) {
      return ReplyFamilyError(ex, receipt.error(), "about_seq",
                              {AccessScope::kUnknown, id, std::string(kDeniedNoRelationship), ""});
    }
    ex.Reply(Created(json::object{{"id", receipt->id}, {"seq", receipt->seq}}));
  });
}

// POST /api/students/{id}/inspection-requests: 201 with due_by (45 days).
void RequestInspection(const http::HttpRequest& request, const http::RouteParams& params,
                       Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckGuardianRequest(ex, id, /*admin_too=*/false)) return;
  auto body = ParseBody(request, /*empty_ok=*/true);
  if (!body) return ex.ReplyError(body.error());
  if (BodyFields fields(*body); !fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, id] {
    auto receipt = ex.services().family->RequestInspection(ex.caller.actor, id);
    if (!receipt) {
      return ReplyFamilyError(ex, receipt.error(), "",
                              {AccessScope::kUnknown, id, std::string(kDeniedNoRelationship), ""});
    }
    ex.Reply(Created(json::object{{"id", receipt->id},
                                  {"seq", receipt->seq},
                                  {"due_by", FormatIsoTime(receipt->due_by_us)}}));
  });
}

// POST /api/students/{id}/deletion-requests {reason}.
void RequestDeletion(const http::HttpRequest& request, const http::RouteParams& params,
                     Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckGuardianRequest(ex, id, /*admin_too=*/true)) return;
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto reason = fields.Text("reason", kMaxFamilyTextChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, id, reason = *reason] {
    auto receipt = ex.services().family->RequestDeletion(ex.caller.actor, id, reason);
    if (!receipt) {
      return ReplyFamilyError(ex, receipt.error(), "reason",
                              {AccessScope::kUnknown, id, std::string(kDeniedNoRelationship), ""});
    }
    ex.Reply(Created(json::object{{"id", receipt->id}, {"seq", receipt->seq}}));
  });
}

// POST /api/students/{id}/disclosures {recipient, legitimate_interest,
// description}: a privacy officer or district admin records a disclosure
// outside the district's staff (FERPA §99.32). 201 {seq}.
void RecordDisclosure(const http::HttpRequest& request, const http::RouteParams& params,
                      Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckStudentRoute(ex, id, {Role::kPrivacyOfficer, Role::kDistrictAdmin})) return;
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto recipient = fields.Text("recipient", kMaxFamilyTextChars, true);
  auto interest = fields.Text("legitimate_interest", kMaxFamilyTextChars, true);
  auto description = fields.Text("description", kMaxFamilyTextChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  DisclosureRecord disclosure{*recipient, *interest, *description};
  OffloadRaw(ex, [ex, id, disclosure = std::move(disclosure)] {
    auto seq = ex.services().family->RecordDisclosure(ex.caller.actor, id, disclosure);
    if (!seq) {
      return ReplyFamilyError(ex, seq.error(), "",
                              {AccessScope::kUnknown, id, std::string(kDeniedWrongRole), ""});
    }
    ex.Reply(Created(json::object{{"seq", *seq}}));
  });
}

}  // namespace

void RegisterFamilyRoutes(http::Router& router, ApiContext& context) {
  AddRoute(router, context, "GET", "/api/students/{id}/history", GetHistory);
  AddRoute(router, context, "GET", "/api/students/{id}/history/export", GetHistoryExport);
  AddRoute(router, context, "POST", "/api/students/{id}/correction-requests", RequestCorrection);
  AddRoute(router, context, "POST", "/api/students/{id}/inspection-requests", RequestInspection);
  AddRoute(router, context, "POST", "/api/students/{id}/deletion-requests", RequestDeletion);
  AddRoute(router, context, "POST", "/api/students/{id}/disclosures", RecordDisclosure);
  RegisterFamilyDecisionRoutes(router, context);
}

}  // namespace backpack::api
