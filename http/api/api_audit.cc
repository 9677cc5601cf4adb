// The privacy officer's routes (SPEC §6): the audit trail, breach reports
// and alerts. Each read is itself audited (`audit_query` or
// `breach_report`), naming every student in the answer.
#include "http/api/audited.h"
#include "http/api/json_util.h"
#include "http/api/route.h"
#include "projections/audit/audit_csv.h"
#include "projections/audit/audit_time.h"

namespace backpack::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kOfficerReason = "privacy_officer";
constexpr size_t kMaxCursorChars = 64;
constexpr size_t kMaxActionChars = 40;
constexpr int64_t kMaxAlertsLimit = 1000;

// CSV if the Accept header names text/csv as acceptable (q above 0) and
// rates it at least as high as JSON, the default: `text/csv;q=0.9,
// application/json` and `*/*` get JSON, `text/csv, application/json` CSV.
bool WantsCsv(const http::HttpRequest& request) {
  auto accept = request.headers.Get("Accept");
  if (!accept) return false;
  const int csv = http::AcceptQuality(*accept, "text/csv", /*wildcards=*/false).value_or(0);
  const int json = http::AcceptQuality(*accept, "application/json").value_or(0);
  return csv > 0 && csv >= json;
}

http::HttpResponse CsvResponse(std::string body, std::string_view filename) {
  http::HttpResponse response;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(body);
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + std::string(filename) + "\"");
  return response;
}

// The `actor_id` parameter: a user id or a username, as a user id.
std::optional<std::string> ActorParam(const Exchange& ex, QueryFields& query) {
  std::optional<std::string> actor = query.Text("actor_id", 64);
  if (!actor) return std::nullopt;
  if (!IsOpaqueId(*actor, "usr") && !IsUsername(*actor)) {
    query.Problem("actor_id", "must be a user id or a username");
    return std::nullopt;
  }
  auto resolved = ex.services().audit->ResolveActor(*actor);
  if (!resolved) {
    query.Problem("actor_id", "names no account");
    return std::nullopt;
  }
  return *resolved;
}

// Refuses callers other than privacy officers; true if refused.
bool RefuseNonOfficer(const Exchange& ex, AccessScope scope) {
  if (HasRole(ex, {Role::kPrivacyOfficer})) return false;
  Deny(ex, {scope, "", std::string(kDeniedWrongRole), ""},
       OnlyRolesMessage({Role::kPrivacyOfficer}));
  return true;
}

// The `scope` read by which a privacy officer sees `result`: every student it
// names, `query`, and how many items its `items_key` array holds.
AuditedRead OfficerRead(AccessScope scope, const json::object& result, std::string_view items_key,
                        std::string query) {
  const json::value* items = result.if_contains(items_key);
  AuditedRead read{scope, StudentsInResult(result, kOfficerReason), AccessOutcome::kAllowed, {}};
  read.extra.reason = kOfficerReason;
  read.extra.query = std::move(query);
  read.extra.result_count = items && items->is_array() ? items->get_array().size() : 0;
  return read;
}

// One page of GetEvents, sent once its `audit_query` read is recorded.
void ServeEventsPage(const Exchange& ex, const AuditQuery& q, bool csv) {
  auto page = ex.services().audit->Query(q);
  if (!page) return ex.ReplyError(page.error());
  AuditedRead read = OfficerRead(AccessScope::kAuditQuery, *page, "events", QueryFilterString(q));
  http::HttpResponse response =
      csv ? CsvResponse(AuditEventsCsv(*page), "audit-events.csv") : Ok(*page);
  // CSV has no room for the cursor: a page that is not the last says where
  // the next one starts in a header.
  const json::value* next = page->if_contains("next_cursor");
  if (csv && next && next->is_string()) {
    response.headers.emplace_back("X-Next-Cursor", std::string(next->get_string()));
  }
  SendAfterAudit(ex, std::move(read), std::move(response));
}

// GET /api/audit/events?student_id=&actor_id=&since=&until=&action=&limit=&cursor=
void GetEvents(const http::HttpRequest& request, const http::RouteParams&, Exchange ex) {
  if (RefuseNonOfficer(ex, AccessScope::kAuditQuery)) return;
  QueryFields query(request);
  AuditQuery q;
  q.student_id = query.Id("student_id", "stu").value_or("");
  q.actor_id = ActorParam(ex, query).value_or("");
  q.since_us = query.Time("since", false);
  q.until_us = query.Time("until", true);
  if (Status window = CheckAuditWindow(q.since_us, q.until_us); !window.ok()) {
    query.Problem("until", window.message());
  }
  q.action = query.Text("action", kMaxActionChars).value_or("");
  q.limit = static_cast<size_t>(query.Int("limit", 1, kMaxQueryLimit).value_or(100));
  q.cursor = query.Text("cursor", kMaxCursorChars).value_or("");
  if (!query.ok()) return ex.Reply(query.BadRequest());
  // A page may look through many entries to find `limit` that match (a
  // student's and an actor's, or an old window): on the read pool.
  OffloadRead(ex, [ex, q = std::move(q), csv = WantsCsv(request)](const ReadSlot&) {
    ServeEventsPage(ex, q, csv);
  });
}

// The answer of GetBreachReport, sent once its `breach_report` read is
// recorded.
void ServeBreachReport(const Exchange& ex, const std::string& actor, int64_t since, int64_t until,
                       bool csv) {
  auto report = ex.services().audit->BreachReport(actor, since, until);
  if (!report) return ex.ReplyError(report.error());
  AuditedRead read = OfficerRead(
      AccessScope::kBreachReport, *report, "students",
      "actor_id=" + actor + "&since=" + FormatIsoTime(since) + "&until=" + FormatIsoTime(until));
  http::HttpResponse response =
      csv ? CsvResponse(BreachReportCsv(*report), "breach-report.csv") : Ok(*report);
  SendAfterAudit(ex, std::move(read), std::move(response));
}

// GET /api/audit/breach-report?actor_id=&since=&until= (all required).
void GetBreachReport(const http::HttpRequest& request, const http::RouteParams&, Exchange ex) {
  if (RefuseNonOfficer(ex, AccessScope::kBreachReport)) return;
  QueryFields query(request);
  for (std::string_view key : {"actor_id", "since", "until"}) query.Require(key);
  std::optional<std::string> actor = ActorParam(ex, query);
  std::optional<int64_t> since = query.Time("since", false);
  std::optional<int64_t> until = query.Time("until", true);
  if (Status window = CheckAuditWindow(since, until); !window.ok()) {
    query.Problem("until", window.message());
  }
  if (!query.ok()) return ex.Reply(query.BadRequest());
  // Unpaged: every access of the account in the window, with the students'
  // names and guardians decrypted. On the read pool.
  OffloadRead(ex, [ex, actor = *actor, since = *since, until = *until, csv = WantsCsv(request)](
                      const ReadSlot&) { ServeBreachReport(ex, actor, since, until, csv); });
}

// GET /api/audit/alerts[?unreviewed=true&limit=&cursor=]: audited as an
// `audit_query` (break-glass alerts name students and their reasons).
void GetAlerts(const http::HttpRequest& request, const http::RouteParams&, Exchange ex) {
  if (RefuseNonOfficer(ex, AccessScope::kAuditQuery)) return;
  QueryFields query(request);
  std::optional<std::string> unreviewed = query.Text("unreviewed", 5);
  if (unreviewed && *unreviewed != "true" && *unreviewed != "false") {
    query.Problem("unreviewed", "must be true or false");
  }
  std::optional<int64_t> limit = query.Int("limit", 1, kMaxAlertsLimit);
  std::string cursor = query.Text("cursor", kMaxCursorChars).value_or("");
  if (!query.ok()) return ex.Reply(query.BadRequest());
  const bool only_unreviewed = unreviewed && *unreviewed == "true";
  // `unreviewed=true` skips reviewed alerts without bound: on the read pool.
  OffloadRead(ex, [ex, only_unreviewed, limit = static_cast<size_t>(limit.value_or(100)),
                   cursor](const ReadSlot&) {
    auto alerts = ex.services().audit->Alerts(only_unreviewed, limit, cursor);
    if (!alerts) return ex.ReplyError(alerts.error());
    AuditedRead read =
        OfficerRead(AccessScope::kAuditQuery, *alerts, "alerts",
                    std::string(only_unreviewed ? kUnreviewedAlertsReadQuery : kAlertsReadQuery));
    SendAfterAudit(ex, std::move(read), Ok(*alerts));
  });
}

// POST /api/audit/alerts/{id}/review {note}. An alert about the caller's
// own account is refused (403, recorded as AccessDenied), as is any other
// refusal of the review itself.
void ReviewAlert(const http::HttpRequest& request, const http::RouteParams& params, Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckPathId(ex, id, "alr", "alert")) return;
  if (!HasRole(ex, {Role::kPrivacyOfficer})) {
    return Deny(ex, {AccessScope::kUnknown, "", std::string(kDeniedWrongRole), id},
                OnlyRolesMessage({Role::kPrivacyOfficer}));
  }
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  auto note = fields.Text("note", kMaxReviewNoteChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, id, note = *note] {
    Status reviewed = ex.services().audit->ReviewAlert(ex.caller.actor, id, note);
    if (!reviewed.ok()) {
      return ReplyCommandError(ex, reviewed,
                               {AccessScope::kUnknown, "", std::string(kDeniedOwnAlert), id});
    }
    ex.Reply(Created(json::object{{"id", id}, {"reviewed", true}}));
  });
}

}  // namespace

void RegisterAuditRoutes(http::Router& router, ApiContext& context) {
  AddRoute(router, context, "GET", "/api/audit/events", GetEvents);
  AddRoute(router, context, "GET", "/api/audit/breach-report", GetBreachReport);
  AddRoute(router, context, "GET", "/api/audit/alerts", GetAlerts);
  AddRoute(router, context, "POST", "/api/audit/alerts/{id}/review", ReviewAlert);
}

}  // namespace backpack::api
