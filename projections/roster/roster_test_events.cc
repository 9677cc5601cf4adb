#include "projections/roster/roster_test_events.h"

#include <flatbuffers/flatbuffers.h>

#include "events/schema/payloads_generated.h"
#include "projections/ids.h"

namespace backpack::testing {
namespace {

NewEvent Make(EventType type, std::string subject, flatbuffers::FlatBufferBuilder& fbb,
              bool personal) {
  NewEvent e;
  e.type = type;
  e.actor_id = "system";
  e.subject_id = std::move(subject);
  e.request_id = "req_test";
  e.payload = Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  e.personal = personal;
  return e;
}

}  // namespace

NewEvent OrgEvent(const std::string& sourced_id, const std::string& name) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateOrgImportedPayloadDirect(fbb, sourced_id.c_str(), name.c_str(), "school", "",
                                                "district-1", "imp_test"));
  return Make(EventType::OrgImported, "", fbb, false);
}

NewEvent ClassEvent(const std::string& sourced_id, const std::string& school_id) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateClassImportedPayloadDirect(fbb, sourced_id.c_str(), "Synthetic class",
                                                  "SYN-1", "scheduled", "", "", "", "",
                                                  school_id.c_str()));
  return Make(EventType::ClassImported, "", fbb, false);
}

NewEvent StudentEvent(const AeadKey& index_key, const std::string& sourced_id,
                      const std::string& given_name, const std::string& family_name,
                      const std::string& grade, const std::string& school_id,
                      const std::string& preferred_name) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateStudentImportedPayloadDirect(fbb, sourced_id.c_str(), given_name.c_str(),
                                                    family_name.c_str(), "", preferred_name.c_str(),
                                                    grade.c_str(), school_id.c_str()));
  return Make(EventType::StudentImported, StudentIdFor(index_key, sourced_id), fbb, true);
}

NewEvent GuardianEvent(const AeadKey& index_key, const std::string& guardian_sourced_id,
                       const std::string& student_sourced_id, const std::string& given_name,
                       const std::string& family_name, const std::string& email) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateGuardianLinkedPayloadDirect(
      fbb, guardian_sourced_id.c_str(), student_sourced_id.c_str(), given_name.c_str(),
      family_name.c_str(), email.c_str(), "555-0100", "", "parent", "imp_test"));
  return Make(EventType::GuardianLinked, StudentIdFor(index_key, student_sourced_id), fbb, true);
}

NewEvent EnrollmentEvent(const AeadKey& index_key, const std::string& sourced_id,
                         const std::string& class_id, const std::string& user_sourced_id,
                         const std::string& role, const std::string& begin_date,
                         const std::string& end_date) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateEnrollmentImportedPayloadDirect(
      fbb, sourced_id.c_str(), class_id.c_str(), "", user_sourced_id.c_str(), role.c_str(), false,
      begin_date.c_str(), end_date.c_str()));
  bool student = role == "student";
  return Make(EventType::EnrollmentImported,
              student ? StudentIdFor(index_key, user_sourced_id) : "", fbb, student);
}

NewEvent RetractEvent(uint8_t kind, const std::string& sourced_id, const std::string& subject) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordRetractedPayloadDirect(fbb, static_cast<fb::RecordKind>(kind),
                                                    sourced_id.c_str(), 0, "imp_test"));
  return Make(EventType::RecordRetracted, subject, fbb, !subject.empty());
}

NewEvent ShredEvent(const std::string& subject) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::CreateRecordShreddedPayloadDirect(fbb, "test", "", 0));
  return Make(EventType::RecordShredded, subject, fbb, false);
}

}  // namespace backpack::testing
