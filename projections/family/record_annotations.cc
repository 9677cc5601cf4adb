// Family::RecordAnnotations and Family::NoteAnnotations: the family's
// statements and amendments as readers of the record see them.
#include <map>

#include "projections/family/family.h"
#include "projections/family/internal/annotations.h"
#include "projections/family/internal/payload_read.h"
#include "projections/records/records.h"

namespace backpack {
namespace {

namespace json = boost::json;
using family::AnnotatedEvent;

// The note `id` per the records: restricted or not, and its seq; left
// unknown if the records do not know it (or a shred took it).
Status LookUpNote(const Services& services, const std::string& id, AnnotatedEvent& about) {
  if (id.empty() || !services.records) return OkStatus();
  auto note = services.records->FindNote(id);
  if (!note) {
    const StatusCode code = note.error().code();
    return code == StatusCode::kNotFound || code == StatusCode::kGone ? OkStatus() : note.error();
  }
  about.note_restricted = note->restricted;
  about.note_seq = note->seq;
  return OkStatus();
}

// The note a readable note event names, and whether it was written restricted.
void ReadNoteId(const LoggedEvent& event, AnnotatedEvent& about) {
  auto name = [&about](const flatbuffers::String* id) { about.note_id = id ? id->str() : ""; };
  if (event.header.type == EventType::NoteWritten) {
    if (auto p = family::ReadPayload<fb::NoteWrittenPayload>(event)) {
      name((*p)->note_id());
      about.written_restricted = (*p)->restricted();
    }
  } else if (event.header.type == EventType::NoteRevised) {
    if (auto p = family::ReadPayload<fb::NoteRevisedPayload>(event)) name((*p)->note_id());
  } else if (auto p = family::ReadPayload<fb::NoteRestrictedPayload>(event)) {
    name((*p)->note_id());
  }
}

// What is known of the events annotations are about, each read once.
class AnnotatedEvents {
 public:
  explicit AnnotatedEvents(const Services& services) : services_(services) {}

  Result<const AnnotatedEvent*> Get(uint64_t seq) {
    auto [it, inserted] = known_.try_emplace(seq);
    if (inserted) {
      auto read = Read(seq);
      if (!read) {
        known_.erase(it);
        return Err(read.error());
      }
      it->second = std::move(*read);
    }
    return &it->second;
  }

 private:
  Result<AnnotatedEvent> Read(uint64_t seq) const {
    if (!services_.log) return Err(UnavailableError("the event log is not open"));
    ASSIGN_OR_RETURN(LoggedEvent event, services_.log->Read(seq));
    AnnotatedEvent about;
    about.type = event.header.type;
    if (!family::IsNoteEvent(about.type)) return about;
    if (!event.shredded) ReadNoteId(event, about);
    RETURN_IF_ERROR(LookUpNote(services_, about.note_id, about));
    return about;
  }

  const Services& services_;
  std::map<uint64_t, AnnotatedEvent> known_;
};

// The profile entry an annotation about `about` (event `about_seq`) marks:
// a note's for any event of a note the records know, else the event's own.
uint64_t MarkedEntry(uint64_t about_seq, const AnnotatedEvent& about) {
  return family::IsNoteEvent(about.type) && about.note_seq ? *about.note_seq : about_seq;
}

}  // namespace

Result<Family::ShownWithRecord> Family::RecordAnnotations(std::string_view student_id) const {
  ASSIGN_OR_RETURN(std::vector<FamilyRequest> requests, Requests(student_id));
  family::WhoResolver who(services_.roster);
  AnnotatedEvents events(services_);
  ShownWithRecord shown;
  for (const auto& r : Statements(requests)) {
    ASSIGN_OR_RETURN(const AnnotatedEvent* about, events.Get(r.about_seq));
    shown.statements.emplace_back(family::AboutRestrictedNote(*about)
                                      ? family::RestrictedNoteStub(r, /*statement=*/true, *about)
                                      : family::StatementItem(r, who));
    shown.marks.disputed.insert(MarkedEntry(r.about_seq, *about));
  }
  for (const auto& r : Amendments(std::move(requests))) {
    ASSIGN_OR_RETURN(const AnnotatedEvent* about, events.Get(r.about_seq));
    shown.amendments.emplace_back(family::AboutRestrictedNote(*about)
                                      ? family::RestrictedNoteStub(r, /*statement=*/false, *about)
                                      : family::AmendmentItem(r, who));
    shown.marks.amended.insert(MarkedEntry(r.about_seq, *about));
  }
  return shown;
}

Result<Family::ShownWithRecord> Family::NoteAnnotations(std::string_view student_id,
                                                        std::string_view note_id) const {
  ASSIGN_OR_RETURN(std::vector<FamilyRequest> requests, Requests(student_id));
  family::WhoResolver who(services_.roster);
  AnnotatedEvents events(services_);
  auto about_note = [&](const FamilyRequest& r) -> Result<bool> {
    ASSIGN_OR_RETURN(const AnnotatedEvent* about, events.Get(r.about_seq));
    return family::IsNoteEvent(about->type) && !note_id.empty() && about->note_id == note_id;
  };
  ShownWithRecord shown;
  for (const auto& r : Statements(requests)) {
    ASSIGN_OR_RETURN(bool about, about_note(r));
    if (about) shown.statements.emplace_back(family::StatementItem(r, who));
  }
  for (const auto& r : Amendments(std::move(requests))) {
    ASSIGN_OR_RETURN(bool about, about_note(r));
    if (about) shown.amendments.emplace_back(family::AmendmentItem(r, who));
  }
  return shown;
}

}  // namespace backpack
