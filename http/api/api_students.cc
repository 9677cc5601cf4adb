// Educators' student routes (SPEC §6): search, profile, break-glass. The
// note routes and the feed are in api_notes.cc.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "http/api/audited.h"
#include "http/api/json_util.h"
#include "http/api/route.h"
#include "projections/audit/audit_time.h"
#include "projections/family/family.h"
#include "projections/records/records.h"
#include "projections/roster/roster_commands.h"

namespace backpack::api {
namespace json = boost::json;
namespace {

constexpr size_t kMaxSearchChars = 100;
constexpr int64_t kSearchDefaultLimit = 50;
constexpr int64_t kSearchMaxLimit = 200;

json::object HitJson(const StudentSearchHit& hit) {
  return json::object{{"id", hit.id},
                      {"name", hit.name},
                      {"grade", hit.grade},
                      {"school", hit.school_id},  // an id, as in the profile's `student`
                      {"school_name", hit.school_name},
                      {"reason", hit.reason}};
}

// One page of SearchStudents, sent once its `search` read is recorded.
void ServeSearchPage(const Exchange& ex, const std::string& q, size_t page_size,
                     const std::string& cursor) {
  RosterCommands commands(ex.services());
  // One more than a page, to learn whether another follows.
  auto hits = commands.Search(ex.user_id(), q, ex.now_us, page_size + 1, cursor);
  if (!hits) return ex.ReplyError(hits.error());
  json::value next_cursor = nullptr;
  if (hits->size() > page_size) {
    hits->resize(page_size);
    next_cursor = json::value(hits->back().id);
  }
  AuditedRead read;
  read.scope = AccessScope::kSearch;
  read.extra.reason = "educator";
  read.extra.search_digest = ex.services().audit->DigestSearchText(q);
  read.extra.result_count = hits->size();
  json::array students;
  for (const StudentSearchHit& hit : *hits) {
    students.push_back(HitJson(hit));
    read.students.push_back({hit.id, hit.reason});
  }
  SendAfterAudit(
      ex, std::move(read),
      Ok(json::object{{"students", std::move(students)}, {"next_cursor", std::move(next_cursor)}}));
}

// GET /api/students?q=&limit=&cursor=: one page of the matching students
// the caller may access, and `next_cursor` (the last student's id; null on
// the last page) to pass back as `cursor` for the next. Each page is
// audited as one `search` read naming every student on it (the typed text
// only as a keyed digest).
void SearchStudents(const http::HttpRequest& request, const http::RouteParams&, Exchange ex) {
  QueryFields query(request);
  std::optional<std::string> q = query.Text("q", kMaxSearchChars);
  std::optional<int64_t> limit = query.Int("limit", 1, kSearchMaxLimit);
  std::optional<std::string> cursor = query.Id("cursor", "stu");
  if (!HasRole(ex, {Role::kEducator})) {  // refusals first: a bad query is still one
    return Deny(ex, {AccessScope::kSearch, "", std::string(kDeniedNotEducator), ""});
  }
  if (!query.ok()) return ex.Reply(query.BadRequest());
  const auto page_size = static_cast<size_t>(limit.value_or(kSearchDefaultLimit));
  // Matching decrypts every student the caller may access: on the read pool.
  OffloadRead(ex, [ex, q = q.value_or(""), page_size, cursor = cursor.value_or("")](
                      const ReadSlot&) { ServeSearchPage(ex, q, page_size, cursor); });
}

// Adds `"key":value` as the last member of the serialized JSON object
// `object_text`.
void AppendMember(std::string& object_text, std::string_view key, const json::value& value) {
  object_text.pop_back();  // '}'
  object_text += ',';
  object_text += json::serialize(json::string_view(key));
  object_text += ':';
  object_text += json::serialize(value);
  object_text += '}';
}

// GET /api/students/{id}/profile[?history=all]: audited as `profile`, or
// `profile_history` with the older data. The family's statements about
// refused corrections are shown with the record (FERPA §99.21(b)), and so are
// amended corrections: the entry `about_seq` was found inaccurate (§99.20);
// the record itself comes from the district's systems, which must correct it.
// The entries they are about are flagged `disputed` / `amended`. Those about
// a restricted note are stubs here, for every reader: their text describes
// the note, and is served with it by its own audited read (GetRestrictedNote).
void GetProfile(const http::HttpRequest& request, const http::RouteParams& params, Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckPathId(ex, id, "stu", "student")) return;
  QueryFields query(request);
  std::optional<std::string> history = query.Text("history", 8);
  if (history && *history != "all") query.Problem("history", "must be \"all\" when given");
  const bool all = history.has_value();
  const AccessScope scope = all ? AccessScope::kProfileHistory : AccessScope::kProfile;
  if (!HasRole(ex, {Role::kEducator})) {  // refusals first: a bad query is still one
    return Deny(ex, {scope, KnownStudent(ex, id), std::string(kDeniedNotEducator), ""});
  }
  if (!query.ok()) return ex.Reply(query.BadRequest());
  if (!CheckStudentFound(ex, RouteReach::kEducator, scope, id)) return;
  AccessDecision decision = ex.services().roster->Decide(ex.user_id(), id, ex.now_us);
  ServeDecided(ex, decision, StudentRead{scope, id, "", AccessOutcome::kAllowed, {}},
               [&]() -> Result<http::HttpResponse> {
                 ASSIGN_OR_RETURN(Family::ShownWithRecord shown,
                                  ex.services().family->RecordAnnotations(id));
                 ASSIGN_OR_RETURN(std::string profile, ex.services().records->ProfileText(
                                                           id, all, ex.now_us, decision.reason,
                                                           ex.caller.user, shown.marks));
                 AppendMember(profile, "statements", shown.statements);
                 AppendMember(profile, "amendments", shown.amendments);
                 return OkJsonText(std::move(profile));
               });
}

// Why `reason` is too short for a break-glass, or "". Spaces and invisible
// characters (zero-width spaces, ...) do not count.
std::string BreakGlassReasonProblem(const std::string& reason) {
  if (VisibleLength(reason) < kMinBreakGlassReasonLength) {
    return "must be at least " + std::to_string(kMinBreakGlassReasonLength) + " visible characters";
  }
  return "";
}

// POST /api/students/{id}/break-glass {reason}: one hour of access; the
// audit projection raises the alert from the BreakGlassStarted event. The
// body is checked before the student is looked up, so that a 422 says
// nothing about whether the id exists; an unknown (or shredded) id is then
// refused, recorded, to an educator who cannot see every student.
void StartBreakGlass(const http::HttpRequest& request, const http::RouteParams& params,
                     Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckPathId(ex, id, "stu", "student")) return;
  if (!HasRole(ex, {Role::kEducator})) {
    return Deny(ex,
                {AccessScope::kUnknown, KnownStudent(ex, id), std::string(kDeniedNotEducator), ""});
  }
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  std::optional<std::string> reason =
      fields.Text("reason", kMaxReasonChars, /*required=*/true, /*multiline=*/true);
  if (reason) {
    if (std::string why = BreakGlassReasonProblem(*reason); !why.empty()) {
      fields.Problem("reason", why);
    }
  }
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  if (!CheckStudentFound(ex, RouteReach::kEducator, AccessScope::kUnknown, id, {}, "")) return;
  OffloadRaw(ex, [ex, id, reason = *reason] {
    auto started =
        RosterCommands(ex.services()).StartBreakGlass(ex.caller.actor, ex.user_id(), id, reason);
    if (!started) {
      return ReplyCommandError(ex, started.error(),
                               {AccessScope::kUnknown, id, std::string(kDeniedNotEducator), ""});
    }
    ex.Reply(Created(json::object{{"id", started->id},
                                  {"student_id", id},
                                  {"expires_at", FormatIsoTime(started->expires_at_us)}}));
  });
}

}  // namespace

void RegisterStudentRoutes(http::Router& router, ApiContext& context) {
  AddRoute(router, context, "GET", "/api/students", SearchStudents);
  AddRoute(router, context, "GET", "/api/students/{id}/profile", GetProfile);
  AddRoute(router, context, "POST", "/api/students/{id}/break-glass", StartBreakGlass);
  RegisterNoteRoutes(router, context);
}

}  // namespace backpack::api
