#include "projections/records/internal/notes_store.h"

#include "projections/records/internal/keys.h"
#include "projections/records/internal/record_store.h"

namespace backpack::records {

Result<std::optional<LoadedNote>> LoadNote(ProjectionTxn& txn, std::string_view note_id) {
  if (note_id.empty()) return std::optional<LoadedNote>();
  ASSIGN_OR_RETURN(auto ref_bytes, txn.Get(kNoteFamily, AsBytes(note_id)));
  if (!ref_bytes) return std::optional<LoadedNote>();
  auto ref = ParseNoteRef(*ref_bytes);
  if (!ref) return Err(DataLossError("records: malformed rec_notes value"));
  LoadedNote note;
  note.key = RecordKey(ref->student_id, Tag::kNote, ref->seq);
  note.student_id = ref->student_id;
  note.seq = ref->seq;
  ASSIGN_OR_RETURN(auto value, GetRecord(txn, note.key));
  if (!value) return std::optional<LoadedNote>();
  note.value = std::move(*value);
  return std::optional<LoadedNote>(std::move(note));
}

Result<std::optional<std::string>> ShreddedNoteStudent(Store& store, std::string_view note_id) {
  if (note_id.empty()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(auto student, store.Get(kShreddedNoteFamily, AsBytes(note_id)));
  if (!student) return std::optional<std::string>();
  return std::optional<std::string>(std::string(AsChars(*student)));
}

// rec_notes is keyed by note id alone, so this scans it all, as the shred's
// own deletion of the student's entries does.
Result<std::vector<std::string>> NoteIdsOf(ProjectionTxn& txn, std::string_view student_id) {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(txn.Scan(kNoteFamily, {}, [&](ByteView key, ByteView value) {
    auto ref = ParseNoteRef(value);
    if (ref && ref->student_id == student_id) ids.emplace_back(AsChars(key));
    return true;
  }));
  return ids;
}

NoteInfo NoteInfoFrom(const std::string& student_id, const boost::json::object& note) {
  NoteInfo info;
  info.id = StringField(note, "id");
  info.student_id = student_id;
  info.kind = StringField(note, "kind");
  info.author_id = StringField(note, "author");
  info.restricted = BoolField(note, "restricted");
  info.seq = static_cast<uint64_t>(IntField(note, "seq"));
  info.written_at_us = IntField(note, "written_at_us");
  if (auto* revisions = note.if_contains("revisions");
      revisions && revisions->is_array() && !revisions->as_array().empty()) {
    const auto& last = revisions->as_array().back();
    if (last.is_object()) {
      info.revised_at_us = IntField(last.as_object(), "at_us");
      info.revised_by = StringField(last.as_object(), "by");
    }
  }
  return info;
}

}  // namespace backpack::records
