#include "projections/family/internal/annotations.h"

#include "projections/family/internal/iso_time.h"

namespace backpack::family {
namespace json = boost::json;

bool IsNoteEvent(EventType type) {
  return type == EventType::NoteWritten || type == EventType::NoteRevised ||
         type == EventType::NoteRestricted;
}

bool AboutRestrictedNote(const AnnotatedEvent& about) {
  if (!IsNoteEvent(about.type)) return false;
  if (about.type == EventType::NoteRestricted || about.written_restricted) return true;
  return about.note_restricted.value_or(true);
}

json::object StatementItem(const FamilyRequest& r, WhoResolver& who) {
  json::object item;
  item["request_id"] = r.id;
  item["about_seq"] = r.about_seq;
  item["seq"] = r.statement_seq;
  item["at"] = IsoTime(r.statement_at_us);
  item["by"] = who.Who(r.statement_by);
  item["text"] = r.statement;
  return item;
}

json::object AmendmentItem(const FamilyRequest& r, WhoResolver& who) {
  json::object item;
  item["request_id"] = r.id;
  item["about_seq"] = r.about_seq;
  item["seq"] = r.decided_seq;
  item["at"] = IsoTime(r.decided_at_us);
  item["by"] = who.Who(r.decided_by);
  item["requested_change"] = r.text;
  item["reason"] = r.decision_reason;
  return item;
}

json::object RestrictedNoteStub(const FamilyRequest& r, bool statement,
                                const AnnotatedEvent& about) {
  json::object item;
  item["request_id"] = r.id;
  item["about_seq"] = r.about_seq;
  item["note_id"] = about.note_id.empty() ? json::value(nullptr) : json::value(about.note_id);
  item["seq"] = statement ? r.statement_seq : r.decided_seq;
  item["at"] = IsoTime(statement ? r.statement_at_us : r.decided_at_us);
  item["restricted"] = true;
  return item;
}

}  // namespace backpack::family
