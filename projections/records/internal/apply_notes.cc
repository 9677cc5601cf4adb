// Handlers for notes and for shredding.
#include <algorithm>
#include <boost/json/monotonic_resource.hpp>

#include "events/schema/payloads_generated.h"
#include "projections/records/internal/apply.h"
#include "projections/records/internal/notes_store.h"
#include "projections/records/internal/record_store.h"

namespace backpack::records {
namespace json = boost::json;

Status ApplyNoteWritten(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries) {
  auto* p = VerifiedPayload<fb::NoteWrittenPayload>(event);
  if (!p) return MalformedPayload(event);
  std::string note_id = Str(p->note_id());
  if (note_id.empty()) return OkStatus();
  ASSIGN_OR_RETURN(auto existing, txn.Get(kNoteFamily, AsBytes(note_id)));
  if (existing) return OkStatus();  // a reused id never replaces the first note

  const std::string& student = event.header.subject_id;
  const uint64_t seq = event.header.seq;
  const int64_t at = event.header.recorded_at_us;
  // The record is built in a local arena: a note is the commonest event,
  // and this object lives only until it is serialized.
  unsigned char arena_buffer[2048];
  json::monotonic_resource arena(arena_buffer, sizeof arena_buffer);
  json::object o(&arena);
  o.reserve(9);
  o["seq"] = seq;
  o["id"] = note_id;
  o["kind"] = Str(p->kind());
  o["author"] = event.header.actor_id;
  o["written_at_us"] = at;
  o["restricted"] = p->restricted();
  o["restricted_by"] = "";
  o["revisions"] = json::array();
  o["text"] = Str(p->text());
  RETURN_IF_ERROR(PutRecord(txn, RecordKey(student, Tag::kNote, seq), student, o));
  txn.Put(kNoteFamily, AsBytes(note_id), AsBytes(NoteRef(student, seq)));
  if (!p->restricted()) txn.Put(kFeedFamily, AsBytes(FeedKey(at, student, Tag::kNote, seq)), {});

  ASSIGN_OR_RETURN(AttendanceSummary summary, LoadSummary(txn, summaries, student));
  if (!summary.AddNoteTime(at)) return OkStatus();
  return StoreSummary(txn, summaries, student, summary);
}

Status ApplyNoteRevised(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo*) {
  auto* p = VerifiedPayload<fb::NoteRevisedPayload>(event);
  if (!p) return MalformedPayload(event);
  ASSIGN_OR_RETURN(auto note, LoadNote(txn, Str(p->note_id())));
  if (!note) return OkStatus();
  json::object revision;
  revision["seq"] = event.header.seq;
  revision["by"] = Str(p->revised_by());
  revision["at_us"] = event.header.recorded_at_us;
  note->value["revisions"].as_array().push_back(std::move(revision));
  note->value["text"] = Str(p->text());
  return PutRecord(txn, note->key, note->student_id, note->value);
}

// Restricting takes the note out of every feed; profiles then show it
// without text.
Status ApplyNoteRestricted(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo*) {
  auto* p = VerifiedPayload<fb::NoteRestrictedPayload>(event);
  if (!p) return MalformedPayload(event);
  ASSIGN_OR_RETURN(auto note, LoadNote(txn, Str(p->note_id())));
  if (!note || BoolField(note->value, "restricted")) return OkStatus();
  note->value["restricted"] = true;
  note->value["restricted_by"] = Str(p->restricted_by());
  RETURN_IF_ERROR(PutRecord(txn, note->key, note->student_id, note->value));
  txn.Delete(kFeedFamily, AsBytes(FeedKey(IntField(note->value, "written_at_us"), note->student_id,
                                          Tag::kNote, note->seq)));
  return OkStatus();
}

namespace {

// Deletes every key of `family` starting with `prefix` for which `doomed`
// holds.
Status DeleteWhere(ProjectionTxn& txn, std::string_view family, std::string_view prefix,
                   const std::function<bool(ByteView key, ByteView value)>& doomed) {
  std::vector<std::string> keys;
  RETURN_IF_ERROR(txn.Scan(family, AsBytes(prefix), [&](ByteView key, ByteView value) {
    if (doomed(key, value)) keys.emplace_back(AsChars(key));
    return true;
  }));
  for (const auto& key : keys) txn.Delete(family, AsBytes(key));
  return OkStatus();
}

}  // namespace

// Deletes everything the projection holds about the student. Every
// rec_student value under the student's prefix is sealed for that student,
// so deleting the prefix equals DeleteOwnedBy without scanning the family.
// The notes the payload lists are kept as shredded (id -> student): from the
// payload alone, since a replay never sees the student's own note events.
Status ApplyShredded(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries) {
  auto* p = VerifiedPayload<fb::RecordShreddedPayload>(event);
  if (!p) return MalformedPayload(event);
  const std::string& student = event.header.subject_id;
  if (summaries) summaries->Forget(student);  // deleted below, and no plaintext kept
  if (p->note_ids()) {
    for (const auto* id : *p->note_ids()) {
      if (id && id->size() > 0) txn.Put(kShreddedNoteFamily, AsBytes(id->str()), AsBytes(student));
    }
  }
  RETURN_IF_ERROR(DeleteWhere(txn, kStudentFamily, StudentPrefix(student),
                              [](ByteView, ByteView) { return true; }));
  RETURN_IF_ERROR(DeleteWhere(txn, kNoteFamily, "", [&](ByteView, ByteView value) {
    auto ref = ParseNoteRef(value);
    return ref && ref->student_id == student;
  }));
  return DeleteWhere(txn, kFeedFamily, "", [&](ByteView key, ByteView) {
    auto parsed = ParseFeedKey(key);
    return parsed && parsed->student_id == student;
  });
}

}  // namespace backpack::records
