// Records: the educator's view of a student (SPEC §6).
//
// Owns the records projection (attendance, assessments, grades, services,
// teams, student voice, notes), the profile and home-feed read models, and
// the note commands. The profile shows the student in their best light: the
// student's own voice first, the last 45 days in focus, older data one click
// away (`history_all`).
//
// The read models are pure of auditing and of access decisions on the
// student: the HTTP layer decides access (Roster::Decide), appends the access
// event, and only then calls them. The feed filters by access itself, since
// it spans students.
//
// Thread-safety: every method is safe to call concurrently. Reads see
// committed events only. Command methods block until their event is durable.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "projections/projection.h"
#include "projections/roster/roster.h"
#include "projections/services.h"

namespace backpack {

// The profile's recent window and the attendance-alert window.
inline constexpr int64_t kRecentWindowMicros = 45 * kMicrosPerDay;
// An attendance alert needs this many distinct absence days in the window.
inline constexpr size_t kAttendanceAlertAbsences = 4;
inline constexpr int kFeedDefaultLimit = 20;
inline constexpr int kFeedMaxLimit = 100;
// Note text length in Unicode code points.
inline constexpr size_t kNoteMaxChars = 10'000;

// sst, mtss, parent_conversation, counselor, other.
bool IsValidNoteKind(std::string_view kind);

// A note's metadata (never its text).
struct NoteInfo {
  std::string id;  // note_...
  std::string student_id;
  std::string kind;
  std::string author_id;
  bool restricted = false;
  uint64_t seq = 0;  // of the NoteWritten event
  int64_t written_at_us = 0;
  int64_t revised_at_us = 0;  // 0: never revised
  std::string revised_by;     // "" if never revised
};

// The profile entries (by seq: a note's is its NoteWritten's) that the
// family's annotations are about (Family::RecordAnnotations). The profile
// shows each with `disputed: true` (a statement about a refused correction,
// FERPA §99.21(c)) and `amended: true` (a correction decided amend, §99.20).
struct EntryMarks {
  std::set<uint64_t> disputed;
  std::set<uint64_t> amended;
};

// A note with its current text, for GET /api/notes/{id}/restricted.
struct NoteText {
  NoteInfo info;
  std::string text;
};

// A student shown on a feed page, with the access reason that admitted them.
struct FeedStudent {
  std::string student_id;
  std::string reason;
};

struct FeedPage {
  // Newest first. Each item: type ("note", "service", "student_voice",
  // "attendance_alert"), at, student {id, name}, access_reason, and the
  // type's own fields.
  boost::json::array items;
  std::string next_cursor;  // "" on the last page
  // The distinct students of `items`, in order of first appearance: what
  // the caller names in its access event.
  std::vector<FeedStudent> students;

  // {"items": [...], "next_cursor": "..." or null}
  boost::json::object ToJson() const;
};

class Records {
 public:
  // `services` must outlive the Records; its members are read at call time.
  explicit Records(Services& services);
  ~Records();
  Records(const Records&) = delete;
  Records& operator=(const Records&) = delete;

  // The projection to register with the Projector.
  Projection* projection();
  // The families keyed by a group and an event's sequence number
  // (StoreOptions::sequenced_families): a student's records of one kind.
  static std::vector<std::string> SequencedFamilies();

  // --- Read models.

  // The profile of SPEC §6: student, voice, notes, attendance (+
  // attendance_summary), assessments, grades, services, teams,
  // access_reason, as_of; with `history_all`, also `older` (the same sections
  // before the window). Restricted notes appear as {id, restricted: true,
  // kind, author, at, ...} and never with text. `viewer` marks the notes
  // they wrote (`mine`) and whether they could open restricted ones. Each
  // entry (notes too) carries its `seq`, and the entries `marks` names their
  // `disputed` / `amended` flag (absent otherwise).
  // kGone if the student was shredded, kNotFound if unknown.
  Result<boost::json::object> Profile(std::string_view student_id, bool history_all, int64_t now_us,
                                      std::string access_reason, const UserInfo& viewer,
                                      const EntryMarks& marks = {}) const;
  // The same profile as JSON text, assembled from record views serialized
  // when their student was cached (what the HTTP layer sends).
  Result<std::string> ProfileText(std::string_view student_id, bool history_all, int64_t now_us,
                                  std::string_view access_reason, const UserInfo& viewer,
                                  const EntryMarks& marks = {}) const;

  // The educator's home feed: notes (not restricted), services, student
  // voice and attendance alerts of the students `educator_id` may access at
  // `now_us`, newest first. `limit` 1..100 (larger is capped); `before` is
  // "" or a next_cursor of an earlier page. kInvalidArgument for a bad limit
  // or cursor.
  Result<FeedPage> Feed(std::string_view educator_id, int limit, std::string_view before,
                        int64_t now_us) const;

  // True if `student_id` has kAttendanceAlertAbsences or more absence days
  // in the kRecentWindowMicros before `now_us` and no note written about
  // them in that window.
  Result<bool> HasAttendanceAlert(std::string_view student_id, int64_t now_us) const;

  // --- Notes. The caller has decided access to the student beforehand.

  // Appends NoteWritten by `actor` about `student_id`. kInvalidArgument for
  // an unknown kind or a text that is empty, blank, not UTF-8 or longer than
  // kNoteMaxChars; kNotFound for an unknown student; kGone if shredded.
  Result<NoteInfo> WriteNote(const Actor& actor, std::string_view student_id, std::string_view kind,
                             std::string_view text, bool restricted);
  // Appends NoteRevised (revised_by = actor). kPermissionDenied unless the
  // actor wrote the note; kNotFound for an unknown note, kGone for one a
  // shred took (as for every note lookup below).
  Result<NoteInfo> ReviseNote(const Actor& actor, std::string_view note_id, std::string_view text);
  // Appends NoteRestricted (restricted_by = actor) unless already
  // restricted; `*appended` (if given) says whether it did.
  // kPermissionDenied unless the actor wrote the note; kNotFound for an
  // unknown note.
  Result<NoteInfo> RestrictNote(const Actor& actor, std::string_view note_id,
                                bool* appended = nullptr);

  // The current text of a note (restricted or not). The caller must have
  // checked Roster::DecideRestricted for the note's student first.
  Result<NoteText> RestrictedNoteText(std::string_view note_id) const;
  // The note's metadata, without text.
  Result<NoteInfo> FindNote(std::string_view note_id) const;
  // The student a note is about, for access checks on note routes.
  Result<std::string> NoteStudent(std::string_view note_id) const;
  // The student of `note_id` if shredding the student's record took the
  // note (only its id and student stay known, from the RecordShredded's
  // note_ids); else nullopt.
  Result<std::optional<std::string>> ShreddedNoteStudent(std::string_view note_id) const;
  // The ids of the student's notes, for the RecordShredded that takes them.
  Result<std::vector<std::string>> NoteIds(std::string_view student_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace backpack
