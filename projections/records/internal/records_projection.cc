#include "projections/records/internal/records_projection.h"

#include <utility>

#include "projections/records/internal/apply.h"
#include "projections/records/internal/keys.h"

namespace backpack::records {

std::vector<std::string> RecordsProjection::ColumnFamilies() const {
  return {std::string(kStudentFamily), std::string(kFeedFamily), std::string(kNoteFamily),
          std::string(kShreddedNoteFamily)};
}

Status MalformedPayload(const LoggedEvent& event) {
  return InvalidArgumentError("malformed " + std::string(EventTypeName(event.header.type)) +
                              " payload");
}

namespace {

// Event types whose payload is personal data about the subject student.
bool IsPersonal(EventType type) {
  switch (type) {
    case EventType::AttendanceRecorded:
    case EventType::AssessmentRecorded:
    case EventType::GradeRecorded:
    case EventType::ServiceRecorded:
    case EventType::ServiceDiscontinued:
    case EventType::TeamMembershipRecorded:
    case EventType::StudentVoiceSubmitted:
    case EventType::RecordRetracted:
    case EventType::NoteWritten:
    case EventType::NoteRevised:
      return true;
    default:
      return false;
  }
}

}  // namespace

namespace {

using Handler = Status (*)(const LoggedEvent&, ProjectionTxn&, SummaryMemo*);

// The handler of each event type that changes records; null for the others.
Handler HandlerFor(EventType type) {
  switch (type) {
    case EventType::AttendanceRecorded:
      return ApplyAttendance;
    case EventType::AssessmentRecorded:
      return ApplyAssessment;
    case EventType::GradeRecorded:
      return ApplyGrade;
    case EventType::ServiceRecorded:
      return ApplyService;
    case EventType::ServiceDiscontinued:
      return ApplyServiceDiscontinued;
    case EventType::TeamMembershipRecorded:
      return ApplyTeam;
    case EventType::StudentVoiceSubmitted:
      return ApplyVoice;
    case EventType::RecordRetracted:
      return ApplyRetracted;
    case EventType::NoteWritten:
      return ApplyNoteWritten;
    case EventType::NoteRevised:
      return ApplyNoteRevised;
    case EventType::NoteRestricted:
      return ApplyNoteRestricted;
    case EventType::RecordShredded:
      return ApplyShredded;
    default:
      return nullptr;
  }
}

}  // namespace

Status ApplyRecordEvent(const LoggedEvent& event, ProjectionTxn& txn, SummaryMemo* summaries) {
  if (event.header.subject_id.empty()) return OkStatus();  // never about one of ours
  // Invariant 4: refuse (and so keep out of the log) a personal payload
  // that was not encrypted under the student's key.
  if (IsPersonal(event.header.type) && !event.header.payload_encrypted) {
    return InvalidArgumentError(std::string(EventTypeName(event.header.type)) +
                                " holds personal data and must be encrypted");
  }
  Handler handler = HandlerFor(event.header.type);
  return handler ? handler(event, txn, summaries) : OkStatus();
}

Status RecordsProjection::Apply(const LoggedEvent& event, ProjectionTxn& txn) {
  // The cache drops what this changes once the group is durable.
  const bool changes = !event.header.subject_id.empty() && HandlerFor(event.header.type);
  const bool finds_student_by_note = event.header.type == EventType::NoteRevised ||
                                     event.header.type == EventType::NoteRestricted;
  if (changes && finds_student_by_note) changed_all_ = true;
  else if (changes) changed_students_.push_back(event.header.subject_id);
  return ApplyRecordEvent(event, txn, &summaries_);
}

std::function<void()> RecordsProjection::TakeStaged() {
  if (std::exchange(changed_all_, false)) {
    changed_students_.clear();
    return [this] { cache_.Invalidate(); };
  }
  if (changed_students_.empty()) return {};
  return [this, students = std::exchange(changed_students_, {})] { cache_.Invalidate(students); };
}

Status RecordsProjection::Load(Store&, DataKeyRing&) {
  cache_.Invalidate();
  summaries_.Clear();
  return OkStatus();
}

}  // namespace backpack::records
