#include "projections/family/internal/annotations.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace backpack::family {
namespace {

// The records' answers about a note event's note: unknown, open, restricted.
constexpr std::optional<bool> kNoteStates[] = {std::nullopt, false, true};

TEST_CASE("only annotations about a note that is or may be restricted count as restricted") {
  for (EventType type : fb::EnumValuesEventType()) {
    for (bool written_restricted : {false, true}) {
      for (std::optional<bool> note_restricted : kNoteStates) {
        AnnotatedEvent about;
        about.type = type;
        about.note_id = "note_1";
        about.written_restricted = written_restricted;
        about.note_restricted = note_restricted;
        const bool note_event = type == EventType::NoteWritten || type == EventType::NoteRevised ||
                                type == EventType::NoteRestricted;
        // An open note's annotations are shown, unless its event says it
        // was (or was made) restricted; an unknown note's never are.
        const bool open =
            note_restricted == false && !written_restricted && type != EventType::NoteRestricted;
        INFO(EventTypeName(type) << " written_restricted " << written_restricted
                                 << " note_restricted "
                                 << (note_restricted ? std::to_string(*note_restricted) : "?"));
        CHECK(IsNoteEvent(type) == note_event);
        CHECK(AboutRestrictedNote(about) == (note_event && !open));
      }
    }
  }
}

TEST_CASE("a restricted note's annotation stub names the request, the note and nothing said") {
  FamilyRequest r;
  r.id = "corr_1";
  r.about_seq = 7;
  r.text = "Synthetic: the counselor's note is wrong";
  r.decision_reason = "Synthetic: agreed";
  r.decided_seq = 9;
  r.statement = "Synthetic: we disagree with the note";
  r.statement_seq = 11;
  AnnotatedEvent about;
  about.type = EventType::NoteRevised;
  about.note_id = "note_1";
  for (bool statement : {false, true}) {
    boost::json::object stub = RestrictedNoteStub(r, statement, about);
    CHECK(stub.at("request_id").as_string() == "corr_1");
    CHECK(stub.at("about_seq").to_number<uint64_t>() == 7);
    CHECK(stub.at("note_id").as_string() == "note_1");
    CHECK(stub.at("seq").to_number<uint64_t>() == (statement ? 11u : 9u));
    CHECK(stub.at("restricted").as_bool());
    CHECK(stub.size() == 6);  // request_id, about_seq, note_id, seq, at, restricted
  }
  about.note_id.clear();
  CHECK(RestrictedNoteStub(r, true, about).at("note_id").is_null());
}

}  // namespace
}  // namespace backpack::family
