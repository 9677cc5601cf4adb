// Note commands and note reads of Records.
#include <flatbuffers/flatbuffers.h>

#include "events/schema/payloads_generated.h"
#include "projections/ids.h"
#include "projections/records/internal/impl.h"
#include "projections/records/internal/keys.h"
#include "projections/records/internal/notes_store.h"
#include "projections/records/internal/record_store.h"

namespace backpack {
namespace {

// Counts the code points of valid UTF-8 `text`; nullopt if it is not valid
// UTF-8 or holds control characters other than tab, newline and CR.
std::optional<size_t> CountChars(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > text.size()) return std::nullopt;
    if (len == 1 && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n' && c != '\r') {
      return std::nullopt;
    }
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;  // overlong, out of range or a surrogate
    }
    i += len;
  }
  return count;
}

Status ValidateNoteText(std::string_view text) {
  auto chars = CountChars(text);
  if (!chars) return InvalidArgumentError("note text must be UTF-8 without control characters");
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return InvalidArgumentError("note text is empty");
  }
  if (*chars > kNoteMaxChars) {
    return InvalidArgumentError("note text is longer than " + std::to_string(kNoteMaxChars) +
                                " characters");
  }
  return OkStatus();
}

Status CheckAuthor(const NoteInfo& note, const Actor& actor) {
  if (actor.user_id.empty() || note.author_id != actor.user_id) {
    return PermissionDeniedError("only the note's author may change it");
  }
  return OkStatus();
}

}  // namespace

namespace records {
namespace {

// Why there is no note `note_id`: kGone if a shred took it, else kNotFound.
Status MissingNote(Services& services, std::string_view note_id) {
  ASSIGN_OR_RETURN(auto shredded, ShreddedNoteStudent(*services.store, note_id));
  if (!shredded) return NotFoundError("no such note");
  return GoneError("the student's record was already shredded, and this note with it");
}

// The note `note_id`, or MissingNote.
Result<LoadedNote> RequireNote(Services& services, std::string_view note_id) {
  ReadTxn read(services);
  ASSIGN_OR_RETURN(auto note, LoadNote(read.txn(), note_id));
  if (!note) return Err(MissingNote(services, note_id));
  return std::move(*note);
}

}  // namespace
}  // namespace records

Result<NoteInfo> Records::WriteNote(const Actor& actor, std::string_view student_id,
                                    std::string_view kind, std::string_view text, bool restricted) {
  if (!IsValidNoteKind(kind)) {
    return Err(InvalidArgumentError(
        "note kind must be one of sst, mtss, parent_conversation, counselor, other"));
  }
  RETURN_IF_ERROR(ValidateNoteText(text));
  if (actor.user_id.empty()) return Err(InvalidArgumentError("a note needs an author"));
  if (student_id.empty()) return Err(InvalidArgumentError("a note needs a student"));
  Services& s = impl_->services;
  if (!s.log) return Err(UnavailableError("the event log is not open"));
  std::string student(student_id);
  if (s.data_keys->IsShredded(student)) return Err(GoneError("the student's record was deleted"));
  if (s.roster) {
    auto found = s.roster->FindStudent(student);
    if (!found) return Err(found.error());
  }
  NoteInfo info;
  info.id = NewId("note");
  info.student_id = student;
  info.kind = std::string(kind);
  info.author_id = actor.user_id;
  info.restricted = restricted;
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteWrittenPayload(fbb, fbb.CreateString(info.id),
                                          fbb.CreateString(kind.data(), kind.size()),
                                          fbb.CreateString(text.data(), text.size()), restricted));
  ASSIGN_OR_RETURN(auto appended,
                   s.log->Append({MakeEvent(EventType::NoteWritten, actor, student, fbb, true)}));
  info.seq = appended.first_seq;
  info.written_at_us = appended.recorded_at_us;
  return info;
}

Result<NoteInfo> Records::ReviseNote(const Actor& actor, std::string_view note_id,
                                     std::string_view text) {
  RETURN_IF_ERROR(ValidateNoteText(text));
  Services& s = impl_->services;
  if (!s.log) return Err(UnavailableError("the event log is not open"));
  ASSIGN_OR_RETURN(auto note, records::RequireNote(s, note_id));
  NoteInfo info = records::NoteInfoFrom(note.student_id, note.value);
  RETURN_IF_ERROR(CheckAuthor(info, actor));
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteRevisedPayload(fbb, fbb.CreateString(info.id),
                                          fbb.CreateString(text.data(), text.size()),
                                          fbb.CreateString(actor.user_id)));
  ASSIGN_OR_RETURN(
      auto appended,
      s.log->Append({MakeEvent(EventType::NoteRevised, actor, info.student_id, fbb, true)}));
  info.revised_at_us = appended.recorded_at_us;
  info.revised_by = actor.user_id;
  return info;
}

Result<NoteInfo> Records::RestrictNote(const Actor& actor, std::string_view note_id,
                                       bool* appended) {
  if (appended) *appended = false;
  Services& s = impl_->services;
  if (!s.log) return Err(UnavailableError("the event log is not open"));
  ASSIGN_OR_RETURN(auto note, records::RequireNote(s, note_id));
  NoteInfo info = records::NoteInfoFrom(note.student_id, note.value);
  RETURN_IF_ERROR(CheckAuthor(info, actor));
  if (info.restricted) return info;
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteRestrictedPayload(fbb, fbb.CreateString(info.id),
                                             fbb.CreateString(actor.user_id)));
  auto added = s.log->Append(
      {MakeEvent(EventType::NoteRestricted, actor, info.student_id, fbb, /*personal=*/false)});
  if (!added) return Err(added.error());
  if (appended) *appended = true;
  info.restricted = true;
  return info;
}

Result<NoteText> Records::RestrictedNoteText(std::string_view note_id) const {
  ASSIGN_OR_RETURN(auto note, records::RequireNote(impl_->services, note_id));
  return NoteText{records::NoteInfoFrom(note.student_id, note.value),
                  records::StringField(note.value, "text")};
}

Result<NoteInfo> Records::FindNote(std::string_view note_id) const {
  ASSIGN_OR_RETURN(auto note, records::RequireNote(impl_->services, note_id));
  return records::NoteInfoFrom(note.student_id, note.value);
}

Result<std::string> Records::NoteStudent(std::string_view note_id) const {
  Services& s = impl_->services;
  if (note_id.empty()) return Err(NotFoundError("no such note"));
  ASSIGN_OR_RETURN(auto ref_bytes, s.store->Get(records::kNoteFamily, AsBytes(note_id)));
  if (!ref_bytes) return Err(records::MissingNote(s, note_id));
  auto ref = records::ParseNoteRef(*ref_bytes);
  if (!ref) return Err(DataLossError("records: malformed rec_notes value"));
  return ref->student_id;
}

Result<std::optional<std::string>> Records::ShreddedNoteStudent(std::string_view note_id) const {
  return records::ShreddedNoteStudent(*impl_->services.store, note_id);
}

Result<std::vector<std::string>> Records::NoteIds(std::string_view student_id) const {
  records::ReadTxn read(impl_->services);
  return records::NoteIdsOf(read.txn(), student_id);
}

}  // namespace backpack
