// Roster events for tests: the FlatBuffers payloads an import would append,
// built from synthetic values. Test-only.
#pragma once

#include <string>

#include "core/crypto.h"
#include "events/event.h"

namespace backpack::testing {

NewEvent OrgEvent(const std::string& sourced_id, const std::string& name);
NewEvent ClassEvent(const std::string& sourced_id, const std::string& school_id);
NewEvent StudentEvent(const AeadKey& index_key, const std::string& sourced_id,
                      const std::string& given_name, const std::string& family_name,
                      const std::string& grade, const std::string& school_id,
                      const std::string& preferred_name = "");
NewEvent GuardianEvent(const AeadKey& index_key, const std::string& guardian_sourced_id,
                       const std::string& student_sourced_id, const std::string& given_name,
                       const std::string& family_name, const std::string& email);
// `role` is the OneRoster role: "student" or "teacher" (or others, ignored).
// The dates are its beginDate and endDate ("" for none).
NewEvent EnrollmentEvent(const AeadKey& index_key, const std::string& sourced_id,
                         const std::string& class_id, const std::string& user_sourced_id,
                         const std::string& role, const std::string& begin_date = "",
                         const std::string& end_date = "");
// RecordRetracted of kind `kind` (fb::RecordKind value) with `subject` ("" if none).
NewEvent RetractEvent(uint8_t kind, const std::string& sourced_id, const std::string& subject);
// RecordShredded about `subject` (the caller destroys the data key first).
NewEvent ShredEvent(const std::string& subject);

}  // namespace backpack::testing
