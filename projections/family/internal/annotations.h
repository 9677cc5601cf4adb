// The family's annotations of a record (FERPA §99.21 statements about
// refused corrections, §99.20 amendments) as a reader of the record sees
// them, and the decision of which ones may describe a restricted note.
// Internal to projections/family/.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "events/event.h"
#include "projections/family/family.h"
#include "projections/family/internal/who.h"

namespace backpack::family {

// What is known of the event an annotation is about (its `about_seq`).
struct AnnotatedEvent {
  EventType type = EventType::Unknown;
  std::string note_id;              // a note event's note, if its payload could be read
  bool written_restricted = false;  // a NoteWritten whose payload says restricted
  // Of a note event: whether its note is restricted now, and its seq (the
  // NoteWritten's, the profile entry's), per the records; nullopt if the
  // records do not know the note.
  std::optional<bool> note_restricted;
  std::optional<uint64_t> note_seq;
};

// True for NoteWritten, NoteRevised and NoteRestricted: the events about one
// note (AnnotatedEvent::note_id).
bool IsNoteEvent(EventType type);

// True if an annotation about `about` may describe a restricted note's text,
// which only readers with can_view_restricted_notes may see, through the
// note's audited read: an annotation about a NoteWritten, NoteRevised or
// NoteRestricted of a note that is restricted, was written restricted, or
// is unknown to the records (fail closed). Pure.
bool AboutRestrictedNote(const AnnotatedEvent& about);

// {request_id, about_seq, seq, at, by, text}: a statement in full.
boost::json::object StatementItem(const FamilyRequest& r, WhoResolver& who);
// {request_id, about_seq, seq, at, by, requested_change, reason}: an
// amendment in full.
boost::json::object AmendmentItem(const FamilyRequest& r, WhoResolver& who);
// {request_id, about_seq, note_id, seq, at, restricted: true}: a statement
// (`statement` true) or an amendment about a restricted note, without who
// wrote what about it. `note_id` is null when the note is unknown.
boost::json::object RestrictedNoteStub(const FamilyRequest& r, bool statement,
                                       const AnnotatedEvent& about);

}  // namespace backpack::family
