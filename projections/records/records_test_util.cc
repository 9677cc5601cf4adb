#include "projections/records/records_test_util.h"

#include <catch2/catch.hpp>

#include "projections/ids.h"

namespace backpack::records_testing {
namespace {

NewEvent Make(EventType type, const std::string& subject, flatbuffers::FlatBufferBuilder& fbb,
              bool personal = true, const std::string& actor = "system") {
  NewEvent e;
  e.type = type;
  e.actor_id = actor;
  e.subject_id = subject;
  e.request_id = "req_test";
  e.payload.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  e.personal = personal;
  return e;
}

}  // namespace

NewEvent Attendance(const std::string& student, const std::string& date,
                    fb::AttendanceStatus status, bool excused, const std::string& reason) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAttendanceRecordedPayloadDirect(fbb, date.c_str(), status, excused,
                                                       reason.c_str(), "imp_test"));
  return Make(EventType::AttendanceRecorded, student, fbb);
}

NewEvent Assessment(const std::string& student, const std::string& date,
                    const std::string& assessment, const std::string& score) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateAssessmentRecordedPayloadDirect(
      fbb, date.c_str(), assessment.c_str(), "math", score.c_str(), 61, "meets", "imp_test"));
  return Make(EventType::AssessmentRecorded, student, fbb);
}

NewEvent Grade(const std::string& student, const std::string& class_id, const std::string& term,
               const std::string& grade, const std::string& date) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateGradeRecordedPayloadDirect(fbb, class_id.c_str(), term.c_str(),
                                                  grade.c_str(), date.c_str(), "imp_test"));
  return Make(EventType::GradeRecorded, student, fbb);
}

NewEvent Service(const std::string& student, const std::string& service,
                 const std::string& start_date, const std::string& end_date) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateServiceRecordedPayloadDirect(
      fbb, service.c_str(), "Provider Alpha", start_date.c_str(), end_date.c_str(), "imp_test"));
  return Make(EventType::ServiceRecorded, student, fbb);
}

NewEvent ServiceEnded(const std::string& student, const std::string& service,
                      const std::string& start_date, const std::string& end_date) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateServiceDiscontinuedPayloadDirect(fbb, service.c_str(), "Provider Alpha",
                                                        start_date.c_str(), end_date.c_str(),
                                                        "goals met", "imp_test"));
  return Make(EventType::ServiceDiscontinued, student, fbb);
}

NewEvent Team(const std::string& student, const std::string& activity) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateTeamMembershipRecordedPayloadDirect(fbb, activity.c_str(), "fall",
                                                           "Coach Zed", "imp_test"));
  return Make(EventType::TeamMembershipRecorded, student, fbb);
}

NewEvent Voice(const std::string& student, int64_t submitted_at_us, const std::string& answer) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateStudentVoiceSubmittedPayloadDirect(
      fbb, submitted_at_us, "What helps you learn?", answer.c_str(), "imp_test"));
  return Make(EventType::StudentVoiceSubmitted, student, fbb);
}

NewEvent Retracted(const std::string& student, fb::RecordKind kind, uint64_t row_seq) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordRetractedPayloadDirect(fbb, kind, "", row_seq, "imp_test"));
  return Make(EventType::RecordRetracted, student, fbb);
}

NewEvent Note(const std::string& student, const std::string& author, const std::string& note_id,
              const std::string& text, bool restricted) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(
      fb::CreateNoteWrittenPayloadDirect(fbb, note_id.c_str(), "other", text.c_str(), restricted));
  return Make(EventType::NoteWritten, student, fbb, true, author);
}

NewEvent NoteRevised(const std::string& student, const std::string& note_id,
                     const std::string& text, const std::string& by) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteRevisedPayloadDirect(fbb, note_id.c_str(), text.c_str(), by.c_str()));
  return Make(EventType::NoteRevised, student, fbb, true, by);
}

NewEvent NoteRestricted(const std::string& student, const std::string& note_id,
                        const std::string& by) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateNoteRestrictedPayloadDirect(fbb, note_id.c_str(), by.c_str()));
  return Make(EventType::NoteRestricted, student, fbb, false, by);
}

NewEvent Shredded(const std::string& student, const std::vector<std::string>& note_ids) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<flatbuffers::String>> notes;
  for (const std::string& id : note_ids) notes.push_back(fbb.CreateString(id));
  fbb.Finish(fb::CreateRecordShreddedPayloadDirect(fbb, "test", "", 0, nullptr, nullptr, nullptr,
                                                   notes.empty() ? nullptr : &notes));
  return Make(EventType::RecordShredded, student, fbb, /*personal=*/false);
}

NewEvent StudentImported(const AeadKey& index_key, const std::string& sourced_id,
                         const std::string& given_name, const std::string& grade,
                         const std::string& school) {
  flatbuffers::FlatBufferBuilder fbb;
  auto sid = fbb.CreateString(sourced_id);
  auto given = fbb.CreateString(given_name);
  auto family = fbb.CreateString("Testperson");
  auto g = fbb.CreateString(grade);
  auto s = fbb.CreateString(school);
  fb::StudentImportedPayloadBuilder builder(fbb);
  builder.add_sourced_id(sid);
  builder.add_given_name(given);
  builder.add_family_name(family);
  builder.add_grade(g);
  builder.add_school_sourced_id(s);
  fbb.Finish(builder.Finish());
  return Make(EventType::StudentImported, StudentIdFor(index_key, sourced_id), fbb);
}

NewEvent ClassImported(const std::string& class_id, const std::string& school) {
  flatbuffers::FlatBufferBuilder fbb;
  auto id = fbb.CreateString(class_id);
  auto title = fbb.CreateString("Math 7");
  auto s = fbb.CreateString(school);
  fb::ClassImportedPayloadBuilder builder(fbb);
  builder.add_sourced_id(id);
  builder.add_title(title);
  builder.add_school_sourced_id(s);
  fbb.Finish(builder.Finish());
  return Make(EventType::ClassImported, "", fbb, /*personal=*/false);
}

NewEvent Enrollment(const AeadKey& index_key, const std::string& sourced_id,
                    const std::string& class_id, const std::string& user_sourced_id,
                    const std::string& role, const std::string& school) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateEnrollmentImportedPayloadDirect(fbb, sourced_id.c_str(), class_id.c_str(),
                                                       school.c_str(), user_sourced_id.c_str(),
                                                       role.c_str(), false, "", "", "imp_test"));
  bool about_student = role == "student";
  return Make(EventType::EnrollmentImported,
              about_student ? StudentIdFor(index_key, user_sourced_id) : "", fbb, about_student);
}

NewEvent EducatorCreated(const std::string& user_id, const std::string& username,
                         const std::string& display_name, const std::vector<std::string>& flags) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<flatbuffers::String>> flag_offsets;
  for (const auto& f : flags) flag_offsets.push_back(fbb.CreateString(f));
  auto id = fbb.CreateString(user_id);
  auto name = fbb.CreateString(username);
  auto display = fbb.CreateString(display_name);
  auto flag_vector = fbb.CreateVector(flag_offsets);
  fb::UserCreatedPayloadBuilder builder(fbb);
  builder.add_user_id(id);
  builder.add_username(name);
  builder.add_role(fb::UserRole::Educator);
  builder.add_display_name(display);
  builder.add_flags(flag_vector);
  fbb.Finish(builder.Finish());
  return Make(EventType::UserCreated, user_id, fbb);
}

uint64_t AppendOrDie(EventLog& log, std::vector<NewEvent> events) {
  auto appended = log.Append(std::move(events));
  INFO((appended ? std::string() : appended.error().ToString()));
  REQUIRE(appended);
  return appended->first_seq;
}

}  // namespace backpack::records_testing
