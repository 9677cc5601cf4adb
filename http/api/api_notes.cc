// Notes and the home feed (SPEC §6): restricted note text (audited
// separately), writing, revising and restricting notes, the educator's feed.
#include <boost/json/array.hpp>

#include "http/api/audited.h"
#include "http/api/json_util.h"
#include "http/api/route.h"
#include "projections/access_state.h"
#include "projections/audit/audit_time.h"
#include "projections/family/family.h"
#include "projections/records/records.h"

namespace backpack::api {
namespace json = boost::json;
namespace {

constexpr size_t kMaxNoteKindChars = 40;
constexpr size_t kMaxCursorChars = 256;

// A time, or null when there is none (as in profiles).
json::value TimeOrNull(int64_t us) {
  return us ? json::value(FormatIsoTime(us)) : json::value(nullptr);
}

// A note's metadata, never its text.
json::object NoteJson(const NoteInfo& info) {
  return json::object{{"id", info.id},
                      {"student_id", info.student_id},
                      {"kind", info.kind},
                      {"author_id", info.author_id},
                      {"restricted", info.restricted},
                      {"seq", info.seq},
                      {"written_at", TimeOrNull(info.written_at_us)},
                      {"revised_at", TimeOrNull(info.revised_at_us)},
                      {"revised_by", info.revised_by.empty() ? json::value(nullptr)
                                                             : json::value(info.revised_by)}};
}

// The student `note_id` is about, even if a shred took the note, or "" if
// unknown: for denials and for the record of a request about a shredded note.
std::string NoteStudentOrEmpty(const Exchange& ex, const std::string& note_id) {
  Records& records = *ex.services().records;
  if (auto student = records.NoteStudent(note_id)) return *student;
  auto shredded = records.ShreddedNoteStudent(note_id);
  return shredded && *shredded ? **shredded : "";
}

// Answers `error`, the failed lookup of note `note_id` on a route of
// `reach`, as AnswerMissing does: an unknown note (kNotFound) or one a shred
// took (kGone, recorded against its student, a read of `scope` or (kUnknown)
// a write) is 404 or 410 only to whom DecideMissing allows, and otherwise
// refused as a live note would be (`as_if`); anything else as it is.
void ReplyNoteError(const Exchange& ex, const Status& error, AccessScope scope,
                    const std::string& note_id, RouteReach reach, std::string_view as_if) {
  StudentRead missing{scope, NoteStudentOrEmpty(ex, note_id), note_id, AccessOutcome::kGone, {}};
  if (scope == AccessScope::kRestrictedNote) missing.extra.note_id = note_id;
  AnswerMissing(ex, reach, RecordKind::kNote, error, std::move(missing), as_if);
}

// The refusal of a change to `note` by someone other than its author.
Denial NotAuthor(const NoteInfo& note) {
  return {AccessScope::kUnknown, note.student_id, std::string(kDeniedNotAuthor), note.id};
}

// GET /api/notes/{id}/restricted: educators with access to the student and
// the can_view_restricted_notes flag; audited as `restricted_note`. A note
// that is not restricted is refused with 409 (its text is in the profile):
// a read here would be recorded as a restricted note's. The answer carries
// the family's `statements` and `amendments` about the note (any of its
// events) in full: the profile shows them only as stubs. An unknown note, or
// one a shred took (410, recorded as a read with outcome gone), is told so
// only to a districtwide educator with the flag (ReplyNoteError); access to
// a shredded student can no longer be decided otherwise.
void GetRestrictedNote(const http::HttpRequest&, const http::RouteParams& params, Exchange ex) {
  std::string note_id(params.Get("id"));
  if (!CheckPathId(ex, note_id, "note", "note")) return;
  if (!HasRole(ex, {Role::kEducator})) {
    return Deny(ex, {AccessScope::kRestrictedNote, NoteStudentOrEmpty(ex, note_id),
                     std::string(kDeniedNotEducator), note_id});
  }
  Records& records = *ex.services().records;
  auto student = records.NoteStudent(note_id);
  if (!student) {
    return ReplyNoteError(ex, student.error(), AccessScope::kRestrictedNote, note_id,
                          RouteReach::kRestrictedNote, kDeniedNoRelationship);
  }
  AccessDecision decision =
      ex.services().roster->DecideRestricted(ex.user_id(), *student, ex.now_us);
  StudentRead read{AccessScope::kRestrictedNote, *student, note_id, AccessOutcome::kAllowed, {}};
  read.extra.note_id = note_id;
  // ServeDecided records the read only once this answer is produced: an
  // error here (409 for a note that is not restricted) records nothing.
  ServeDecided(ex, decision, std::move(read), [&]() -> Result<http::HttpResponse> {
    ASSIGN_OR_RETURN(NoteText note, records.RestrictedNoteText(note_id));
    if (!note.info.restricted) {
      return Err(
          FailedPreconditionError("this note is not restricted: its text is in the profile"));
    }
    ASSIGN_OR_RETURN(Family::ShownWithRecord shown,
                     ex.services().family->NoteAnnotations(note.info.student_id, note_id));
    json::object body = NoteJson(note.info);
    body["text"] = note.text;
    body["statements"] = std::move(shown.statements);
    body["amendments"] = std::move(shown.amendments);
    return Ok(body);
  });
}

// POST /api/students/{id}/notes {kind, text, restricted}: educators with
// access to the student.
void WriteNote(const http::HttpRequest& request, const http::RouteParams& params, Exchange ex) {
  std::string id(params.Get("id"));
  if (!CheckPathId(ex, id, "stu", "student")) return;
  if (!HasRole(ex, {Role::kEducator})) {
    return Deny(ex,
                {AccessScope::kUnknown, KnownStudent(ex, id), std::string(kDeniedNotEducator), ""});
  }
  if (!CheckStudentFound(ex, RouteReach::kEducator, AccessScope::kUnknown, id)) return;
  AccessDecision decision = ex.services().roster->Decide(ex.user_id(), id, ex.now_us);
  if (!decision.allowed) return Deny(ex, {AccessScope::kUnknown, id, decision.reason, ""});
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  std::optional<std::string> kind = fields.Text("kind", kMaxNoteKindChars);
  if (kind && !IsValidNoteKind(*kind)) {
    fields.Problem("kind", "must be one of sst, mtss, parent_conversation, counselor, other");
  }
  std::optional<std::string> text = fields.Text("text", kNoteMaxChars, true, /*multiline=*/true);
  std::optional<bool> restricted = fields.Bool("restricted", false);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, id, kind = *kind, text = *text, restricted = *restricted] {
    auto note = ex.services().records->WriteNote(ex.caller.actor, id, kind, text, restricted);
    if (!note) {
      return ReplyCommandError(ex, note.error(),
                               {AccessScope::kUnknown, id, std::string(kDeniedNoRelationship), ""});
    }
    ex.Reply(Created(NoteJson(*note)));
  });
}

// For a route that changes the note `note_id` (from the path): true, with
// `*note` set, if the caller is its author and still has access to the
// student; false, having answered: 400 for a malformed id; for an unknown
// note or one a shred took, as ReplyNoteError decides (404, or 410 recorded
// as AccessDenied denied:gone, to a districtwide educator; else refused as
// for another's note: its author can no longer be checked); 403 (recorded
// as AccessDenied) for anyone else.
bool CheckNoteAuthor(const Exchange& ex, const std::string& note_id, NoteInfo* note) {
  if (!CheckPathId(ex, note_id, "note", "note")) return false;
  if (!HasRole(ex, {Role::kEducator})) {
    Deny(ex, {AccessScope::kUnknown, NoteStudentOrEmpty(ex, note_id),
              std::string(kDeniedNotEducator), note_id});
    return false;
  }
  auto found = ex.services().records->FindNote(note_id);
  if (!found) {
    ReplyNoteError(ex, found.error(), AccessScope::kUnknown, note_id, RouteReach::kEducator,
                   kDeniedNotAuthor);
    return false;
  }
  if (found->author_id != ex.user_id()) {
    Deny(ex, NotAuthor(*found));
    return false;
  }
  // Authorship is not enough: an author whose access to the student has
  // ended (grant revoked or expired, class left) may no longer change it.
  AccessDecision decision =
      ex.services().roster->Decide(ex.user_id(), found->student_id, ex.now_us);
  if (!decision.allowed) {
    Deny(ex, {AccessScope::kUnknown, found->student_id, decision.reason, note_id});
    return false;
  }
  *note = std::move(*found);
  return true;
}

// POST /api/notes/{id}/revisions {text}: the note's author, while they
// still have access to the student (CheckNoteAuthor); the NoteRevised event
// records the reviser.
void ReviseNote(const http::HttpRequest& request, const http::RouteParams& params, Exchange ex) {
  std::string note_id(params.Get("id"));
  NoteInfo note;
  if (!CheckNoteAuthor(ex, note_id, &note)) return;
  auto body = ParseBody(request);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  std::optional<std::string> text = fields.Text("text", kNoteMaxChars, true, /*multiline=*/true);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, note_id, text = *text, not_author = NotAuthor(note)] {
    auto revised = ex.services().records->ReviseNote(ex.caller.actor, note_id, text);
    if (!revised) return ReplyCommandError(ex, revised.error(), not_author);
    ex.Reply(Created(NoteJson(*revised)));
  });
}

// POST /api/notes/{id}/restrict (no body, or {}): the note's author, while
// they still have access to the student (CheckNoteAuthor), marks it
// restricted; the NoteRestricted event records who. 201 when it was marked,
// 200 (appending nothing) if it already was restricted.
void RestrictNote(const http::HttpRequest& request, const http::RouteParams& params, Exchange ex) {
  std::string note_id(params.Get("id"));
  NoteInfo note;
  if (!CheckNoteAuthor(ex, note_id, &note)) return;
  auto body = ParseBody(request, /*empty_ok=*/true);
  if (!body) return ex.ReplyError(body.error());
  BodyFields fields(*body);
  if (!fields.Finish()) return ex.Reply(fields.Unprocessable());
  OffloadRaw(ex, [ex, note_id, not_author = NotAuthor(note)] {
    bool appended = false;
    auto restricted = ex.services().records->RestrictNote(ex.caller.actor, note_id, &appended);
    if (!restricted) return ReplyCommandError(ex, restricted.error(), not_author);
    json::object body = NoteJson(*restricted);
    ex.Reply(appended ? Created(body) : Ok(body));
  });
}

// The page to start after: `before` (SPEC's name) or `cursor` (the audit
// routes' name for a next_cursor); both given, they must agree.
std::optional<std::string> FeedCursor(QueryFields& query) {
  std::optional<std::string> before = query.Text("before", kMaxCursorChars);
  std::optional<std::string> cursor = query.Text("cursor", kMaxCursorChars);
  if (before && cursor && *before != *cursor) {
    query.Problem("cursor", "must equal before when both are given");
  }
  return before ? before : cursor;
}

// GET /api/feed?limit=&before= (or cursor=): audited as one `search` read
// (query "view=feed") naming every student on the page, since the page
// shows their notes, services and voice.
void GetFeed(const http::HttpRequest& request, const http::RouteParams&, Exchange ex) {
  QueryFields query(request);
  std::optional<int64_t> limit = query.Int("limit", 1, kFeedMaxLimit);
  std::optional<std::string> before = FeedCursor(query);
  if (!HasRole(ex, {Role::kEducator})) {  // refusals first: a bad query is still one
    return Deny(ex, {AccessScope::kSearch, "", std::string(kDeniedNotEducator), ""});
  }
  if (!query.ok()) return ex.Reply(query.BadRequest());
  // A page looks through every accessible student's items: on the read pool.
  OffloadRead(ex, [ex, limit = static_cast<int>(limit.value_or(kFeedDefaultLimit)),
                   before = before.value_or("")](const ReadSlot&) {
    auto page = ex.services().records->Feed(ex.user_id(), limit, before, ex.now_us);
    if (!page) return ex.ReplyError(page.error());
    AuditedRead read;
    read.scope = AccessScope::kSearch;
    read.extra.reason = "educator";
    read.extra.query = kFeedReadQuery;
    read.extra.result_count = page->items.size();
    for (const FeedStudent& s : page->students) read.students.push_back({s.student_id, s.reason});
    SendAfterAudit(ex, std::move(read), Ok(page->ToJson()));
  });
}

}  // namespace

void RegisterNoteRoutes(http::Router& router, ApiContext& context) {
  AddRoute(router, context, "GET", "/api/notes/{id}/restricted", GetRestrictedNote);
  AddRoute(router, context, "POST", "/api/students/{id}/notes", WriteNote);
  AddRoute(router, context, "POST", "/api/notes/{id}/revisions", ReviseNote);
  AddRoute(router, context, "POST", "/api/notes/{id}/restrict", RestrictNote);
  AddRoute(router, context, "GET", "/api/feed", GetFeed);
}

}  // namespace backpack::api
