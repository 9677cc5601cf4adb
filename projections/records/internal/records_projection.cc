#include "projections/records/internal/records_projection.h"

#include "projections/records/internal/apply.h"
#include "projections/records/internal/keys.h"

namespace backpack::records {

std::vector<std::string> RecordsProjection::ColumnFamilies() const {
  return {std::string(kStudentFamily), std::string(kFeedFamily), std::string(kNoteFamily)};
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

Status RecordsProjection::Apply(const LoggedEvent& event, ProjectionTxn& txn) {
  if (event.header.subject_id.empty()) return OkStatus();  // never about one of ours
  // Invariant 4: refuse (and so keep out of the log) a personal payload
  // that was not encrypted under the student's key.
  if (IsPersonal(event.header.type) && !event.header.payload_encrypted) {
    return InvalidArgumentError(std::string(EventTypeName(event.header.type)) +
                                " holds personal data and must be encrypted");
  }
  if (IsPersonal(event.header.type) || event.header.type == EventType::NoteRestricted ||
      event.header.type == EventType::RecordShredded) {
    changed_records_ = true;
  }
  switch (event.header.type) {
    case EventType::AttendanceRecorded:
      return ApplyAttendance(event, txn);
    case EventType::AssessmentRecorded:
      return ApplyAssessment(event, txn);
    case EventType::GradeRecorded:
      return ApplyGrade(event, txn);
    case EventType::ServiceRecorded:
      return ApplyService(event, txn);
    case EventType::ServiceDiscontinued:
      return ApplyServiceDiscontinued(event, txn);
    case EventType::TeamMembershipRecorded:
      return ApplyTeam(event, txn);
    case EventType::StudentVoiceSubmitted:
      return ApplyVoice(event, txn);
    case EventType::RecordRetracted:
      return ApplyRetracted(event, txn);
    case EventType::NoteWritten:
      return ApplyNoteWritten(event, txn);
    case EventType::NoteRevised:
      return ApplyNoteRevised(event, txn);
    case EventType::NoteRestricted:
      return ApplyNoteRestricted(event, txn);
    case EventType::RecordShredded:
      return ApplyShredded(event, txn);
    default:
      return OkStatus();
  }
}

std::function<void()> RecordsProjection::TakeStaged() {
  if (!changed_records_) return {};
  changed_records_ = false;
  return [this] { cache_.Invalidate(); };
}

}  // namespace backpack::records
